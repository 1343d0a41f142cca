#!/usr/bin/env bash
# The memory budget in a real 64 MiB memory cgroup: a plain `up --detach` (no flags, no
# sandbox marker) sized by the measured terms, flooded from outside the cgroup with 3x its
# maxmemory in 32-byte values, then 1 KiB, then 16 KiB values (values that grow over time
# fragment the heap most: the costliest measured case), by 50 connections at pipeline 16:
# no OOM kill, Redis alive, usage below the limit. Needs root and a writable memory cgroup.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
. "$RL_SRC/tests/lib/cgroup.sh"
command -v jq >/dev/null || skip "jq is needed to read the plan"
rl_cgroup_base
server=$(rl_redis_server tiny) || { echo "cannot build Redis"; exit 1; }
bench="$(dirname "$server")/redis-benchmark" cli="$(dirname "$server")/redis-cli"
[ -x "$bench" ] || skip "no redis-benchmark beside $server to flood with"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
unset REDIS_LIGHT_PROFILES REPL_ID REPL_SLUG

limit=$((64 << 20))
rl_cgroup_child "rl-budget-test-$$" "$limit"
on_exit '"$RL_BIN" -q down >/dev/null 2>&1' # runs first: Redis stops before the cgroup goes
in_cgroup() { rl_in_cgroup "$child" "$@"; }

plan=$(in_cgroup "$RL_BIN" up --dry-run --json 2>/dev/null)
ok "the plan comes from the measured budget" jq -e '.budget.terms | map(.name) | index("base RSS") != null' \
  <<<"$plan" >/dev/null
planned=$(jq -r .budget.maxmemory_bytes <<<"$plan")
ok "planned maxmemory $planned is below the limit" test "$planned" -gt 0 -a "$planned" -lt "$limit"
port=6379 args=()
if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then port=$(rl_free_port); args=(--port "$port"); fi
in_cgroup "$RL_BIN" up --detach "${args[@]}" >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"; rc=$?
is "plain up --detach inside the cgroup" "$rc" 0
[ "$rc" = 0 ] || { cat "$RL_TMP/up.err" >&2; done_testing; }
info=$("$cli" -p "$port" info all | tr -d '\r')
is "Redis runs with the planned maxmemory" "$(sed -n 's/^maxmemory://p' <<<"$info")" "$planned"
pid=$(sed -n 's/^process_id://p' <<<"$info")
kills_before=$(awk '$1 == "oom_kill" {print $2}' "$child/$events")
for size in 32 1024 16384; do
  n=$((3 * planned / (size + 24)))
  "$bench" -p "$port" -t set -n "$n" -d "$size" -r 1000000000 -P 16 -c 50 -q >"$RL_TMP/flood.out" 2>&1
  is "Redis answers after $n SETs of $size B (3x maxmemory)" "$("$cli" -p "$port" ping 2>&1)" PONG
  ok "the same Redis process" kill -0 "$pid"
  is "no OOM kill after the $size B flood" "$(awk '$1 == "oom_kill" {print $2}' "$child/$events")" "${kills_before:-0}"
  [ -r "$child/memory.max_usage_in_bytes" ] && {
    peak=$(cat "$child/memory.max_usage_in_bytes")
    echo "# $size B values: maxmemory $planned, cgroup peak $peak of $limit ($((100 * peak / limit))%)"
    ok "peak usage $peak below the limit" test "$peak" -lt "$limit"
    echo 0 >"$child/memory.max_usage_in_bytes" 2>/dev/null
  }
done
"$RL_BIN" -q down; is "down" $? 0
ok "no process left in the cgroup" test -z "$(cat "$child/cgroup.procs")"
done_testing
