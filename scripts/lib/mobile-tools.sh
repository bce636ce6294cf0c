# Provisioning shared by the kotlin and swift suites and scripts/bench-ffi.
# Sourced, not run. Everything large is cached outside the clone under
# ${LAWCIRCLE_CACHE:-~/.cache/lawcircle}; every step is idempotent and safe to
# re-run after an interruption (work happens in a temporary folder that is
# renamed into place only when complete).

LAWCIRCLE_CACHE="${LAWCIRCLE_CACHE:-$HOME/.cache/lawcircle}"
KOTLIN_VERSION="2.4.20"
KOTLIN_HOME="$LAWCIRCLE_CACHE/kotlin-compiler-$KOTLIN_VERSION"
SWIFT_CHROOT="$LAWCIRCLE_CACHE/swift-chroot"
SWIFT_SUITE="trixie"
SWIFT_MIRROR="${LAWCIRCLE_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
JUNIT_LAUNCHER="/usr/share/java/junit-platform-console-standalone.jar"
JNA_JAR="/usr/share/java/jna.jar"

# Where cargo puts the debug builds (the rust suite builds the server there).
cargo_target_dir() { printf '%s' "${CARGO_TARGET_DIR:-$ROOT/target}"; }

# Builds the debug library and bindings, the server the tests start and
# the seed-people fixture that makes the flows' accounts on it.
mobile_prepare() {
  [ -n "${MOBILE_PREPARED:-}" ] && return 0
  local locked=()
  [ -n "${CI:-}" ] && locked=(--locked)
  cargo build "${locked[@]}" -p lawcircle-server -p lawcircle-e2e --bin lawcircle-server --bin seed-people --bin fake-sms --bin tls-proxy || return 1
  "$ROOT/scripts/build-bindings" >/dev/null || return 1
  MOBILE_PREPARED=1
}

_as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# Installs the named Debian packages that are not installed yet.
ensure_apt() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "installing with apt: ${missing[*]}"
  _as_root apt-get update -qq || return 1
  DEBIAN_FRONTEND=noninteractive _as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# kotlinc from the npm package kotlin-compiler (it ships kotlin-stdlib,
# kotlin-test-junit5 and kotlinx-coroutines-core-jvm as well), JNA and the
# JUnit 5 console launcher from Debian.
ensure_kotlin_tools() {
  command -v java >/dev/null 2>&1 || ensure_apt default-jre-headless || return 1
  ensure_apt libjna-java junit5 || return 1
  command -v npm >/dev/null 2>&1 || ensure_apt npm || return 1
  if [ ! -x "$KOTLIN_HOME/bin/kotlinc" ]; then
    local tmp
    mkdir -p "$LAWCIRCLE_CACHE"
    tmp="$(mktemp -d "$LAWCIRCLE_CACHE/kotlin.XXXXXX")" || return 1
    echo "fetching kotlin-compiler@$KOTLIN_VERSION from npm"
    (cd "$tmp" && npm pack --silent "kotlin-compiler@$KOTLIN_VERSION" >/dev/null \
      && tar xzf "kotlin-compiler-$KOTLIN_VERSION.tgz" \
      && chmod +x package/bin/*) || { rm -rf "$tmp"; return 1; }
    rm -rf "$KOTLIN_HOME"
    mv "$tmp/package" "$KOTLIN_HOME" && rm -rf "$tmp"
  fi
  export KOTLIN_HOME
  ensure_okhttp
}

# OkHttp and okio (android/lawcircle-phone's HTTP transport) and okhttp-tls
# (the certificate authority its HTTPS tests make) from Maven Central, as
# listed in android/lawcircle-phone/okhttp-deps.xml: resolved with mvn once
# into a cache folder named after that file's hash. Sets OKHTTP_CP (the
# jars, without the kotlin-stdlib kotlinc ships).
ensure_okhttp() {
  [ -n "${OKHTTP_CP:-}" ] && return 0
  local pom="$ROOT/android/lawcircle-phone/okhttp-deps.xml" hash dir tmp
  hash="$(sha256sum "$pom" | cut -c1-16)"
  dir="$LAWCIRCLE_CACHE/okhttp-$hash"
  if [ ! -f "$dir/.complete" ]; then
    command -v mvn >/dev/null 2>&1 || ensure_apt maven || return 1
    mkdir -p "$LAWCIRCLE_CACHE"
    tmp="$(mktemp -d "$LAWCIRCLE_CACHE/okhttp.XXXXXX")" || return 1
    echo "resolving OkHttp with Maven (once)" >&2
    # Maven's own repository is thrown away afterwards: only the jars are kept.
    mvn -q -B -f "$pom" -Dmaven.repo.local="$tmp/m2" \
      dependency:copy-dependencies -DoutputDirectory="$tmp/out" >&2 || { rm -rf "$tmp"; return 1; }
    touch "$tmp/out/.complete"
    rm -rf "$dir"
    mv "$tmp/out" "$dir" && rm -rf "$tmp"
  fi
  OKHTTP_CP="$(find "$dir" -name '*.jar' ! -name 'kotlin-stdlib*' | sort | paste -sd:)"
  export OKHTTP_CP
}

# Compiles android/lawcircle-phone (generated bindings + main + extra source
# folders given as arguments) into one jar. Skips kotlinc (the slow part)
# when no source changed since the jar was made.
kotlin_compile() {
  local out="$1"; shift
  local core="$ROOT/android/lawcircle-phone" lib="$KOTLIN_HOME/lib" stamp
  local cp="$lib/kotlin-stdlib.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar:$lib/kotlin-test-junit5.jar:$JNA_JAR:$JUNIT_LAUNCHER:$OKHTTP_CP"
  stamp="$( { echo "$KOTLIN_VERSION"; echo "$OKHTTP_CP"; find "$core/build/generated" "$core/src/main/kotlin" "$@" -name '*.kt' -type f -print0 \
    | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)"
  if [ -f "$out" ] && [ "$(cat "$out.stamp" 2>/dev/null)" = "$stamp" ]; then
    echo "kotlinc: $(basename "$out") is up to date"
    return 0
  fi
  rm -f "$out" "$out.stamp"
  JAVA_OPTS="-Xmx1g" "$KOTLIN_HOME/bin/kotlinc" -Werror -jvm-target 17 -no-reflect \
    -cp "$cp" -d "$out" \
    "$core/build/generated" "$core/src/main/kotlin" "$@" || return 1
  echo "$stamp" > "$out.stamp"
}

kotlin_runtime_cp() {
  local lib="$KOTLIN_HOME/lib"
  printf '%s' "$1:$lib/kotlin-stdlib.jar:$lib/kotlinx-coroutines-core-jvm.jar:$lib/kotlin-test.jar:$lib/kotlin-test-junit5.jar:$JNA_JAR:$OKHTTP_CP"
}

# ---- the Swift chroot ------------------------------------------------------
# Debian trixie ships swiftlang (Swift 6 with XCTest and Foundation); the
# host is bookworm, so Swift runs in a minimal trixie chroot.

# Lists the mount points at or under $1 (deepest first).
_mounts_under() {
  awk -v root="$1" '$2 == root || index($2, root "/") == 1 { print $2 }' /proc/self/mounts | sort -r
}

_umount_under() {
  local m
  for m in $(_mounts_under "$1"); do _as_root umount -l "$m" 2>/dev/null || true; done
}

# Removes a chroot folder safely: never follows a bind mount into the host.
_remove_chroot() {
  _umount_under "$1"
  if [ -n "$(_mounts_under "$1")" ]; then
    echo "refusing to remove $1: something is still mounted under it" >&2
    return 1
  fi
  _as_root rm -rf --one-file-system "$1"
}

_chroot_mount_basics() {
  local root="$1"
  mountpoint -q "$root/proc" || _as_root mount -t proc proc "$root/proc"
  mountpoint -q "$root/dev" || _as_root mount --bind /dev "$root/dev"
}

ensure_swift_chroot() {
  [ -f "$SWIFT_CHROOT/.lawcircle-ready" ] && return 0
  ensure_apt debootstrap ca-certificates || return 1
  local tmp="$SWIFT_CHROOT.partial"
  # A half-made chroot from an interrupted run is thrown away, never trusted.
  if [ -d "$tmp" ]; then _remove_chroot "$tmp" || return 1; fi
  mkdir -p "$LAWCIRCLE_CACHE"
  echo "creating the Debian $SWIFT_SUITE chroot for Swift in $SWIFT_CHROOT (a few minutes, once)"
  _as_root debootstrap --variant=minbase "$SWIFT_SUITE" "$tmp" "$SWIFT_MIRROR" >"$LAWCIRCLE_CACHE/debootstrap.log" 2>&1 \
    || { echo "debootstrap failed; see $LAWCIRCLE_CACHE/debootstrap.log" >&2; tail -20 "$LAWCIRCLE_CACHE/debootstrap.log" >&2; _remove_chroot "$tmp"; return 1; }
  _as_root cp /etc/resolv.conf "$tmp/etc/resolv.conf" 2>/dev/null || true
  _chroot_mount_basics "$tmp"
  local rc=0
  _as_root chroot "$tmp" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    sh -c 'apt-get update -qq && apt-get install -y -qq --no-install-recommends swiftlang libc6-dev ca-certificates >/tmp/apt.log 2>&1 || { tail -30 /tmp/apt.log; exit 1; }; apt-get clean; swift --version' || rc=1
  _umount_under "$tmp"
  if [ $rc -ne 0 ]; then echo "installing swiftlang in the chroot failed" >&2; _remove_chroot "$tmp"; return 1; fi
  touch "$tmp/.lawcircle-ready"
  if [ -d "$SWIFT_CHROOT" ]; then _remove_chroot "$SWIFT_CHROOT" || return 1; fi
  mv "$tmp" "$SWIFT_CHROOT"
}

# Runs a shell command inside the Swift chroot with the clone bind-mounted at
# /lawcircle and BINDIR (the folder holding the lawcircle-server binary) at
# /lawcircle-bin; LAWCIRCLE_SERVER_BIN points at the server there.
#   swift_chroot_run REPO BINDIR 'cd /lawcircle/ios && swift test'
# Unmounts everything on the way out, also when interrupted.
swift_chroot_run() {
  local repo="$1" bindir="$2" cmd="$3" root="$SWIFT_CHROOT" rc=0
  _as_root mkdir -p "$root/lawcircle" "$root/lawcircle-bin"
  # shellcheck disable=SC2064
  trap "_umount_under '$root'" EXIT INT TERM
  _chroot_mount_basics "$root"
  _as_root mount --bind "$repo" "$root/lawcircle"
  _as_root mount --bind "$bindir" "$root/lawcircle-bin"
  # The system CA bundle as a throwaway copy: the Swift HTTPS test adds its
  # run's CA to it (FoundationNetworking trusts only the system bundle on
  # Linux), and the chroot's own file never changes.
  local bundle="$root/etc/ssl/certs/ca-certificates.crt" bundle_copy
  if [ -f "$bundle" ]; then
    bundle_copy="$(mktemp /tmp/lawcircle-ca-bundle.XXXXXX)"
    cp "$bundle" "$bundle_copy"
    _as_root mount --bind "$bundle_copy" "$bundle"
  fi
  _as_root chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LAWCIRCLE_SERVER_BIN=/lawcircle-bin/lawcircle-server \
    LAWCIRCLE_SEED_BIN=/lawcircle-bin/seed-people \
    LAWCIRCLE_TLS_PROXY_BIN=/lawcircle-bin/tls-proxy \
    LAWCIRCLE_TEST_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
    ${LAWCIRCLE_BENCH_ITERS:+LAWCIRCLE_BENCH_ITERS="$LAWCIRCLE_BENCH_ITERS"} \
    bash -c "$cmd" || rc=$?
  _umount_under "$root"
  [ -n "${bundle_copy:-}" ] && rm -f "$bundle_copy"
  trap - EXIT INT TERM
  return $rc
}
