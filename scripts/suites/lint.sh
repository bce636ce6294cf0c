# Formatting and clippy with warnings denied.
suite_lint() {
  log "lint: cargo fmt --check, cargo clippy -D warnings"
  local ok=0
  cargo fmt --all -- --check || ok=1
  cargo clippy --workspace --all-targets --locked -- -D warnings || ok=1
  if [ $ok -eq 0 ]; then record lint 2 0 ok; else record lint 0 1 FAILED; fi
}
