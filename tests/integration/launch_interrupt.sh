#!/usr/bin/env bash
# One interrupt flag for every long step: SIGINT while `bench --eviction --launch` is
# compiling its server stops the build promptly (the issue asks for 3 s), caches nothing,
# leaves no compiler behind, and says so.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v setsid >/dev/null || skip "setsid is not installed"
rl_redis_server replit >/dev/null || { echo "cannot build Redis (needed for its source)"; exit 1; }
tarball=$(ls "$RL_TEST_CACHE"/redis-light/src/*.orig.tar.gz 2>/dev/null | head -n 1)
[ -n "$tarball" ] || skip "no Redis source tarball in $RL_TEST_CACHE/redis-light/src to build from"

# A cache with the source but no build: --launch must compile.
export XDG_CACHE_HOME="$RL_TMP/cache" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SOURCE
mkdir -p "$XDG_CACHE_HOME/redis-light/src"
cp "$tarball" "$XDG_CACHE_HOME/redis-light/src/"
builds="$XDG_CACHE_HOME/redis-light/builds"

setsid "$RL_BIN" bench --eviction --launch libc --duration 1 --warmup 0 >"$RL_TMP/out" 2>"$RL_TMP/err" &
pid=$!
on_exit "kill -9 -$pid 2>/dev/null"
# wait (bounded) until the compiler runs inside a build tree of this cache
compiling=0
for _ in $(seq 1 600); do
  if ls -d "$builds"/.tmp-* >/dev/null 2>&1 && pgrep -f "$XDG_CACHE_HOME" >/dev/null 2>&1 &&
     [ -n "$(pgrep -P "$pid" 2>/dev/null)" ]; then
    compiling=1; break
  fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.1
done
is "the build of the --launch server started" "$compiling" 1
sleep 1 # well into make
t0=$(date +%s%N)
kill -INT "$pid"
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
t1=$(date +%s%N)
wait "$pid"; rc=$?
ms=$(( (t1 - t0) / 1000000 ))
echo "# bench stopped ${ms} ms after SIGINT"
ok "bench stopped within 3 s of SIGINT (took ${ms} ms)" test "$ms" -le 3000
ok "and failed (exit $rc)" test "$rc" -ne 0
ok "saying it was interrupted" grep -qi "interrupted" "$RL_TMP/err"
ok "nothing was cached" test -z "$(ls -A "$builds" 2>/dev/null | grep -v '^\.lock' | grep -v '^\.tmp-' || true)"
ok "no unfinished build tree is left" test -z "$(ls -d "$builds"/.tmp-* 2>/dev/null || true)"
sleep 0.5
ok "no compiler or make of this build is left running" test -z "$(pgrep -f "$XDG_CACHE_HOME" || true)"
done_testing
