# shellcheck shell=bash
# How the shipped (--profile mobile) library is built, shared by
# scripts/build-bindings and scripts/bench-phone so that the benchmark's
# Rust examples are compiled with the very settings of the library (a
# different SQLite flag or strip setting would rebuild every dependency
# and measure another build). Sourced, not run.

# The shipped library's SQLite (the outbox) without what the phone never
# uses: full-text search, R*Tree, statistics tables, extension loading.
# Only for the mobile profile: the server's SQLite keeps its defaults.
MOBILE_SQLITE_FLAGS="-USQLITE_ENABLE_FTS3 -USQLITE_ENABLE_FTS3_PARENTHESIS -USQLITE_ENABLE_FTS5"
MOBILE_SQLITE_FLAGS="$MOBILE_SQLITE_FLAGS -USQLITE_ENABLE_RTREE -USQLITE_ENABLE_DBSTAT_VTAB -USQLITE_ENABLE_STAT4"
MOBILE_SQLITE_FLAGS="$MOBILE_SQLITE_FLAGS -USQLITE_SOUNDEX -USQLITE_ENABLE_LOAD_EXTENSION -DSQLITE_OMIT_LOAD_EXTENSION"
MOBILE_SQLITE_FLAGS="$MOBILE_SQLITE_FLAGS -DSQLITE_OMIT_DEPRECATED -DSQLITE_OMIT_SHARED_CACHE -DSQLITE_DEFAULT_MEMSTATUS=0"
export MOBILE_SQLITE_FLAGS

# The environment cargo needs to build PROFILE as build-bindings does:
# uniffi-bindgen reads the library's metadata symbols, so a profile that
# strips (mobile) is built unstripped and stripped after generation.
#   profile_build_env PROFILE   prints NAME=VALUE lines for env(1)
profile_build_env() {
  local profile="$1"
  printf 'CARGO_PROFILE_%s_STRIP=false\n' "$(printf '%s' "$profile" | tr 'a-z-' 'A-Z_')"
  if [ "$profile" = mobile ]; then
    printf 'LIBSQLITE3_FLAGS=%s\n' "$MOBILE_SQLITE_FLAGS"
  else
    printf 'LIBSQLITE3_FLAGS=\n'
  fi
}
