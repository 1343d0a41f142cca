#!/usr/bin/env bash
# bench --eviction on a server that refuses its writes: a real read-only replica is
# refused up front (exit 3, "point bench at the master"), with nothing changed on it; a
# run whose writes come back with errors other than OOM (an ACL user without SET) exits
# 1 with an error line, as plain bench does, instead of 0 with hit 0.0 / ideal 0.0 (issue
# 13 item 5).
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
mport=$(rl_free_port)
rl_start_server "$server" "$mport" --maxmemory 16mb --maxmemory-policy noeviction || exit 1
rport=$(rl_free_port)
while [ "$rport" = "$mport" ]; do rport=$(rl_free_port); done
rl_start_server "$server" "$rport" --maxmemory 16mb --maxmemory-policy noeviction || exit 1
m() { "$cli" -p "$mport" "$@" | tr -d '\r'; }
rr() { "$cli" -p "$rport" "$@" | tr -d '\r'; }
rr replicaof 127.0.0.1 "$mport" >/dev/null
linked() { rr info replication | grep -q '^master_link_status:up'; }
for _ in $(seq 1 200); do linked && break; sleep 0.05; done # bounds a hang, not a speed
ok "the replica is linked to its master" linked

# --- a read-only replica -------------------------------------------------------------------
"$RL_BIN" bench --eviction --allow-eviction -p "$rport" --duration 1 --warmup 0 >"$RL_TMP/out" 2>"$RL_TMP/err"; rc=$?
is "read-only replica: exit 3" "$rc" 3
ok "says it is a read-only replica of its master" grep -qF \
  "127.0.0.1:$rport is a read-only replica (role:slave, replica-read-only yes, master 127.0.0.1:$mport)" "$RL_TMP/err"
ok "says what to do" grep -qF "point bench at the master" "$RL_TMP/err"
[ "$fails" = 0 ] || cat "$RL_TMP/err" >&2
is "the replica's maxmemory untouched" "$(rr config get maxmemory | tail -1)" 16777216
is "the replica's policy untouched" "$(rr config get maxmemory-policy | tail -1)" noeviction
"$RL_BIN" bench --eviction --allow-eviction -p "$rport" --maxmemory 8mb --duration 1 --warmup 0 >/dev/null 2>&1
is "refused before --maxmemory is set" "$(rr config get maxmemory | tail -1)" 16777216
# Plain bench measures a replica's reads and counts its refused writes: exit 1.
"$RL_BIN" bench -p "$rport" -n 200 -c 2 >/dev/null 2>"$RL_TMP/plain.err"; rc=$?
is "plain bench on the replica: exit 1" "$rc" 1

# --- writes refused during the run ---------------------------------------------------------
# An ACL user that may read, CONFIG and SCAN but not SET: every fill write is refused.
m acl setuser noset on '>pw' '~*' '&*' +@all -set >/dev/null
"$RL_BIN" bench --eviction --allow-eviction -p "$mport" --user noset -a pw --policies allkeys-lru \
  --duration 1 --warmup 0.5 --json >"$RL_TMP/acl.json" 2>"$RL_TMP/acl.err"; rc=$?
is "refused writes: exit 1" "$rc" 1
ok "an error line with the server's words" grep -q \
  "error: the server answered [0-9]* requests with an error other than OOM (e.g. \"NOPERM" "$RL_TMP/acl.err"
ok "the JSON says it too" jq -e '.error | test("error other than OOM")' "$RL_TMP/acl.json"
[ "$fails" = 0 ] || cat "$RL_TMP/acl.err" >&2
is "refused writes: the policy restored" "$(m config get maxmemory-policy | tail -1)" noeviction
# The same user with SET: the run is clean, exit 0.
m acl setuser noset +set >/dev/null
"$RL_BIN" bench --eviction --allow-eviction -p "$mport" --user noset -a pw --policies allkeys-lru \
  --duration 1 --warmup 0 >/dev/null 2>"$RL_TMP/ok.err"; rc=$?
is "writes allowed: exit 0" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/ok.err" >&2
done_testing
