#!/usr/bin/env bash
# bench --eviction against a server that hangs mid-run (SIGSTOP): it gives up within its
# timeouts, exits 3 and says it could not undo its changes, naming the server, what the
# server may still have and the exact redis-cli commands that undo it. Once the server
# runs again (SIGCONT) it does have what the message says, and the printed commands give
# it back its own settings and delete bench's keys only. A run stopped early whose changes
# were undone says so (issue 13 item 4).
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
port=$(rl_free_port)
rl_start_server "$server" "$port" --maxmemory 16mb --maxmemory-policy noeviction || exit 1
spid=$RL_SERVER_PID
on_exit "kill -CONT $spid 2>/dev/null" # before the kill -9 rl_start_server registered
r() { "$cli" -p "$port" "$@"; }
bench_keys() { r --scan --pattern 'rl:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' | wc -l; }
# Keys bench must never delete, also not through the printed commands: volatile-lru
# evicts only keys with a TTL, and these have none.
r set user:keep precious >/dev/null
r set rl:user "under the prefix, not bench's name" >/dev/null
r set rl:00000000001 "11 digits: not bench's name" >/dev/null

# wait_for WHAT CMD...: polls CMD every 50 ms for at most 20 s (a bound on a hang, not a
# speed): returns 1 if it never held.
wait_for() {
  local what=$1; shift
  for _ in $(seq 1 400); do "$@" && return 0; sleep 0.05; done
  echo "never happened: $what" >&2
  return 1
}
many_keys() { [ "$(r dbsize)" -gt 1000 ]; }

# --- the server hangs mid-run ------------------------------------------------------------
timeout 120 "$RL_BIN" bench --eviction --allow-eviction -p "$port" --maxmemory 12mb --policies volatile-lru \
  --duration 30 --warmup 0 --timeout 1 >"$RL_TMP/out" 2>"$RL_TMP/err" &
bp=$!
wait_for "bench writing keys" many_keys
kill -STOP "$spid"
wait "$bp"; rc=$?
is "stopped server: exit 3 (not killed by the 120 s bound)" "$rc" 3
err=$(cat "$RL_TMP/err")
ok "says it could not undo, naming the server" grep -qF "could not undo bench's changes on 127.0.0.1:$port" "$RL_TMP/err"
ok "says what the server may still have" grep -qF \
  "it may still have maxmemory 12582912 (its own: 16777216), maxmemory-policy volatile-lru (its own: noeviction) and keys bench wrote (rl: followed by 12 digits)" \
  "$RL_TMP/err"
grep '^  redis-cli ' "$RL_TMP/err" | sed 's/^  //' >"$RL_TMP/undo.sh"
is "three commands to run by hand" "$(wc -l <"$RL_TMP/undo.sh")" 3
ok "deleting only prefix + 12 digits" grep -qF \
  "redis-cli -h 127.0.0.1 -p $port --scan --pattern 'rl:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' | xargs -r -d '\\n' redis-cli -h 127.0.0.1 -p $port UNLINK" \
  "$RL_TMP/undo.sh"
ok "maxmemory back" grep -qxF "redis-cli -h 127.0.0.1 -p $port CONFIG SET maxmemory 16777216" "$RL_TMP/undo.sh"
ok "the policy back" grep -qxF "redis-cli -h 127.0.0.1 -p $port CONFIG SET maxmemory-policy noeviction" "$RL_TMP/undo.sh"
[ "$fails" = 0 ] || echo "$err" >&2

# The server runs again and works through what was queued on bench's dead connections.
kill -CONT "$spid"
only_us() { [ "$(r client list | grep -c .)" = 1 ]; }
wait_for "bench's connections gone from the server" only_us
is "the server has the maxmemory the message named" "$(r config get maxmemory | tail -1)" 12582912
is "and the policy it named" "$(r config get maxmemory-policy | tail -1)" volatile-lru
ok "and bench's keys" test "$(bench_keys)" -gt 0

PATH="$(dirname "$cli"):$PATH" bash "$RL_TMP/undo.sh" >"$RL_TMP/undo.out" 2>&1
is "the printed commands ran" "$?" 0
is "after them: maxmemory is the server's own" "$(r config get maxmemory | tail -1)" 16777216
is "after them: the policy is the server's own" "$(r config get maxmemory-policy | tail -1)" noeviction
is "after them: no bench keys" "$(bench_keys)" 0
is "after them: the user's key" "$(r get user:keep)" precious
is "after them: a key under the prefix bench did not write" "$(r get rl:user)" "under the prefix, not bench's name"
is "after them: 11 digits is not bench's" "$(r get rl:00000000001)" "11 digits: not bench's name"

# --- stopped early, undone: says so --------------------------------------------------------
"$RL_BIN" bench --eviction --allow-eviction -p "$port" --maxmemory 12mb --policies volatile-lru \
  --duration 30 --warmup 0 >/dev/null 2>"$RL_TMP/int.err" &
bp=$!
wait_for "bench writing keys" many_keys
kill -INT "$bp"
wait "$bp"; rc=$?
is "interrupted: exit 3" "$rc" 3
ok "interrupted: says the server is back to its own settings" grep -qF \
  "127.0.0.1:$port is back to maxmemory 16777216 and maxmemory-policy noeviction, with bench's keys deleted" \
  "$RL_TMP/int.err"
is "interrupted: maxmemory restored" "$(r config get maxmemory | tail -1)" 16777216
is "interrupted: no bench keys" "$(bench_keys)" 0
done_testing
