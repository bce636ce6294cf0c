# Formatting and clippy with warnings denied; the phone library's HTTP
# comes from the platform, so no Rust HTTP or TLS stack may creep into it.
suite_lint() {
  log "lint: cargo fmt --check, cargo clippy -D warnings, no HTTP stack in lawcircle-ffi"
  local ok=0
  cargo fmt --all -- --check || ok=1
  cargo clippy --workspace --all-targets --locked -- -D warnings || ok=1
  check_ffi_has_no_http_stack || ok=1
  if [ $ok -eq 0 ]; then record lint 3 0 ok; else record lint 0 1 FAILED; fi
}

# `cargo tree -p lawcircle-ffi -e normal` must not list reqwest, hyper,
# rustls, ring or webpki-roots: the shells' HttpTransport does HTTP and TLS.
check_ffi_has_no_http_stack() {
  local tree found
  tree="$(cargo tree --locked -p lawcircle-ffi -e normal --prefix none)" || return 1
  found="$(printf '%s\n' "$tree" | grep -E '^(reqwest|hyper|hyper-util|hyper-rustls|rustls|tokio-rustls|ring|webpki-roots|rustls-platform-verifier) v' | sort -u)"
  if [ -n "$found" ]; then
    echo "lawcircle-ffi depends on an HTTP/TLS stack (HTTP goes through the platform's HttpTransport):" >&2
    echo "$found" >&2
    return 1
  fi
}
