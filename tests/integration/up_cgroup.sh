#!/usr/bin/env bash
# `up` inside a real 128 MiB memory cgroup, with the profile doctor picks there, survives
# a write flood of three times its maxmemory: still answering, no OOM kill counted by the
# cgroup, memory held under the limit by eviction. Needs root and a writable memory cgroup
# (v1 memory controller, or v2 with memory delegated).
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
. "$RL_SRC/tests/lib/cgroup.sh"
command -v jq >/dev/null || skip "jq is needed to read doctor/status --json"
rl_cgroup_base

server=$(rl_redis_server tiny) || { echo "cannot build Redis"; exit 1; }
bench="$(dirname "$server")/redis-benchmark"
cli="$(dirname "$server")/redis-cli"
[ -x "$bench" ] || skip "no redis-benchmark beside $server to flood with"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"

child="$base/rl-up-test-$$"
mkdir "$child" 2>/dev/null || skip "cannot create $child (cgroup not delegated)"
# Cleanup: stop Redis (only ours: the cgroup holds nothing else), then remove the cgroup.
cleanup() {
  "$RL_BIN" -q down --name cg >/dev/null 2>&1
  local p
  for p in $(cat "$child/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  for _ in $(seq 1 50); do [ -z "$(cat "$child/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
  rmdir "$child" 2>/dev/null
  return 0
}
on_exit cleanup
limit=$((128 << 20))
echo "$limit" >"$child/$limit_file"
if [ "$limit_file" = memory.limit_in_bytes ] && [ -w "$child/memory.memsw.limit_in_bytes" ]; then
  echo "$limit" >"$child/memory.memsw.limit_in_bytes" 2>/dev/null # no swap escape hatch
fi
in_cgroup() { sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$child" "$@"; }

picked=$(in_cgroup "$RL_BIN" doctor --json 2>/dev/null | jq -r .profile.name)
ok "doctor picks a profile inside the cgroup ($picked)" test -n "$picked" -a "$picked" != null
port=$(rl_free_port)
in_cgroup "$RL_BIN" up --detach --port "$port" --name cg >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"; rc=$?
is "up inside the cgroup" "$rc" 0
[ "$rc" = 0 ] || { cat "$RL_TMP/up.err" >&2; done_testing; }
s=$("$RL_BIN" status --json --name cg)
is "up used the profile doctor picked" "$(jq -r '.instances[0].profile' <<<"$s")" "$picked"
pid=$(jq -r '.instances[0].pid' <<<"$s")
maxmemory=$(jq -r '.instances[0].maxmemory' <<<"$s")
ok "Redis runs inside the cgroup" grep -qx "$pid" "$child/cgroup.procs"
ok "maxmemory ($maxmemory) leaves room under the 128 MiB limit" test "$maxmemory" -gt 0 -a "$maxmemory" -lt "$limit"

kills_before=$(awk '$1 == "oom_kill" {print $2}' "$child/$events")
n=$((3 * maxmemory / 1024))
"$bench" -p "$port" -t set -n "$n" -d 1024 -r 100000000 -P 16 -c 8 -q >"$RL_TMP/flood.out" 2>&1; brc=$?
is "the flood ran" "$brc" 0
is "Redis survived the flood" "$("$cli" -p "$port" ping 2>&1)" PONG
ok "still the same process" rl_pid_running "$pid"
is "no OOM kill in the cgroup" "$(awk '$1 == "oom_kill" {print $2}' "$child/$events")" "${kills_before:-0}"
info=$("$cli" -p "$port" info all | tr -d '\r')
evicted=$(sed -n 's/^evicted_keys://p' <<<"$info")
peak=$(sed -n 's/^used_memory_peak://p' <<<"$info")
rss=$(sed -n 's/^used_memory_rss://p' <<<"$info")
ok "it evicted to stay under maxmemory (evicted_keys=$evicted)" test "${evicted:-0}" -gt 0
ok "used_memory_peak ($peak) within 10% of maxmemory ($maxmemory)" test "$peak" -le $((maxmemory + maxmemory / 10))
ok "RSS ($rss) under the cgroup limit" test "$rss" -lt "$limit"
echo "# profile $picked, maxmemory $maxmemory, flood $n x 1 KiB SETs, evicted $evicted, used_memory_peak $peak, rss $rss"
[ -r "$child/memory.max_usage_in_bytes" ] && echo "# cgroup peak usage $(cat "$child/memory.max_usage_in_bytes")"

"$RL_BIN" -q down --name cg; rc=$?
is "down" "$rc" 0
ok "no process left in the cgroup" test -z "$(cat "$child/cgroup.procs")"

done_testing
