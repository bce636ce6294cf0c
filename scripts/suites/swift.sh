# The Swift shell: the ios/ package (generated bindings, view models) linted
# with swift-format, built and tested with XCTest on Linux, inside a cached
# Debian trixie chroot with swiftlang, against the host library and the
# real server binary.

# shellcheck source=scripts/lib/mobile-tools.sh
. "$ROOT/scripts/lib/mobile-tools.sh"

# Called by scripts/test before any suite runs: a missing chroot is made in
# the background (network and disk bound) while lint, rust and kotlin build.
prefetch_swift() {
  [ -f "$SWIFT_CHROOT/.lawcircle-ready" ] && return 0
  # Host apt first and in the foreground: two apt runs cannot share the lock.
  ensure_apt debootstrap ca-certificates || return 0
  echo "swift: making the chroot in the background (log: $ARTIFACTS/swift-chroot.log)"
  ensure_swift_chroot >"$ARTIFACTS/swift-chroot.log" 2>&1 &
  SWIFT_PREFETCH_PID=$!
}

suite_swift() {
  log "swift: swift test (XCTest) in the Debian trixie swiftlang chroot"
  local out="$ARTIFACTS/swift-tests.log" bindir
  if [ -n "${SWIFT_PREFETCH_PID:-}" ]; then
    echo "waiting for the chroot being made in the background"
    wait "$SWIFT_PREFETCH_PID" || true
    cat "$ARTIFACTS/swift-chroot.log"
    SWIFT_PREFETCH_PID=
  fi
  # Made already (returns at once), or made now if the background run failed.
  ensure_swift_chroot || { record swift 0 1 FAILED; return; }
  mobile_prepare || { record swift 0 1 FAILED; return; }
  bindir="$(cargo_target_dir)/debug"
  # The package's build folder stays in the clone (git-ignored) so a
  # second run only rebuilds what changed.
  swift_chroot_run "$ROOT" "$bindir" \
    'set -o pipefail; cd /lawcircle/ios && echo "swift-format lint --strict" && /usr/libexec/swift/bin/swift-format lint --strict --recursive Sources/LawCircle Sources/LawCircleBench Tests App/Sources Package.swift 2>&1 && swift build --build-tests -Xswiftc -warnings-as-errors 2>&1 && timeout 600 swift test --skip-build --disable-swift-testing --skip HttpsTests 2>&1 && timeout 120 swift test --skip-build --disable-swift-testing --filter HttpsTests 2>&1' \
    | tee "$out"
  local status=${PIPESTATUS[0]} passed failed total
  # Two runs: the HTTPS test in a process of its own (it adds a CA to the
  # system bundle and starts with no URLSession state from other tests).
  # Each run's total is the "Executed" line after its 'All tests' or
  # 'Selected tests' suite line; the two are added.
  total=$(awk '/Test Suite .(All|Selected) tests. (passed|failed)/ { last = 1; next }
    last && /Executed [0-9]+ tests?, with [0-9]+ failures?/ {
      for (i = 1; i <= NF; i++) { if ($i == "Executed") n += $(i + 1); if ($i == "with") f += $(i + 1) }
      last = 0; seen = 1 }
    END { if (seen) print n, f }' "$out")
  passed=0; failed=0
  if [ -n "$total" ]; then
    failed=${total#* }
    passed=$(( ${total% *} - failed ))
  fi
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "swift: ${passed} passed, ${failed} failed"
  if [ "$status" -eq 0 ] && [ "$passed" -gt 0 ]; then record swift "$passed" "$failed" ok; else record swift "$passed" "$failed" FAILED; fi
}
