#!/usr/bin/env bash
# The real Redis build through `redis-light build` (the same path every integration test
# takes): the binary reports malloc=libc, redis-cli and redis-benchmark come along, and a
# second build is a cache hit that compiles nothing.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
[ -z "${RL_TEST_REDIS_SERVER:-}" ] || skip "RL_TEST_REDIS_SERVER is set: the build is bypassed"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
export XDG_CACHE_HOME="$RL_TEST_CACHE"
entry=$(dirname "$(dirname "$server")")
case "$server" in "$RL_TEST_CACHE"/redis-light/builds/*/bin/redis-server) ok "binary in the cache" true ;;
  *) ok "binary in the cache: $server" false ;; esac
ok "--version shows malloc=libc" sh -c "'$server' --version | grep -q ' malloc=libc '"
ok "redis-cli installed beside it" test -x "$entry/bin/redis-cli"
ok "redis-benchmark installed beside it" test -x "$entry/bin/redis-benchmark"
ok "build log kept" test -s "$entry/build.log"
ok "record names the profile's make variables" grep -q '^make_vars: "MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no"' "$entry/build.yaml"
ok "record holds what --version said" grep -q "^version_line: \"$("$server" --version)\"" "$entry/build.yaml"
ok "CACHEDIR.TAG" test -s "$RL_TEST_CACHE/redis-light/CACHEDIR.TAG"

before=$(stat -c '%Y %s' "$entry/build.yaml" "$entry/build.log" "$server")
out=$("$RL_BIN" build --profile replit 2>"$RL_TMP/second.err"); rc=$?
is "second build exit" "$rc" 0
is "second build, same binary" "$(echo "$out" | tail -n 1)" "$server"
ok "second build says cached" grep -q "^cached: " "$RL_TMP/second.err"
ok "second build compiled nothing" sh -c "! grep -q '^building ' '$RL_TMP/second.err'"
is "record, log and binary untouched" "$(stat -c '%Y %s' "$entry/build.yaml" "$entry/build.log" "$server")" "$before"
is "--json says cached" "$("$RL_BIN" build --profile replit --json 2>/dev/null | sed -n 's/^  "cached": \(.*\),*$/\1/p' | tr -d ,)" true
ok "no unfinished build left behind" sh -c "! ls -d '$RL_TEST_CACHE'/redis-light/builds/.tmp-* 2>/dev/null"

# up finds the same build: its dry run plans no compile.
XDG_STATE_HOME="$RL_TMP/state" "$RL_BIN" up --dry-run --profile replit --port 6399 >"$RL_TMP/dry.out" 2>&1; rc=$?
is "up --dry-run exit" "$rc" 0
ok "up would run the cached build" grep -q "^#   run the cached build $server " "$RL_TMP/dry.out"

done_testing
