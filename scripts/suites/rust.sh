# Every cargo test suite of the workspace: core, bindings, server and the
# end-to-end tests, the server-facing ones on SQLite and on a throwaway
# PostgreSQL started here.

# Adds up the "N passed; M failed" counts of cargo's "test result:" lines.
sum_cargo_results() {
  awk -v word="$2;" '/^test result:/ { for (i = 2; i <= NF; i++) if ($i == word) s += $(i - 1) } END { print s + 0 }' "$1"
}

suite_rust() {
  log "rust: cargo test --workspace (core, bindings, server, end-to-end; SQLite and PostgreSQL)"
  local out="$ARTIFACTS/rust-tests.log" status
  . "$ROOT/scripts/lib/postgres.sh"
  if ! start_postgres; then
    echo "could not start PostgreSQL" >&2
    record rust 0 1 FAILED
    return
  fi
  export LAWCIRCLE_REQUIRE_POSTGRES=1
  # Real OpenStreetMap extracts for the walking-network tests (cached).
  LAWCIRCLE_OSM_DIR="$("$ROOT/scripts/fetch-osm-fixtures")" || { stop_postgres; record rust 0 1 FAILED; return; }
  export LAWCIRCLE_OSM_DIR
  cargo build -p lawcircle-server --locked || { stop_postgres; record rust 0 1 FAILED; return; }
  cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$out"
  status=${PIPESTATUS[0]}
  stop_postgres
  local passed failed
  passed=$(sum_cargo_results "$out" passed)
  failed=$(sum_cargo_results "$out" failed)
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
  if [ "$status" -eq 0 ]; then record rust "$passed" "$failed" ok; else record rust "$passed" "$failed" FAILED; fi
}
