# The staff web console end to end: the real server binary with the demo
# data, Debian's headless Chromium driven by playwright-core (from npm,
# pinned by tests/console/package-lock.json), Node's built-in test runner.
# Screenshots go to artifacts/console/.

suite_console() {
  log "console: the staff console in headless Chromium (tests/console)"
  local missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  # A CJK font, so the Chinese-first console reads in the screenshots.
  fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || missing+=(fonts-wqy-microhei)
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
  if [ ${#missing[@]} -gt 0 ]; then
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } \
      || { echo "cannot install ${missing[*]}" >&2; record console 0 1 FAILED; return; }
  fi
  local bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/lawcircle-server"
  # Always build: the console's files are embedded in the binary.
  # (and the grid-network test tool, which makes the tests a walking network).
  cargo build --locked -p lawcircle-server -p lawcircle-e2e --bins || { record console 0 1 FAILED; return; }
  ( cd "$ROOT/tests/console" && npm_config_cache="$LAWCIRCLE_CACHE/npm" npm ci --no-audit --no-fund --loglevel=error ) \
    || { record console 0 1 FAILED; return; }
  rm -rf "$ARTIFACTS/console"
  mkdir -p "$ARTIFACTS/console"
  local out="$ARTIFACTS/console-tests.log" status
  ( cd "$ROOT/tests/console" && LAWCIRCLE_SERVER_BIN="$bin" timeout 900 \
      node --test --test-concurrency=1 --test-reporter=tap ./*.test.mjs ) 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  local passed failed
  passed=$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  failed=$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$out" | tail -n 1)
  passed=${passed:-0}
  failed=${failed:-0}
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$status" -eq 0 ] && [ "$passed" -gt 0 ]; then record console "$passed" "$failed" ok; else record console "$passed" "$failed" FAILED; fi
}
