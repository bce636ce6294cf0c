# The Kotlin shell: the generated bindings and the presenters of
# android/lawcircle-phone, compiled with kotlinc -Werror and tested with
# JUnit 5 on the JVM against the host library (through JNA) and the real
# server binary. Tools: kotlinc from npm (cached), JNA and JUnit from apt.

# shellcheck source=scripts/lib/mobile-tools.sh
. "$ROOT/scripts/lib/mobile-tools.sh"

suite_kotlin() {
  log "kotlin: kotlinc -Werror, JUnit 5 on the JVM through JNA"
  local core="$ROOT/android/lawcircle-phone" out="$ARTIFACTS/kotlin-tests.log"
  ensure_kotlin_tools || { record kotlin 0 1 FAILED; return; }
  mobile_prepare || { record kotlin 0 1 FAILED; return; }
  local jar="$core/build/lawcircle-phone-tests.jar"
  if ! kotlin_compile "$jar" "$core/src/test/kotlin"; then
    echo "kotlinc failed" >&2; record kotlin 0 1 FAILED; return
  fi
  java -Djna.library.path="$core/build/native" \
    -Dlawcircle.server.bin="$(cargo_target_dir)/debug/lawcircle-server" \
    -Dlawcircle.seed.bin="$(cargo_target_dir)/debug/seed-people" \
    -Dlawcircle.repo="$ROOT" \
    -jar "$JUNIT_LAUNCHER" --disable-banner --disable-ansi-colors --fail-if-no-tests --details=tree \
    --class-path "$(kotlin_runtime_cp "$jar")" --scan-classpath "$jar" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]} passed failed
  passed=$(sed -n 's/.*\[ *\([0-9]\+\) tests successful *\].*/\1/p' "$out" | tail -1)
  failed=$(sed -n 's/.*\[ *\([0-9]\+\) tests failed *\].*/\1/p' "$out" | tail -1)
  passed=${passed:-0}; failed=${failed:-0}
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "kotlin: ${passed} passed, ${failed} failed"
  if [ "$status" -eq 0 ]; then record kotlin "$passed" "$failed" ok; else record kotlin "$passed" "$failed" FAILED; fi
}
