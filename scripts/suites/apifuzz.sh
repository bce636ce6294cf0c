# Property-based testing of the HTTP API from its own OpenAPI document with
# schemathesis (from PyPI), against the real server on SQLite and on
# PostgreSQL: every generated request must be answered without a 5xx.
#
# Logout and token revocation are left out: they would revoke the token the
# run itself uses (both are covered by the end-to-end tests).

suite_apifuzz() {
  log "apifuzz: schemathesis against /api/v1/openapi.json (no 5xx allowed)"
  local venv="$LAWCIRCLE_CACHE/venv-api-fuzz"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    python3 -m venv "$venv" 2>/dev/null || {
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
      python3 -m venv "$venv"
    } || { record apifuzz 0 1 FAILED; return; }
    "$venv/bin/pip" install -q 'schemathesis>=4,<5' || { record apifuzz 0 1 FAILED; return; }
  fi
  local bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/lawcircle-server"
  [ -x "$bin" ] || cargo build -p lawcircle-server --locked || { record apifuzz 0 1 FAILED; return; }
  . "$ROOT/scripts/lib/postgres.sh"
  local passed=0 failed=0 backend
  for backend in sqlite postgres; do
    local dir; dir=$(mktemp -d /tmp/lawcircle-fuzz.XXXXXX)
    local db_args=(--data-dir "$dir")
    if [ "$backend" = postgres ]; then
      start_postgres || { failed=$((failed + 1)); continue; }
      db_args+=(--database-url "$LAWCIRCLE_TEST_POSTGRES_URL")
    fi
    "$bin" serve "${db_args[@]}" --demo --bind 127.0.0.1:0 >"$dir/out" 2>"$dir/err" &
    local pid=$!
    local addr="" i
    for i in $(seq 1 100); do
      addr=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$dir/out")
      [ -n "$addr" ] && break
      sleep 0.2
    done
    LAWCIRCLE_PASSWORD=fuzz-admin-password "$bin" create-account "${db_args[@]}" \
      --username fuzz-admin --role district_admin --display-name Fuzz >/dev/null
    local token
    token=$(python3 - "$addr" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(sys.argv[1] + "/api/v1/auth/login",
    data=json.dumps({"username": "fuzz-admin", "password": "fuzz-admin-password"}).encode(),
    headers={"content-type": "application/json"})
print(json.load(urllib.request.urlopen(req))["token"])
PY
)
    # /api/v1/auth/sms-codes answers 503 by design on a server without an
    # SMS provider (this one): its input checks are in tests/tests/ratings.rs.
    local out="$ARTIFACTS/apifuzz-$backend.log" status
    timeout 600 "$venv/bin/schemathesis" run "$addr/api/v1/openapi.json" \
      --checks not_a_server_error -H "Authorization: Bearer $token" \
      --max-examples "${LAWCIRCLE_FUZZ_EXAMPLES:-25}" \
      --exclude-path /api/v1/auth/logout --exclude-path-regex '.*/revoke-tokens$' \
      --exclude-path /api/v1/auth/sms-codes \
      --no-color >"$out" 2>&1
    status=$?
    tail -n 12 "$out"
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    [ "$backend" = postgres ] && stop_postgres
    rm -rf "$dir"
    local p f
    p=$(sed -n 's/.* generated, \([0-9]*\) passed.*/\1/p' "$out" | tail -n 1)
    f=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' "$out" | tail -n 1)
    passed=$((passed + ${p:-0}))
    if [ "$status" -ne 0 ]; then failed=$((failed + ${f:-1})); fi
  done
  if [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]; then record apifuzz "$passed" 0 ok; else record apifuzz "$passed" "$failed" FAILED; fi
}
