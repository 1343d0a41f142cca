#!/usr/bin/env bash
# doctor inside a real memory cgroup made for the test: a child limited to 200 MiB must
# report 209715200, and a grandchild with no limit of its own must report its parent's.
# Needs root and a writable memory cgroup (v1 memory controller or v2 with memory).
. "$RL_SRC/tests/lib/common.sh"

[ "$(id -u)" -eq 0 ] || skip "not root: cannot create cgroups"

# Find where this shell's memory cgroup lives, v1 first (this machine), then v2.
base=""
if [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/memory ]; then
  rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
  base="/sys/fs/cgroup/memory${rel%/}"; limit_file=memory.limit_in_bytes
elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
  rel=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
  base="/sys/fs/cgroup${rel%/}"; limit_file=memory.max
fi
[ -n "$base" ] && [ -w "$base" ] || skip "no writable memory cgroup found"

child="$base/rl-doctor-test-$$"
mkdir "$child" 2>/dev/null || skip "cannot create $child (cgroup not delegated)"
on_exit "rmdir '$child/inner' 2>/dev/null; rmdir '$child'"
echo 209715200 >"$child/$limit_file"
mkdir "$child/inner"
if [ "$limit_file" = memory.max ]; then echo "+memory" >"$child/cgroup.subtree_control" 2>/dev/null || true; fi

run_in() { # run_in CGROUPDIR -> doctor --json output
  sh -c 'echo $$ >"$1/cgroup.procs" && exec "$2" doctor --json' sh "$1" "$RL_BIN"
}

out=$(run_in "$child") || true
is "limit in child" "$(echo "$out" | jq -r .facts.memory_limit_bytes)" 209715200
ok "evidence names the child's limit file" grep -q "rl-doctor-test-$$/$limit_file" <<<"$(echo "$out" | jq -r .evidence.memory_limit_bytes)"
is "memory_limit check ok" "$(echo "$out" | jq -r '.checks[] | select(.id=="memory_limit") | .status')" ok

out=$(run_in "$child/inner") || true
is "nested child inherits parent's limit" "$(echo "$out" | jq -r .facts.memory_limit_bytes)" 209715200
is "cgroup path is the inner one" "$(echo "$out" | jq -r .facts.cgroup_memory_path)" "${rel%/}/rl-doctor-test-$$/inner"

# A tighter limit below the parent wins.
echo 104857600 >"$child/inner/$limit_file"
out=$(run_in "$child/inner") || true
is "tighter inner limit wins" "$(echo "$out" | jq -r .facts.memory_limit_bytes)" 104857600

done_testing
