# The Android glue (android/app/src/main: framework-only code, android.*
# APIs and no AndroidX or Play services): compiled with kotlinc -Werror
# against the Android 15 framework as Robolectric ships it (android-all),
# then JUnit 4 tests under the Robolectric runner: the UnifiedPush connector
# and its RFC 8291 decryption, notifications, the duty foreground service,
# LocationManager and the permission flows, the JobScheduler outbox sync.
# Robolectric 4.17, android-all and ZXing come from Maven Central, resolved with
# mvn into a cache once; Robolectric then runs offline.

# shellcheck source=scripts/lib/mobile-tools.sh
. "$ROOT/scripts/lib/mobile-tools.sh"

# The jars of android/app/robolectric-test-deps.xml in a cache folder named
# after that file's hash: jars/ (the class path), api/ (android-all, the
# framework the glue compiles against) and sdk/ (android-all-instrumented,
# which Robolectric loads itself). Prints the folder.
robolectric_cache() {
  local pom="$ROOT/android/app/robolectric-test-deps.xml" hash dir tmp
  hash="$(sha256sum "$pom" | cut -c1-16)"
  dir="$LAWCIRCLE_CACHE/robolectric-$hash"
  if [ ! -f "$dir/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || ensure_apt maven || return 1
    rm -rf "$dir"
    tmp="$(mktemp -d "$LAWCIRCLE_CACHE/robolectric.XXXXXX")" || return 1
    echo "resolving Robolectric and android-all with Maven (once)" >&2
    # Maven's own repository is thrown away afterwards: only the jars are kept.
    mvn -q -B -f "$pom" -Dmaven.repo.local="$tmp/m2" \
      dependency:copy-dependencies -DoutputDirectory="$tmp/out/jars" >&2 || { rm -rf "$tmp"; return 1; }
    # androidx.test's monitor (Robolectric's instrumentation registry) comes as an .aar: its classes.jar.
    local aar
    for aar in "$tmp"/out/jars/*.aar; do
      [ -e "$aar" ] || continue
      unzip -p "$aar" classes.jar > "${aar%.aar}.jar" && rm "$aar" || { rm -rf "$tmp"; return 1; }
    done
    mkdir -p "$tmp/out/sdk" "$tmp/out/api"
    mv "$tmp"/out/jars/android-all-instrumented-*.jar "$tmp/out/sdk/" || { rm -rf "$tmp"; return 1; }
    mv "$tmp"/out/jars/android-all-*.jar "$tmp/out/api/" || { rm -rf "$tmp"; return 1; }
    touch "$tmp/out/.complete"
    mv "$tmp/out" "$dir" && rm -rf "$tmp"
  fi
  printf '%s' "$dir"
}

# ZXing's core (android/app/zxing-deps.xml: the station-code scanner's
# decoder) resolved with mvn once into a cache folder named after that
# file's hash, apart from Robolectric's. Prints the folder.
zxing_cache() {
  local pom="$ROOT/android/app/zxing-deps.xml" hash dir tmp
  hash="$(sha256sum "$pom" | cut -c1-16)"
  dir="$LAWCIRCLE_CACHE/zxing-$hash"
  if [ ! -f "$dir/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || ensure_apt maven || return 1
    mkdir -p "$LAWCIRCLE_CACHE"
    tmp="$(mktemp -d "$LAWCIRCLE_CACHE/zxing.XXXXXX")" || return 1
    echo "resolving ZXing with Maven (once)" >&2
    mvn -q -B -f "$pom" -Dmaven.repo.local="$tmp/m2" \
      dependency:copy-dependencies -DoutputDirectory="$tmp/out" >&2 || { rm -rf "$tmp"; return 1; }
    touch "$tmp/out/.complete"
    rm -rf "$dir"
    mv "$tmp/out" "$dir" && rm -rf "$tmp"
  fi
  printf '%s' "$dir"
}

suite_android-glue() {
  log "android-glue: android/app's framework glue with kotlinc, Robolectric tests"
  local app="$ROOT/android/app" phone="$ROOT/android/lawcircle-phone" out="$ARTIFACTS/android-glue-tests.log"
  ensure_kotlin_tools || { record android-glue 0 1 FAILED; return; }
  command -v unzip >/dev/null 2>&1 || ensure_apt unzip || { record android-glue 0 1 FAILED; return; }
  mobile_prepare || { record android-glue 0 1 FAILED; return; }
  local cache
  cache="$(robolectric_cache)" || { echo "Maven could not resolve Robolectric" >&2; record android-glue 0 1 FAILED; return; }
  local zxing
  zxing="$(zxing_cache)" || { echo "Maven could not resolve ZXing" >&2; record android-glue 0 1 FAILED; return; }
  # The presenters with their test helpers (TestServer…): the kotlin suite's jar.
  local phone_jar="$phone/build/lawcircle-phone-tests.jar"
  kotlin_compile "$phone_jar" "$phone/src/test/kotlin" || { record android-glue 0 1 FAILED; return; }
  local robo android_all lib="$KOTLIN_HOME/lib"
  robo="$(find "$cache/jars" -name '*.jar' | sort | paste -sd:)"
  android_all="$(find "$cache/api" -name '*.jar' | head -1)"
  robo="$robo:$(find "$zxing" -name '*.jar' | sort | paste -sd:)"
  local rcp="$phone_jar:$robo:$lib/kotlin-stdlib.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar:$lib/kotlin-test-junit.jar:$JNA_JAR:$OKHTTP_CP"
  local jar="$app/build/lawcircle-app-tests.jar" stamp
  mkdir -p "$app/build"
  stamp="$( { echo "$KOTLIN_VERSION $cache $zxing"; sha256sum "$phone_jar"; find "$app/src/main/kotlin" "$app/src/test" -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$jar" ] && [ "$(cat "$jar.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "kotlinc: $(basename "$jar") is up to date"
  else
    rm -f "$jar" "$jar.stamp"
    # Only src/main/kotlin (framework-only) and the tests: src/androidx needs AndroidX.
    if ! JAVA_OPTS="-Xmx1500m" "$KOTLIN_HOME/bin/kotlinc" -Werror -jvm-target 17 -no-reflect \
      -cp "$android_all:$rcp" -d "$jar" "$app/src/main/kotlin" "$app/src/test/kotlin"; then
      echo "kotlinc failed" >&2; record android-glue 0 1 FAILED; return
    fi
    echo "$stamp" > "$jar.stamp"
  fi
  # Every top-level *Test class in the jar, for JUnit 4's runner. The
  # framework jar is on the class path as Gradle's unit tests have android.jar
  # (Robolectric's sandbox loads its instrumented twin in its place).
  local classes
  classes="$(unzip -Z1 "$jar" | sed -n 's#^\(org/lawcircle/app/.*Test\)\.class$#\1#p' | tr / . | sort)"
  # --add-opens: Robolectric closes a ParcelFileDescriptor (a content
  # provider's file) through java.io.FileDescriptor's private field.
  java -Xmx1g --add-opens java.base/java.io=ALL-UNNAMED -Drobolectric.offline=true -Drobolectric.dependency.dir="$cache/sdk" \
    -Drobolectric.logging.enabled=false \
    -Djna.library.path="$phone/build/native" \
    -Dlawcircle.server.bin="$(cargo_target_dir)/debug/lawcircle-server" \
    -Dlawcircle.seed.bin="$(cargo_target_dir)/debug/seed-people" \
    -Dlawcircle.repo="$ROOT" \
    -cp "$jar:$app/src/test/resources:$rcp:$android_all" org.junit.runner.JUnitCore $classes 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]} passed failed run
  if grep -q '^OK (' "$out"; then
    passed=$(sed -n 's/^OK (\([0-9]\+\) tests\?).*/\1/p' "$out" | tail -1); failed=0
  else
    run=$(sed -n 's/^Tests run: \([0-9]\+\),.*/\1/p' "$out" | tail -1)
    failed=$(sed -n 's/^Tests run: [0-9]\+, *Failures: \([0-9]\+\).*/\1/p' "$out" | tail -1)
    run=${run:-0}; failed=${failed:-1}; passed=$(( run - failed ))
  fi
  passed=${passed:-0}
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "android-glue: ${passed} passed, ${failed} failed"
  if [ "$status" -eq 0 ]; then record android-glue "$passed" "$failed" ok; else record android-glue "$passed" "$failed" FAILED; fi
}
