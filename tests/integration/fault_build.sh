#!/usr/bin/env bash
# Faults while building real Redis from its real source tarball, each in a scratch cache
# (the shared test cache is only read): a disk that fills up (a small tmpfs as the cache,
# when root) gives exit 3, a clear message and no cached half-build; a truncated or altered
# cached binary is detected, never launched, and rebuilt; SIGTERM to `up` while it builds
# stops make and releases the build lock, so the next build starts at once.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v flock >/dev/null || skip "flock (util-linux) is needed to probe the build lock"
command -v cc >/dev/null && command -v make >/dev/null || skip "no C compiler or make to build Redis"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
tarball=$(find "$RL_TEST_CACHE/redis-light/src" -maxdepth 1 -name '*.tar.*' ! -name '*.debian.tar*' 2>/dev/null | sort | head -n 1)
[ -n "$tarball" ] || skip "no Redis source tarball in $RL_TEST_CACHE/redis-light/src to build from"
unset REDIS_LIGHT_SOURCE
export XDG_STATE_HOME="$RL_TMP/state"

# procs_in DIR: how many processes work inside DIR (make and compilers run in the tree).
procs_in() {
  local p n=0
  for p in /proc/[0-9]*; do
    case "$(readlink "$p/cwd" 2>/dev/null)" in "$1"*) n=$((n + 1)) ;; esac
  done
  echo "$n"
}
# Stops whatever still runs in the scratch caches, whatever happened to the test.
on_exit 'for p in /proc/[0-9]*; do case "$(readlink "$p/cwd" 2>/dev/null)" in "$RL_TMP"/c*) kill -9 "${p#/proc/}" 2>/dev/null ;; esac; done'
# Any instance a failed check let start is stopped too.
on_exit 'for r in "$XDG_STATE_HOME"/redis-light/*/instance.yaml; do p=$(sed -n "s/^pid: //p" "$r" 2>/dev/null); [ -n "$p" ] && [ "$p" != 0 ] && kill -9 "$p" 2>/dev/null; done'
entries() { find "$1/redis-light/builds" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | wc -l; }
temps() { find "$1/redis-light/builds" -mindepth 1 -maxdepth 1 -name '.tmp-*' 2>/dev/null | wc -l; }
# wait_for SECONDS CMD...: polls CMD every 0.1 s; false when time runs out.
wait_for() {
  local n=$(($1 * 10)); shift
  while [ "$n" -gt 0 ]; do "$@" && return 0; sleep 0.1; n=$((n - 1)); done
  return 1
}

# --- disk full while building ---------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "# not root: cannot mount a small tmpfs, disk-full checks skipped"
else
  full="$RL_TMP/cfull"
  mkdir "$full"
  if ! mount -t tmpfs -o size=20m,mode=0755 rl-test-full "$full"; then
    echo "# cannot mount a tmpfs here: disk-full checks skipped"
  else
    on_exit "umount '$full' 2>/dev/null || umount -l '$full' 2>/dev/null"
    t0=$(date +%s)
    XDG_CACHE_HOME="$full" "$RL_BIN" build --profile replit --source "$tarball" >"$RL_TMP/full.out" 2>"$RL_TMP/full.err"; rc=$?
    is "20 MiB cache: build exits 3" "$rc" 3
    ok "the compiler's words are shown" grep -q "No space left on device" "$RL_TMP/full.err"
    ok "the fix is named" grep -q "^Likely fix: the disk holding the build cache is full: free space, or point XDG_CACHE_HOME at a larger disk" "$RL_TMP/full.err"
    log=$(sed -n 's/^Full log: //p' "$RL_TMP/full.err")
    ok "the full log is kept ($log)" test -s "$log"
    is "no cache entry" "$(entries "$full")" 0
    is "no temporary build tree left" "$(temps "$full")" 0
    is "nothing printed as a binary path" "$(cat "$RL_TMP/full.out")" ""
    ok "the space was given back ($(df -k --output=avail "$full" | tail -n 1) KiB free)" \
      test "$(df -k --output=avail "$full" | tail -n 1)" -gt 15000
    lock=$(find "$full/redis-light/builds" -maxdepth 1 -name '.lock-*' | head -n 1)
    ok "the build lock is free" flock -n "$lock" true
    is "no make or compiler left behind" "$(procs_in "$full")" 0
    echo "# disk-full build failed after $(( $(date +%s) - t0 )) s"
    XDG_CACHE_HOME="$full" "$RL_BIN" up --dry-run --profile replit --port 7001 --source "$tarball" >"$RL_TMP/full-plan.out" 2>&1
    ok "up would build again, not use a half-build" grep -q "^#   would build $tarball" "$RL_TMP/full-plan.out"

    # Too small even to unpack the tarball: tar fails, and the message says the disk is
    # full rather than blaming the tarball.
    umount "$full" && mount -t tmpfs -o size=4m,mode=0755 rl-test-full "$full"
    XDG_CACHE_HOME="$full" "$RL_BIN" build --profile replit --source "$tarball" >/dev/null 2>"$RL_TMP/tar.err"; rc=$?
    is "4 MiB cache: build exits 3" "$rc" 3
    ok "says the disk is full while unpacking" grep -q "tar -xf $tarball exited with code 2: the disk holding .* is full" "$RL_TMP/tar.err"
    ok "and what to do" grep -q "point XDG_CACHE_HOME at a larger disk" "$RL_TMP/tar.err"
    ok "does not blame the tarball" sh -c "! grep -q 'complete tarball' '$RL_TMP/tar.err'"
    is "no cache entry (tar)" "$(entries "$full")" 0
    is "no temporary tree (tar)" "$(temps "$full")" 0
  fi
fi

# --- a truncated cached binary ----------------------------------------------------------------
c2="$RL_TMP/c2"
mkdir -p "$c2/redis-light/builds"
entry=$(dirname "$(dirname "$server")")
cp -a "$entry" "$c2/redis-light/builds/"
e2="$c2/redis-light/builds/$(basename "$entry")"
bin="$e2/bin/redis-server"
size=$(stat -c %s "$bin")
truncate -s $((size / 2)) "$bin"
# No source at hand (PATH without apt-get or git, no tarball in this cache): refused.
port=$(rl_free_port)
XDG_CACHE_HOME="$c2" PATH=/nonexistent "$RL_BIN" up --detach --profile replit --port "$port" --name tr \
  >/dev/null 2>"$RL_TMP/tr.err"; rc=$?
is "up over a truncated cached binary, no source: exit 3" "$rc" 3
ok "says the cached build is damaged" grep -q "the cached build $e2 is damaged: bin/redis-server" "$RL_TMP/tr.err"
ok "says it is not used and how to remove it" grep -q "it is not used, and the next build of it replaces it (or remove it: rm -r $e2)" "$RL_TMP/tr.err"
ok "then lists where a source could come from" grep -q "REDIS_LIGHT_SOURCE" "$RL_TMP/tr.err"
# (An entry built before records held size and digest is measured against its own ELF
# headers; a newer one against its record.)
ok "says how it knows" grep -qE "bin/redis-server is $((size / 2)) bytes, (but its ELF headers describe|its build record says) $size" "$RL_TMP/tr.err"
is "the warning comes once" "$(grep -c 'is damaged' "$RL_TMP/tr.err")" 1
is "the truncated binary was never launched" "$(pgrep -fc "^$bin")" 0
ok "no instance record" test ! -e "$XDG_STATE_HOME/redis-light/tr/instance.yaml"

# With the source: detected and rebuilt in place.
t0=$(date +%s)
out=$(XDG_CACHE_HOME="$c2" "$RL_BIN" build --profile replit --source "$tarball" 2>"$RL_TMP/rebuild.err"); rc=$?
is "build with the source: exit 0" "$rc" 0
[ "$rc" = 0 ] || tail -n 20 "$RL_TMP/rebuild.err" >&2
ok "warned about the damaged entry" grep -q "the cached build $e2 is damaged" "$RL_TMP/rebuild.err"
ok "and built it again" grep -q "^built redis-server" "$RL_TMP/rebuild.err"
is "the same entry, replaced" "$(echo "$out" | tail -n 1)" "$bin"
is "one entry" "$(entries "$c2")" 1
ok "the new binary is whole and runs" sh -c "'$bin' --version | grep -q 'malloc=libc'"
rec="$e2/build.yaml"
is "the record notes its size" "$(sed -n 's/^server_size: //p' "$rec")" "$(stat -c %s "$bin")"
is "the record notes its SHA-256" "$(sed -n 's/^server_sha256: "\(.*\)"/\1/p' "$rec")" "$(sha256sum "$bin" | cut -c1-64)"
echo "# rebuilt in $(( $(date +%s) - t0 )) s"

# New records: a cut-short binary is caught by its size, one altered in place by its digest.
cp -a "$bin" "$RL_TMP/good-server"
newsize=$(stat -c %s "$bin")
truncate -s 65536 "$bin"
XDG_CACHE_HOME="$c2" PATH=/nonexistent "$RL_BIN" build --profile replit >/dev/null 2>"$RL_TMP/size.err"; rc=$?
is "truncated again, no source: exit 3" "$rc" 3
ok "caught by its size" grep -q "bin/redis-server is 65536 bytes, its build record says $newsize (truncated or replaced)" "$RL_TMP/size.err"
cp -a "$RL_TMP/good-server" "$bin"
printf 'XXXX' | dd of="$bin" bs=1 seek=8192 conv=notrunc status=none
XDG_CACHE_HOME="$c2" PATH=/nonexistent "$RL_BIN" build --profile replit >/dev/null 2>"$RL_TMP/sha.err"; rc=$?
is "same size, altered bytes: exit 3" "$rc" 3
ok "caught by its SHA-256" grep -q "bin/redis-server has SHA-256 .*, its build record .* (changed after the build)" "$RL_TMP/sha.err"
cp -a "$RL_TMP/good-server" "$bin"
out=$(XDG_CACHE_HOME="$c2" PATH=/nonexistent "$RL_BIN" build --profile replit 2>"$RL_TMP/intact.err"); rc=$?
is "restored: the cached build is used again" "$rc" 0
is "restored: its path" "$(echo "$out" | tail -n 1)" "$bin"
ok "restored: no damage reported" sh -c "! grep -q 'is damaged' '$RL_TMP/intact.err'"

# --- SIGTERM to up while it builds -------------------------------------------------------------
c3="$RL_TMP/c3"
port=$(rl_free_port)
XDG_CACHE_HOME="$c3" "$RL_BIN" up --detach --profile replit --source "$tarball" --port "$port" --name sig \
  >"$RL_TMP/sig.out" 2>"$RL_TMP/sig.err" &
up_pid=$!
on_exit "kill -9 $up_pid 2>/dev/null"
compiling() { grep -q "^building Redis" "$RL_TMP/sig.err" && [ "$(procs_in "$c3/redis-light/builds/.tmp-")" -gt 0 ]; }
ok "up started compiling" wait_for 60 compiling
t0=$(date +%s%N)
kill -TERM "$up_pid"
wait "$up_pid"; rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
is "SIGTERM during the build: up exits 3" "$rc" 3
ok "it stopped promptly (${ms} ms)" test "$ms" -lt 15000
ok "says the build was interrupted and nothing cached" grep -q "the build was interrupted; nothing was cached" "$RL_TMP/sig.err"
ok "make and the compilers are gone" wait_for 10 test "$(procs_in "$c3")" -eq 0
lock=$(find "$c3/redis-light/builds" -maxdepth 1 -name '.lock-*' | head -n 1)
ok "the lock file exists ($lock)" test -n "$lock"
ok "the build lock is free" flock -n "$lock" true
is "no entry after the interrupted build" "$(entries "$c3")" 0
is "no temporary tree after it" "$(temps "$c3")" 0
ok "no Redis was started" test ! -e "$XDG_STATE_HOME/redis-light/sig/instance.yaml"
# The next build takes the lock at once and compiles (stopped again once that is seen).
XDG_CACHE_HOME="$c3" "$RL_BIN" build --profile replit --source "$tarball" >/dev/null 2>"$RL_TMP/next.err" &
next_pid=$!
on_exit "kill -9 $next_pid 2>/dev/null"
started() { grep -q "^building Redis" "$RL_TMP/next.err"; }
ok "the next build starts compiling within 20 s" wait_for 20 started
ok "without waiting for a lock" sh -c "! grep -q 'waiting for another redis-light' '$RL_TMP/next.err'"
kill -TERM "$next_pid"
wait "$next_pid"
is "the next build, interrupted too, exits 3" "$?" 3
ok "its make is gone too" wait_for 10 test "$(procs_in "$c3")" -eq 0

done_testing
