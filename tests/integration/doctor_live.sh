#!/usr/bin/env bash
# doctor --live with a real Redis built by redis-light: on the host it survives the flood
# (peak RSS and map count measured from /proc, evictions counted); inside a real memory
# cgroup smaller than the profile's maxmemory allows it is OOM-killed, and doctor says so
# with exit 1, the kill counted, and a diagnosis. --live with --sysroot is a usage error.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read doctor --json"
rl_redis_server replit >/dev/null || { echo "cannot build Redis"; exit 1; }
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"

"$RL_BIN" --sysroot "$RL_FIXTURES/sysroots/_base" doctor --live >/dev/null 2>"$RL_TMP/e"; rc=$?
is "--live with --sysroot exits 2" "$rc" 2
ok "and says why" grep -q 'sysroot' "$RL_TMP/e"

mkdir -p "$RL_TMP/tmp"
out=$(TMPDIR="$RL_TMP/tmp" "$RL_BIN" doctor --live --profile replit --json 2>"$RL_TMP/live.err"); rc=$?
ok "doctor --live --json exits 0 or 1 by the checks (rc $rc)" test "$rc" -le 1
l=$(jq -c .live <<<"$out")
is "the live check ran" "$(jq -r .ran <<<"$l")" true
is "it survived" "$(jq -r .survived <<<"$l")" true
is "with the profile's allocator" "$(jq -r .allocator <<<"$l")" libc
is "and its maxmemory" "$(jq -r .maxmemory <<<"$l")" 67108864
ok "it wrote 3x maxmemory (or ran out of time)" test "$(jq -r .written_bytes <<<"$l")" -gt 67108864
ok "so Redis evicted" test "$(jq -r .evicted_keys <<<"$l")" -gt 0
ok "peak RSS measured" test "$(jq -r .rss_peak <<<"$l")" -gt $((8 << 20))
ok "peak map count measured" test "$(jq -r .maps_peak <<<"$l")" -gt 10
ok "no temporary instance left" test -z "$(ls -A "$RL_TMP/tmp")"
text=$("$RL_BIN" doctor --live --profile replit 2>/dev/null)
ok "text report has the live section" grep -q '^live check' <<<"$text"
ok "text says survived" grep -q 'survived after writing' <<<"$text"

# The death: a 96 MiB cgroup, and a profile that lets Redis hold 94 MiB of 1 KiB values
# with libc malloc (measured ~1.1x overhead at this size, so RSS goes past the limit). The
# limit leaves room for redis-light itself (larger under ASan); the throwaway server has
# oom_score_adj 1000, so the kernel picks it.
[ "$(id -u)" -eq 0 ] || { echo "# not root: no cgroup death case"; done_testing; }
base=""
if [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/memory ]; then
  rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  base="/sys/fs/cgroup/memory${rel%/}"; limit_file=memory.limit_in_bytes
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  rel=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  base="/sys/fs/cgroup${rel%/}"; limit_file=memory.max
fi
{ [ -n "$base" ] && [ -w "$base" ]; } || { echo "# no writable memory cgroup: no death case"; done_testing; }
child="$base/rl-live-test-$$"
mkdir "$child" 2>/dev/null || { echo "# cannot create $child: no death case"; done_testing; }
cleanup() {
  local p
  for p in $(cat "$child/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  for _ in $(seq 1 50); do [ -z "$(cat "$child/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
  rmdir "$child" 2>/dev/null
  return 0
}
on_exit cleanup
echo $((96 << 20)) >"$child/$limit_file"
[ -w "$child/memory.memsw.limit_in_bytes" ] && echo $((96 << 20)) >"$child/memory.memsw.limit_in_bytes" 2>/dev/null
cat >"$RL_TMP/greedy.yaml" <<'YAML'
name: greedy
description: test only - maxmemory close to a 96 MiB limit, no headroom for the allocator
priority: 1
build:
  allocator: libc
config:
  maxmemory: 94mb
  maxmemory-policy: allkeys-lru
  save: ""
YAML
out=$(sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$child" \
      "$RL_BIN" doctor --live --profile "$RL_TMP/greedy.yaml" --json 2>"$RL_TMP/greedy.err"); rc=$?
is "a Redis killed during --live makes doctor exit 1" "$rc" 1
l=$(jq -c .live <<<"$out")
is "it did not survive" "$(jq -r .survived <<<"$l")" false
ok "the kernel's OOM kill was counted" test "$(jq -r .oom_kills <<<"$l")" -ge 1
ok "the diagnosis names the OOM kill" grep -qi 'oom' <<<"$(jq -r .diagnosis <<<"$l")"
ok "no process left in the cgroup" test -z "$(cat "$child/cgroup.procs")"
done_testing
