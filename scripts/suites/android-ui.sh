# The phone screens (android/lawcircle-ui): compiled with kotlinc -Werror and
# the Compose compiler plugin against the Compose Multiplatform desktop
# artifacts (resolved with Maven into a cache), then JUnit 5 UI tests that
# drive each screen through presenter state from the real presenters
# against the real server, click through the flows, and write phone-sized
# PNG screenshots to artifacts/android/.

# shellcheck source=scripts/lib/mobile-tools.sh
. "$ROOT/scripts/lib/mobile-tools.sh"

# The desktop Compose jars of android/lawcircle-ui/desktop-test-deps.xml,
# in a cache folder named after that file's hash (a new version, a new folder).
compose_desktop_jars() {
  local pom="$ROOT/android/lawcircle-ui/desktop-test-deps.xml" hash dir tmp
  hash="$(sha256sum "$pom" | cut -c1-16)"
  dir="$LAWCIRCLE_CACHE/compose-desktop-$hash"
  if [ ! -f "$dir/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || ensure_apt maven || return 1
    rm -rf "$dir"
    tmp="$(mktemp -d "$LAWCIRCLE_CACHE/compose-desktop.XXXXXX")" || return 1
    echo "resolving the Compose desktop artifacts with Maven (once)" >&2
    # Maven's own repository is thrown away afterwards: only the jars are kept (36 MB).
    mvn -q -B -f "$pom" -Dmaven.repo.local="$tmp/m2" \
      dependency:copy-dependencies -DoutputDirectory="$tmp/jars" >&2 || { rm -rf "$tmp"; return 1; }
    touch "$tmp/jars/.complete"
    mv "$tmp/jars" "$dir" && rm -rf "$tmp"
  fi
  # kotlinc's own standard library and coroutines are used instead of the
  # older ones Compose names, so one copy of each is on the class path.
  find "$dir" -name '*.jar' ! -name 'kotlin-stdlib*' ! -name 'kotlinx-coroutines-core*' | sort | paste -sd:
}

suite_android-ui() {
  log "android-ui: the phone screens with the Compose compiler, UI tests and screenshots"
  local ui="$ROOT/android/lawcircle-ui" phone="$ROOT/android/lawcircle-phone" out="$ARTIFACTS/android-ui-tests.log"
  ensure_kotlin_tools || { record android-ui 0 1 FAILED; return; }
  # A CJK font, so the Chinese screens read in the screenshots.
  fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk' || ensure_apt fonts-wqy-microhei fontconfig \
    || { record android-ui 0 1 FAILED; return; }
  mobile_prepare || { record android-ui 0 1 FAILED; return; }
  local compose
  compose="$(compose_desktop_jars)" || { echo "Maven could not resolve the Compose jars" >&2; record android-ui 0 1 FAILED; return; }
  # The presenters with their test helpers (TestServer…): the kotlin suite's jar.
  local phone_jar="$phone/build/lawcircle-phone-tests.jar"
  kotlin_compile "$phone_jar" "$phone/src/test/kotlin" || { record android-ui 0 1 FAILED; return; }
  local jar="$ui/build/lawcircle-ui-tests.jar" lib="$KOTLIN_HOME/lib" stamp
  local rcp="$phone_jar:$compose:$lib/kotlin-stdlib.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar:$lib/kotlin-test-junit5.jar:$JNA_JAR:$OKHTTP_CP"
  local cp="$rcp:$JUNIT_LAUNCHER"
  mkdir -p "$ui/build"
  stamp="$( { echo "$KOTLIN_VERSION $compose"; sha256sum "$phone_jar"; find "$ui/src" -name '*.kt' -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$jar" ] && [ "$(cat "$jar.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "kotlinc: $(basename "$jar") is up to date"
  else
    rm -f "$jar" "$jar.stamp"
    if ! JAVA_OPTS="-Xmx1500m" "$KOTLIN_HOME/bin/kotlinc" -Werror -jvm-target 17 -no-reflect \
      -Xplugin="$lib/compose-compiler-plugin.jar" -cp "$cp" -d "$jar" \
      "$ui/src/main/kotlin" "$ui/src/desktopTest/kotlin"; then
      echo "kotlinc failed" >&2; record android-ui 0 1 FAILED; return
    fi
    echo "$stamp" > "$jar.stamp"
  fi
  rm -rf "$ARTIFACTS/android"
  mkdir -p "$ARTIFACTS/android"
  # The phone of a user in Wenzhou: times on screen in China time.
  java -Djava.awt.headless=true -Duser.timezone=Asia/Shanghai -Djna.library.path="$phone/build/native" \
    -Dskiko.data.path="$LAWCIRCLE_CACHE/skiko" \
    -Dlawcircle.server.bin="$(cargo_target_dir)/debug/lawcircle-server" \
    -Dlawcircle.seed.bin="$(cargo_target_dir)/debug/seed-people" \
    -Dlawcircle.screenshots="$ARTIFACTS/android" \
    -jar "$JUNIT_LAUNCHER" --disable-banner --disable-ansi-colors --fail-if-no-tests --details=tree \
    --class-path "$jar:$rcp" --scan-classpath "$jar" 2>&1 | tee "$out"
  local status=${PIPESTATUS[0]} passed failed
  passed=$(sed -n 's/.*\[ *\([0-9]\+\) tests successful *\].*/\1/p' "$out" | tail -1)
  failed=$(sed -n 's/.*\[ *\([0-9]\+\) tests failed *\].*/\1/p' "$out" | tail -1)
  passed=${passed:-0}; failed=${failed:-0}
  [ "$status" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
  echo "android-ui: ${passed} passed, ${failed} failed (screenshots in artifacts/android/)"
  if [ "$status" -eq 0 ]; then record android-ui "$passed" "$failed" ok; else record android-ui "$passed" "$failed" FAILED; fi
}
