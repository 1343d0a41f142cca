#!/usr/bin/env bash
# Every file doctor reads, damaged every way we can think of, generated from good fixture
# sysroots (tests/fixtures/sysroots) into $RL_TMP: garbage text, empty, a negative number,
# a number past 64 bits, text in place of one line's number, random bytes, a FIFO (once a
# directory), and the good content without its trailing newline. doctor must never crash
# or hang (exit 0 or 1 within 5 s: never 2, 124 or a signal), always print its JSON, report
# the fact the file feeds as null and name the file in a warning. Plus: --version scripts
# that hang or lie, and mountinfo lines of 10,000+ characters.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT
command -v jq >/dev/null || skip "jq is not installed"
fx="$RL_FIXTURES/sysroots"
VALGRIND=
if command -v valgrind >/dev/null && [ -z "${RL_NO_VALGRIND:-}" ]; then
  VALGRIND="valgrind -q --error-exitcode=99 --trace-children=no"
else
  echo "# valgrind not installed (or RL_NO_VALGRIND set): line-level damage is not checked for memory errors"
fi
BIG=99999999999999999999999

# mode | base scenario | file | facts it feeds (the first is the target of line-level damage)
#      | sed expression for a negative value inside the file ("" = the whole file is -42)
#      | content written without a trailing newline ("" = the good file minus its last newline)
#      | the first fact's value then (JSON; "" = same as in the undamaged root)
# modes: num  - damage makes the facts null and names the file in a warning
#        str  - any text is a valid value; only empty/unreadable nulls the fact
#        mark - a marker whose existence alone counts: the fact must not change
#        none - feeds no fact directly: only survive
rows=(
  "num|v2-root-nolimit|/proc/sys/vm/max_map_count|max_map_count|||"
  "num|v2-root-nolimit|/proc/sys/vm/overcommit_memory|overcommit_memory||2|2"
  "num|v2-root-nolimit|/proc/sys/net/core/somaxconn|somaxconn||128|128"
  "num|v2-root-nolimit|/sys/kernel/mm/transparent_hugepage/enabled|thp_enabled||[always] madvise never|\"always\""
  "num|v2-root-nolimit|/proc/self/smaps|page_size|s/^KernelPageSize:.*/KernelPageSize:      -42 kB/||"
  "num|v2-root-nolimit|/proc/meminfo|mem_total_bytes,mem_available_bytes,swap_total_bytes|s/^MemTotal:.*/MemTotal:       -42 kB/||"
  "num|v2-root-nolimit|/proc/self/limits|rlimit_nofile,rlimit_as,rlimit_nproc|s/^Max open files .*/Max open files            -42                  4096                 files     /||"
  "num|v2-root-nolimit|/sys/devices/system/cpu/online|cpus_online||0-7|8"
  "num|v2-root-nolimit|/proc/net/tcp|port_6379_in_use|||"
  "num|port-not-listening|/proc/net/tcp6|port_6379_in_use|||"
  "num|v2-limit|/proc/self/mountinfo|cgroup_version,memory_limit_bytes,cpu_quota_cores,pids_max|||"
  "num|v2-limit|/proc/self/cgroup|memory_limit_bytes,cpu_quota_cores,pids_max|||"
  "num|v2-limit|/sys/fs/cgroup/system.slice/app.service/memory.max|memory_limit_bytes||104857600|104857600"
  "num|v2-limit|/sys/fs/cgroup/system.slice/memory.max|memory_limit_bytes||104857600|104857600"
  "num|v2-memory-high|/sys/fs/cgroup/app/memory.high|memory_high_bytes||52428800|52428800"
  "num|v2-limit|/sys/fs/cgroup/system.slice/app.service/memory.swap.max|swap_limit_bytes||1048576|1048576"
  "num|v2-limit|/sys/fs/cgroup/system.slice/app.service/memory.current|memory_usage_bytes||4096|4096"
  "num|v2-limit|/sys/fs/cgroup/system.slice/app.service/cpu.max|cpu_quota_cores|s/.*/-42 100000/|200000 100000|2"
  "num|v2-limit|/sys/fs/cgroup/system.slice/app.service/pids.max|pids_max||128|128"
  "num|v1-limit|/sys/fs/cgroup/memory/user.slice/app/memory.limit_in_bytes|memory_limit_bytes||104857600|104857600"
  "num|v1-limit|/sys/fs/cgroup/memory/user.slice/app/memory.memsw.limit_in_bytes|swap_limit_bytes||641728512|104857600"
  "num|v1-limit|/sys/fs/cgroup/memory/user.slice/app/memory.usage_in_bytes|memory_usage_bytes||4096|4096"
  "num|v1-limit|/sys/fs/cgroup/cpu,cpuacct/user.slice/app/cpu.cfs_quota_us|cpu_quota_cores||50000|0.5"
  "num|v1-limit|/sys/fs/cgroup/cpu,cpuacct/user.slice/app/cpu.cfs_period_us|cpu_quota_cores||400000|0.5"
  "num|v1-limit|/sys/fs/cgroup/pids/user.slice/app/pids.max|pids_max||77|77"
  "num|v1-use-hierarchy|/sys/fs/cgroup/memory/user.slice/app/memory.use_hierarchy|memory_limit_bytes||1|314572800"
  "num|v1-use-hierarchy|/sys/fs/cgroup/memory/user.slice/app/memory.stat|memory_limit_bytes|s/^hierarchical_memory_limit .*/hierarchical_memory_limit -42/||"
  "num|container-run-systemd|/run/systemd/container|container||docker|\"docker\""
  "str|v2-root-nolimit|/proc/sys/kernel/osrelease|kernel_release||5.15.0-1051-azure|\"5.15.0-1051-azure\""
  "str|v2-root-nolimit|/proc/sys/kernel/arch|arch||riscv64|\"riscv64\""
  "mark|container-podman|/run/.containerenv|container|||"
  "mark|container-docker|/.dockerenv|container|||"
  "none|container-kubernetes|/proc/self/environ|container|||"
  "none|container-gvisor|/proc/version|container|||"
)

mkroot() { # mkroot SCENARIO DIR: _base + scenario, minus its "remove" list
  rm -rf "$2"; mkdir -p "$2"; cp -a "$fx/_base/." "$fx/$1/." "$2/"; rm -f "$2/expected.json"
  local p
  while IFS= read -r p; do [ -n "$p" ] && rm -rf "${2:?}$p"; done < <(jq -r '.remove // [] | .[]' "$fx/$1/expected.json")
}
declare -A F=()
run() { # run ROOT [NAME]: sets out, rc (a hang shows as 124), shape (1 when the JSON has
        # facts and warnings), warned (1 when a warning contains NAME) and F[fact]=JSON value
  out=$(timeout 5 "$RL_BIN" --sysroot "$1" doctor --json 2>"$RL_TMP/stderr"); rc=$?
  F=() shape=0 warned=0
  local l lines
  mapfile -t lines < <(jq -r --arg f "${2:-}" '
    if (.facts | type == "object") and (.warnings | type == "array") then
      "shape 1",
      "warned \(if $f != "" and (.warnings | map(contains($f)) | any) then 1 else 0 end)",
      (.facts | to_entries[] | "fact \(.key) \(.value | tojson)")
    else "shape 0" end' <<<"$out" 2>/dev/null)
  for l in "${lines[@]}"; do
    case $l in
      shape\ *) shape=${l#shape } ;;
      warned\ *) warned=${l#warned } ;;
      fact\ *) l=${l#fact }; F[${l%% *}]=${l#* } ;;
    esac
  done
}
survived() { # survived WHAT: exit 0/1 (not usage 2, runtime 3, timeout 124 or a signal) and the JSON shape
  ok "$1: exit 0 or 1, no crash or hang (rc $rc)" test "$rc" -le 1
  ok "$1: prints the doctor JSON" test "$shape" = 1
}
fact() { printf '%s' "${F[$1]-(no such fact)}"; }
names() { # names WHAT NAME: a warning contains NAME (the one given to run)
  ok "$1: a warning names $2" test "$warned" = 1
}

damage() { # damage KIND FILE_IN_ROOT NEGSED
  local f=$2
  case $1 in
    garbage) printf 'hello world\n' >"$f" ;;
    empty) : >"$f" ;;
    negative) if [ -n "$3" ]; then sed -i "$3" "$f"; else printf -- '-42\n' >"$f"; fi ;;
    overflow) if [ -n "$3" ]; then sed -i "${3//-42/$BIG}" "$f"; else printf '%s\n' "$BIG" >"$f"; fi ;;
    badvalue) sed -i "${3//-42/hello}" "$f" ;; # text where the line's number goes
    fifo) rm -rf "$f"; mkfifo "$f" ;;
    directory) rm -rf "$f"; mkdir "$f" ;;
    binary) head -c 4096 /dev/urandom >"$f" ;;
  esac
}

pristine="$RL_TMP/pristine" root="$RL_TMP/root"
for row in "${rows[@]}"; do
  IFS='|' read -r mode scen file facts negsed nonl want <<<"$row"
  IFS=',' read -r -a fl <<<"$facts"
  mkroot "$scen" "$pristine"
  [ -e "$pristine$file" ] || { ok "$scen has $file to damage" false; continue; }
  run "$pristine" "$file"
  survived "$scen undamaged"
  declare -A good=()
  for k in "${fl[@]}"; do good[$k]=$(fact "$k"); done
  if [ "$mode" != none ]; then
    ok "$scen undamaged: ${fl[0]} is known (${good[${fl[0]}]}), so nulling it means something" test "${good[${fl[0]}]}" != null
  fi

  # a directory fails the same regular-file test as a FIFO: try it once (overcommit, below);
  # random bytes only where there are lines to misparse
  kinds=(garbage empty negative overflow fifo)
  [ -n "$negsed" ] && kinds+=(badvalue)
  [ "$(wc -l <"$pristine$file")" -gt 1 ] && kinds+=(binary)
  for kind in "${kinds[@]}"; do
    rm -rf "$root"; cp -a "$pristine" "$root"
    damage "$kind" "$root$file" "$negsed"
    run "$root" "$file"
    what="$file $kind"
    survived "$what"
    [ "$kind" = binary ] && continue # random bytes: surviving is all we ask
    case $mode in
      num)
        # line-level damage hits the first fact only; whole-file damage all of them
        targets=("${fl[@]}")
        if [ -n "$negsed" ] && { [ "$kind" = negative ] || [ "$kind" = overflow ] || [ "$kind" = badvalue ]; }; then
          targets=("${fl[0]}")
          # a bad number inside a line is where parsers read past what they checked:
          # let valgrind look (it sees uninitialised reads that ASan does not)
          if [ -n "$VALGRIND" ] && [ "$kind" != overflow ]; then
            $VALGRIND "$RL_BIN" --sysroot "$root" doctor --json >/dev/null 2>"$RL_TMP/vg"; vrc=$?
            ok "$what: valgrind finds no memory error (rc $vrc)" test "$vrc" -ne 99
            [ "$vrc" -eq 99 ] && sed 's/^/  /' "$RL_TMP/vg" >&2
          fi
        fi
        for k in "${targets[@]}"; do is "$what: $k is null" "$(fact "$k")" null; done
        names "$what" "$file" ;;
      str)
        case $kind in
          empty | fifo | directory) is "$what: ${fl[0]} is null" "$(fact "${fl[0]}")" null; names "$what" "$file" ;;
        esac ;;
      mark)
        is "$what: ${fl[0]} unchanged (the marker's existence is the evidence)" "$(fact "${fl[0]}")" "${good[${fl[0]}]}" ;;
    esac
  done

  # the same content without its trailing newline must read exactly as with it
  rm -rf "$root"; cp -a "$pristine" "$root"
  if [ -n "$nonl" ]; then
    printf '%s' "$nonl" >"$root$file"
  else # drop the last byte when it ends the last line: \n, or NUL in environ
    case $(tail -c 1 "$root$file" | od -An -tx1 | tr -d ' ') in 0a | 00) truncate -s -1 "$root$file" ;; esac
  fi
  run "$root" "$file"
  survived "$file without a trailing newline"
  is "$file without a trailing newline: ${fl[0]}" "$(fact "${fl[0]}")" "${want:-${good[${fl[0]}]}}"
  ok "$file without a trailing newline: no warning names it" test "$warned" = 0
  unset good
done

# --- a directory where a file should be; an unreadable overcommit setting is itself a finding
mkroot v2-root-nolimit "$root"
rm "$root/proc/sys/vm/overcommit_memory"; mkdir "$root/proc/sys/vm/overcommit_memory"
run "$root" /proc/sys/vm/overcommit_memory
survived "a directory as overcommit_memory"
is "a directory as overcommit_memory: overcommit_memory is null" "$(fact overcommit_memory)" null
names "a directory as overcommit_memory" /proc/sys/vm/overcommit_memory
is "a directory as overcommit_memory: the overcommit check warns (jemalloc then acts as if overcommit were off)" \
  "$(jq -r '.checks[] | select(.id == "overcommit") | .status' <<<"$out")" warn

# --- mountinfo lines of 10,000+ characters -----------------------------------------------
# the cgroup2 line itself is that long (a thousand optional fields): it must still parse
mkroot v2-limit "$root"
{ printf '22 1 254:1 / / rw,relatime - ext4 /dev/vda1 rw\n'
  printf '25 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime'
  for i in $(seq 1 1000); do printf ' shared:%d' "$i"; done
  printf ' - cgroup2 cgroup2 rw,nsdelegate\n'; } >"$root/proc/self/mountinfo"
ok "the long cgroup2 line really is over 10,000 characters" test "$(awk 'NR == 2 {print length($0)}' "$root/proc/self/mountinfo")" -gt 10000
run "$root" mountinfo
survived "10,000-character cgroup2 mountinfo line"
is "10,000-character cgroup2 mountinfo line: memory_limit_bytes" "$(fact memory_limit_bytes)" 268435456
ok "10,000-character cgroup2 mountinfo line: no mountinfo warning" test "$warned" = 0
# one 100,000-character line of junk and nothing else
mkroot v2-limit "$root"
head -c 75000 /dev/urandom | base64 -w0 >"$root/proc/self/mountinfo"
run "$root" /proc/self/mountinfo
survived "100,000-character junk mountinfo line"
names "100,000-character junk mountinfo line" /proc/self/mountinfo

# --- redis-server --version that misbehaves ----------------------------------------------
binroot() { # binroot SCRIPT_BODY: a root whose only redis-server runs SCRIPT_BODY
  mkroot v2-root-nolimit "$root"; mkdir -p "$root/usr/bin"
  printf '#!/bin/sh\n%s\n' "$1" >"$root/usr/bin/redis-server"; chmod 755 "$root/usr/bin/redis-server"
}
bin() { jq -c --arg k "$1" '[.facts.redis_binaries[] | select(.path == "/usr/bin/redis-server") | .[$k]] | first' <<<"$out" 2>/dev/null; }
binroot 'echo "hello world"'
run "$root" /usr/bin/redis-server; survived "redis-server printing garbage"
is "redis-server printing garbage: version null" "$(bin version)" null
is "redis-server printing garbage: allocator null" "$(bin allocator)" null
names "redis-server printing garbage" /usr/bin/redis-server
binroot 'exit 1'
run "$root" /usr/bin/redis-server; survived "redis-server printing nothing"
is "redis-server printing nothing: version null" "$(bin version)" null
names "redis-server printing nothing" /usr/bin/redis-server
binroot 'printf "Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=c4aae9e35bfb2ea5"'
run "$root"; survived "redis-server version line without a newline"
is "redis-server version line without a newline: version" "$(bin version)" '"7.0.15"'
is "redis-server version line without a newline: allocator" "$(bin allocator)" '"jemalloc-5.3.0"'
binroot 'head -c 300000 /dev/zero | tr "\0" x; echo " v=9.9.9"'
run "$root"; survived "redis-server printing 300 KB"
binroot 'sleep 8; echo "Redis server v=7.0.15 malloc=libc"'
start=$(date +%s)
run "$root" /usr/bin/redis-server; survived "redis-server --version that hangs"
ok "redis-server --version that hangs: doctor gave up on it within 5 s" test $(($(date +%s) - start)) -le 5
is "redis-server --version that hangs: version null" "$(bin version)" null
names "redis-server --version that hangs" /usr/bin/redis-server

done_testing
