#!/usr/bin/env bash
# Truthful counts: against an otherwise idle real redis-server, the SETs and GETs bench
# reports (measured plus warm-up) equal the server's own INFO commandstats delta, for
# plain, pipelined, multi-threaded, rate-limited, mixed, timed and unix-socket runs; -n is
# met exactly; warm-up is excluded from the figures; GET hits and misses add up.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
bin=$(rl_redis_server) || exit 1
cli=$(rl_redis_cli)
port=$(rl_free_port) || exit 1
sock="$RL_TMP/redis.sock"
rl_start_server "$bin" "$port" --unixsocket "$sock" --unixsocketperm 700 || exit 1

r() { "$cli" -p "$port" "$@" | tr -d '\r'; }
calls() { # calls CMD: cmdstat_CMD calls since the last resetstat (0 when never called)
  local n
  n=$(r info commandstats | sed -n "s/^cmdstat_$1:calls=\([0-9]*\),.*/\1/p")
  echo "${n:-0}"
}
out="$RL_TMP/out.json"

# check NAME BENCH-ARGS...: runs bench --json and compares its counts with the server's.
check() {
  local name=$1; shift
  r config resetstat >/dev/null
  "$RL_BIN" bench --json "$@" >"$out" 2>"$RL_TMP/err"
  local rc=$?
  is "$name: exit status" "$rc" 0
  [ "$rc" -eq 0 ] || cat "$RL_TMP/err" >&2
  is "$name: SETs reported = server's SET calls" \
    "$(jq '[.results[] | .sets + .warmup_sets] | add' "$out")" "$(calls set)"
  is "$name: GETs reported = server's GET calls" \
    "$(jq '[.results[] | .gets + .warmup_gets] | add' "$out")" "$(calls get)"
  is "$name: no errors" "$(jq '[.results[] | .errors + .connection_errors] | add' "$out")" 0
}

check "plain" -p "$port" -t set,get -n 5000 -c 10
is "plain: -n requests per test" "$(jq -c '[.results[].requests]' "$out")" "[5000,5000]"
is "plain: tests in order" "$(jq -c '[.results[].test]' "$out")" '["SET","GET"]'
ok "plain: ops_per_sec positive" jq -e '.results | all(.ops_per_sec > 0)' "$out"
ok "plain: latency keys" jq -e '.results[0].latency_ms | has("avg") and has("p50") and has("p95") and has("p99") and has("p999") and has("max")' "$out"
ok "plain: percentiles ordered" jq -e '.results[0].latency_ms | .p50 <= .p95 and .p95 <= .p99 and .p99 <= .p999 and .p999 <= .max' "$out"
is "plain: target version from INFO" "$(jq -r .target.redis_version "$out")" \
  "$(r info server | sed -n 's/^redis_version://p')"
is "plain: target allocator from INFO" "$(jq -r .target.mem_allocator "$out")" \
  "$(r info memory | sed -n 's/^mem_allocator://p')"
is "plain: config echoed" "$(jq -c '.config | [.clients, .threads, .pipeline, .data_size, .keyspace]' "$out")" "[10,1,1,3,100000]"

check "pipelined" -p "$port" -t set,get -n 10001 -c 8 -P 16
is "pipelined: -n met exactly despite a partial last batch" "$(jq -c '[.results[].requests]' "$out")" "[10001,10001]"

check "threads" -p "$port" -t set,get -n 9999 -c 7 --threads 3 -P 3
is "threads: -n met exactly across threads" "$(jq -c '[.results[].requests]' "$out")" "[9999,9999]"
is "threads: config" "$(jq .config.threads "$out")" 3

check "rate-limited" -p "$port" -t set -n 3000 -c 5 -P 2 --rps 6000
is "rate-limited: -n met" "$(jq .results[0].requests "$out")" 3000
is "rate-limited: rps echoed" "$(jq .config.rps "$out")" 6000

check "mixed, timed, threaded" -p "$port" --ratio 1:4 --duration 1 -c 6 --threads 2 -P 4
ok "mixed: both commands ran" jq -e '.results[0] | .sets > 0 and .gets > 0' "$out"
ok "mixed: 1:4 proportion" jq -e '.results[0] | (.sets / (.sets + .gets)) as $f | $f > 0.18 and $f < 0.22' "$out"
is "mixed: one test" "$(jq -c '[.results[].test]' "$out")" '["SET:GET"]'
ok "mixed: a time series" jq -e '.results[0].series | length >= 1 and all(has("t") and has("ops_per_sec"))' "$out"
ok "mixed: series sums to the total" jq -e '.results[0] | ([.series[].ops] | add) == .requests' "$out"

check "warm-up" -p "$port" -t set -n 2000 -c 4 --warmup 0.5
is "warm-up: -n counts only measured requests" "$(jq .results[0].requests "$out")" 2000
ok "warm-up: warm-up requests happened and were excluded" jq -e '.results[0].warmup_sets > 0' "$out"

check "unix socket" -s "$sock" -t set,get -n 3000 -c 5 -P 4
is "unix socket: target" "$(jq -r .target.socket "$out")" "$sock"

# Hits and misses: fill keys 0..999 under one prefix, then GET them, then GET a fresh prefix.
check "fill" -p "$port" -t set -n 1000 -r 1000 --distribution sequential --key-prefix hit: -c 4
is "fill: every key exactly once" "$(r eval "return #redis.call('keys', 'hit:*')" 0)" 1000
check "all hits" -p "$port" -t get -n 3000 -r 1000 --key-prefix hit: -c 4 --distribution zipf
is "all hits: hit_ratio" "$(jq .results[0].hit_ratio "$out")" 1
is "all hits: hits = GETs" "$(jq '.results[0] | .hits == .gets' "$out")" true
check "all misses" -p "$port" -t get -n 3000 -r 1000 --key-prefix nothing-here: -c 4
is "all misses: hit_ratio" "$(jq .results[0].hit_ratio "$out")" 0
is "all misses: misses = GETs" "$(jq .results[0].misses "$out")" 3000
is "SET has no hit ratio" "$(jq -c '.results[0].hit_ratio' <("$RL_BIN" bench -p "$port" --json -t set -n 10))" null

# Output formats from the same results: CSV with redis-benchmark's columns first, a table.
"$RL_BIN" bench -p "$port" -t set,get -n 2000 --csv >"$RL_TMP/out.csv" 2>/dev/null
is "csv: redis-benchmark's header first" "$(head -1 "$RL_TMP/out.csv" | cut -d, -f1-8)" \
  '"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"'
is "csv: one row per test" "$(tail -n +2 "$RL_TMP/out.csv" | cut -d, -f1 | tr '\n' ' ')" '"SET" "GET" '
"$RL_BIN" bench -p "$port" -t get -n 2000 -d 64 -P 4 >"$RL_TMP/out.txt" 2>"$RL_TMP/err.txt"
ok "table: header names the server and allocator" grep -q "redis $(r info server | sed -n 's/^redis_version://p'), allocator" "$RL_TMP/out.txt"
ok "table: header names the load" grep -q "pipeline 4, 64 B values, keyspace 100000 (uniform)" "$RL_TMP/out.txt"
ok "table: a GET row" grep -qE '^GET +2000 ' "$RL_TMP/out.txt"
ok "no live line when stderr is not a terminal" bash -c "! grep -q 'ops/s now' '$RL_TMP/err.txt'"

done_testing
