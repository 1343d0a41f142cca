#!/usr/bin/env bash
# bench against servers that refuse, vanish, hang or reject writes: the exit status is 3
# for runtime failures (with the server's own words and partial results) and 1 when the
# run finished with error replies; error replies are counted by kind, never as requests;
# nothing waits longer than the timeout allows.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
bin=$(rl_redis_server) || exit 1
cli=$(rl_redis_cli)

# elapsed_ms CMD...: runs CMD, sets $rc, prints nothing; $ms holds the wall time.
timed() {
  local t0 t1
  t0=$(date +%s%N)
  "$@"
  rc=$?
  t1=$(date +%s%N)
  ms=$(((t1 - t0) / 1000000))
}

# --- authentication ---------------------------------------------------------------------
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" || exit 1
auth_pid=$RL_SERVER_PID
"$cli" -p "$port" config set requirepass s3cret >/dev/null # after start: rl_start_server PINGs
a() { "$cli" -p "$port" --no-auth-warning -a s3cret "$@" | tr -d '\r'; }

timed "$RL_BIN" bench -p "$port" -a wrong -n 100 2>"$RL_TMP/err" >/dev/null
is "wrong password: exit 3" "$rc" 3
ok "wrong password: the server's message" grep -q "WRONGPASS" "$RL_TMP/err"
ok "wrong password: says what to check" grep -q -- "check -a and --user" "$RL_TMP/err"

"$RL_BIN" bench -p "$port" -n 100 2>"$RL_TMP/err" >/dev/null
is "no password: exit 3" "$?" 3
ok "no password: says a password is needed" grep -q "requires a password (NOAUTH" "$RL_TMP/err"

a config resetstat >/dev/null
"$RL_BIN" bench -p "$port" -a s3cret -n 500 -c 5 -P 3 --dbnum 3 --json >"$RL_TMP/out.json" 2>"$RL_TMP/err"
is "right password: exit 0" "$?" 0
is "right password: counts" "$(a info commandstats | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p')" 500
is "--dbnum: keys went to db 3" "$(a -n 3 dbsize)" "$(a -n 3 eval "return #redis.call('keys','rl:*')" 0)"
ok "--dbnum: db 3 has keys" test "$(a -n 3 dbsize)" -gt 0
is "--dbnum: db 0 untouched" "$(a -n 0 dbsize)" 0
REDISCLI_AUTH=s3cret "$RL_BIN" bench -p "$port" -q -n 100 -t set >/dev/null 2>&1
is "password from REDISCLI_AUTH: exit 0" "$?" 0

# An ACL user limited to its own prefix: fine under it, NOPERM errors elsewhere, counted
# as auth errors and not as requests (exit 1: the run finished but found errors).
a acl setuser bench on '>bpass' '~rl:*' '+set' '+get' '+info' '+select' '+ping' >/dev/null
"$RL_BIN" bench -p "$port" --user bench -a bpass -n 300 --json >"$RL_TMP/out.json" 2>"$RL_TMP/err"
is "ACL user: exit 0" "$?" 0
is "ACL user: requests" "$(jq -c '[.results[].requests]' "$RL_TMP/out.json")" "[300,300]"
"$RL_BIN" bench -p "$port" --user bench -a nope -n 100 >/dev/null 2>"$RL_TMP/err"
is "ACL user, wrong password: exit 3" "$?" 3
ok "ACL user, wrong password: the server's message and the user" grep -q "user bench: WRONGPASS" "$RL_TMP/err"
"$RL_BIN" bench -p "$port" --user bench -a bpass -t set -n 200 --key-prefix other: --json \
  >"$RL_TMP/out.json" 2>"$RL_TMP/err"
is "NOPERM replies: exit 1" "$?" 1
is "NOPERM replies: not requests" "$(jq .results[0].requests "$RL_TMP/out.json")" 0
is "NOPERM replies: counted as auth errors" "$(jq -c '.results[0] | [.errors, .errors_by_kind.auth]' "$RL_TMP/out.json")" "[200,200]"
ok "NOPERM replies: an example kept" jq -e '.results[0].first_errors.auth | startswith("NOPERM")' "$RL_TMP/out.json"
ok "NOPERM replies: warned" grep -q "answered 200 requests with an error" "$RL_TMP/err"
kill -9 "$auth_pid" 2>/dev/null

# --- OOM replies are errors, never requests ----------------------------------------------
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" --maxmemory 2mb --maxmemory-policy noeviction || exit 1
r() { "$cli" -p "$port" "$@" | tr -d '\r'; }
"$RL_BIN" bench -p "$port" -t set -n 3000 -r 3000 -d 4kb -c 4 --distribution sequential --json \
  >"$RL_TMP/out.json" 2>"$RL_TMP/err"
is "OOM: exit 1" "$?" 1
ok "OOM: some SETs fit" jq -e '.results[0].requests > 0' "$RL_TMP/out.json"
ok "OOM: OOM errors counted" jq -e '.results[0].errors_by_kind.oom > 0' "$RL_TMP/out.json"
is "OOM: requests + errors = -n" "$(jq '.results[0] | .requests + .errors' "$RL_TMP/out.json")" 3000
stats=$(r info commandstats | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*rejected_calls=\([0-9]*\),.*/\1 \2/p')
is "OOM: server's SET calls and rejections = ours" "$stats" \
  "$(jq -r '.results[0] | "\(.requests) \(.errors_by_kind.oom)"' "$RL_TMP/out.json")"
ok "OOM: the server's words in the table" bash -c \
  "'$RL_BIN' bench -p $port -t set -n 50 -r 3000 -d 4kb 2>/dev/null | grep -q 'oom errors, e.g. \"OOM command not allowed'"

# --- nobody listening -------------------------------------------------------------------
dead=$(rl_free_port) || exit 1
timed "$RL_BIN" bench -p "$dead" --timeout 1 -n 100 >/dev/null 2>"$RL_TMP/err"
is "unreachable: exit 3" "$rc" 3
ok "unreachable: says it cannot connect, and where" grep -q "cannot connect to 127.0.0.1:$dead" "$RL_TMP/err"
ok "unreachable: within the timeout (took ${ms} ms)" test "$ms" -lt 5000
timed "$RL_BIN" bench -s "$RL_TMP/no.sock" --timeout 1 -n 100 >/dev/null 2>"$RL_TMP/err"
is "missing socket: exit 3" "$rc" 3
ok "missing socket: named" grep -q "unix socket $RL_TMP/no.sock" "$RL_TMP/err"

# --- a cluster node ---------------------------------------------------------------------
port=$(rl_free_cluster_port) || exit 1
rl_start_server "$bin" "$port" --cluster-enabled yes --cluster-config-file "$RL_TMP/nodes-$port.conf" || exit 1
"$RL_BIN" bench -p "$port" -n 100 >/dev/null 2>"$RL_TMP/err"
is "cluster: exit 3" "$?" 3
ok "cluster: says so" grep -q "this is a Redis Cluster; cluster mode is not supported yet" "$RL_TMP/err"
kill -9 "$RL_SERVER_PID" 2>/dev/null

# --- the server dies mid-run: partial results, the reason, exit 3, no hang ---------------
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" || exit 1
victim=$RL_SERVER_PID
t0=$(date +%s%N)
"$RL_BIN" bench -p "$port" -t set --duration 60 -c 10 --timeout 1 --json >"$RL_TMP/out.json" 2>"$RL_TMP/err" &
bench_pid=$!
on_exit "kill -9 $bench_pid 2>/dev/null"
sleep 1.5
kill -9 "$victim"
wait "$bench_pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
is "server killed: exit 3" "$rc" 3
ok "server killed: stopped soon after, not after --duration (took ${ms} ms)" test "$ms" -lt 20000
ok "server killed: partial results" jq -e '.results[0].requests > 0 and .results[0].complete == false' "$RL_TMP/out.json"
ok "server killed: the reason in the JSON" jq -e '.error | test("lost the connection")' "$RL_TMP/out.json"
ok "server killed: the reason on stderr" grep -q "bench stopped early: lost the connection to 127.0.0.1:$port" "$RL_TMP/err"
ok "server killed: connection failures counted" jq -e '.results[0].connection_errors > 0' "$RL_TMP/out.json"

# --- the server hangs (SIGSTOP) mid-run: reply timeouts end it --------------------------
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" || exit 1
frozen=$RL_SERVER_PID
on_exit "kill -CONT $frozen 2>/dev/null"
t0=$(date +%s%N)
"$RL_BIN" bench -p "$port" -t get --duration 60 -c 4 --timeout 1 --json >"$RL_TMP/out.json" 2>"$RL_TMP/err" &
bench_pid=$!
on_exit "kill -9 $bench_pid 2>/dev/null"
sleep 1
kill -STOP "$frozen"
wait "$bench_pid"
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
is "server hung: exit 3" "$rc" 3
ok "server hung: gave up well before --duration (took ${ms} ms)" test "$ms" -lt 20000
ok "server hung: partial results" jq -e '.results[0].requests > 0' "$RL_TMP/out.json"
ok "server hung: reason names the silence" grep -qE "no reply within|could not get it back" "$RL_TMP/err"
# A hung server before the run: the control connection times out too.
timed "$RL_BIN" bench -p "$port" --timeout 1 -n 10 >/dev/null 2>"$RL_TMP/err"
is "hung before start: exit 3" "$rc" 3
ok "hung before start: bounded (took ${ms} ms)" test "$ms" -lt 10000
ok "hung before start: says it did not answer" grep -q "did not answer within --timeout 1000 ms" "$RL_TMP/err"
kill -CONT "$frozen"

done_testing
