# Real memory cgroups for tests (root, cgroup v1 memory or v2 with memory delegated).
# Source it after common.sh.
#   rl_cgroup_base        sets base, limit_file and events for this process's memory
#                         cgroup, or skips the test (exit 77) saying why
#   rl_cgroup_child N L   creates $base/N with memory limit L (and memsw L where there is
#                         one), removed at exit after killing what is left in it; sets child
#   rl_in_cgroup DIR CMD… runs CMD inside the cgroup DIR
rl_cgroup_base() {
  [ "$(id -u)" -eq 0 ] || skip "not root: cannot create cgroups"
  base=""
  if [ -d /sys/fs/cgroup/memory ] && [ -w /sys/fs/cgroup/memory ]; then
    local rel; rel=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ {print $3}' /proc/self/cgroup)
    base="/sys/fs/cgroup/memory${rel%/}"; limit_file=memory.limit_in_bytes; events=memory.oom_control
  elif grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
    local rel; rel=$(awk -F: '$1 == "0" {print $3}' /proc/self/cgroup)
    base="/sys/fs/cgroup${rel%/}"; limit_file=memory.max; events=memory.events
  fi
  [ -n "$base" ] && [ -w "$base" ] || skip "no writable memory cgroup found"
}

_rl_cgroup_remove() {
  local p
  for p in $(cat "$1/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
  for _ in $(seq 1 50); do [ -z "$(cat "$1/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
  rmdir "$1" 2>/dev/null
  return 0
}

rl_cgroup_child() {
  child="$base/$1"
  mkdir "$child" 2>/dev/null || skip "cannot create $child (cgroup not delegated)"
  on_exit "_rl_cgroup_remove '$child'"
  echo "$2" >"$child/$limit_file"
  if [ "$limit_file" = memory.limit_in_bytes ] && [ -w "$child/memory.memsw.limit_in_bytes" ]; then
    echo "$2" >"$child/memory.memsw.limit_in_bytes" 2>/dev/null # no swap escape hatch
  fi
  return 0
}

rl_in_cgroup() { sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$@"; }
