#!/usr/bin/env bash
# The Replit recipe where it is needed most: REPL_ID set inside a real 48 MiB memory
# cgroup. doctor and up plan the same thing (libc build, maxmemory below the limit), and
# a plain `up --detach` (no flags) starts that Redis and survives a flood of 3x its
# maxmemory with no OOM kill. Needs root and a writable memory cgroup.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
. "$RL_SRC/tests/lib/cgroup.sh"
command -v jq >/dev/null || skip "jq is needed to read doctor/status --json"
rl_cgroup_base

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
bench="$(dirname "$server")/redis-benchmark"
cli="$(dirname "$server")/redis-cli"
[ -x "$bench" ] || skip "no redis-benchmark beside $server to flood with"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
unset REDIS_LIGHT_PROFILES

limit=$((48 << 20))
rl_cgroup_child "rl-plan-test-$$" "$limit"
on_exit '"$RL_BIN" -q down >/dev/null 2>&1' # runs first: Redis stops before the cgroup goes
in_cgroup() { rl_in_cgroup "$child" "$@"; }
export REPL_ID=rl-plan-test

doc=$(in_cgroup "$RL_BIN" doctor --json 2>/dev/null)
is "doctor picks replit in the sandbox" "$(jq -r .profile.name <<<"$doc")" replit
is "doctor's plan check is ok" "$(jq -r '.checks[] | select(.id == "plan") | .status' <<<"$doc")" ok
dry=$(in_cgroup "$RL_BIN" up --dry-run --json 2>/dev/null | jq -S .)
is "up --dry-run plans what doctor said" "$dry" "$(jq -S .plan <<<"$doc")"
is "the plan builds libc" "$(jq -r .build.allocator <<<"$dry")" libc
planned=$(jq -r .budget.maxmemory_bytes <<<"$dry")
ok "the planned maxmemory ($planned) is below the 48 MiB limit" test "$planned" -gt 0 -a "$planned" -lt "$limit"
ok "the plan says why replit's 64mb was passed over" jq -e '.budget.note | test("64 MiB")' <<<"$dry"

# 6379 may be taken on a shared machine: then the only flag is the port.
port=6379
(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && port=$(rl_free_port)
args=(); [ "$port" != 6379 ] && args=(--port "$port")
in_cgroup "$RL_BIN" up --detach "${args[@]}" >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"; rc=$?
is "plain up --detach inside the cgroup" "$rc" 0
[ "$rc" = 0 ] || { cat "$RL_TMP/up.err" >&2; done_testing; }
info=$("$cli" -p "$port" info all | tr -d '\r')
is "Redis runs the libc build" "$(sed -n 's/^mem_allocator://p' <<<"$info")" libc
is "Redis runs with the planned maxmemory" "$(sed -n 's/^maxmemory://p' <<<"$info")" "$planned"
pid=$(sed -n 's/^process_id://p' <<<"$info")
ok "Redis runs inside the cgroup" grep -qx "$pid" "$child/cgroup.procs"

kills_before=$(awk '$1 == "oom_kill" {print $2}' "$child/$events")
n=$((3 * planned / 1024))
"$bench" -p "$port" -t set -n "$n" -d 1024 -r 100000000 -P 16 -c 50 -q >"$RL_TMP/flood.out" 2>&1
is "Redis survived a flood of 3x maxmemory" "$("$cli" -p "$port" ping 2>&1)" PONG
is "no OOM kill in the cgroup" "$(awk '$1 == "oom_kill" {print $2}' "$child/$events")" "${kills_before:-0}"
[ -r "$child/memory.max_usage_in_bytes" ] && echo "# maxmemory $planned, cgroup peak usage $(cat "$child/memory.max_usage_in_bytes") of $limit"

"$RL_BIN" -q down; rc=$?
is "down" "$rc" 0
ok "no process left in the cgroup" test -z "$(cat "$child/cgroup.procs")"
done_testing
