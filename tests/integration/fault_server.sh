#!/usr/bin/env bash
# Faults around a running Redis, all real processes: a damaged instance record gives a
# clear error in status and up, and down still stops the server by its pid file (but never
# a process that merely reuses that pid); a server stopped with SIGSTOP makes status,
# down and up's readiness wait end in bounded time with a message naming the cause; a
# server that kills bench's connections mid-pipeline has them counted as connection
# errors, reconnected, and the run goes on with true counts.
# (Two `up` of one name are covered by up_detach.sh; a hung server under bench by
# bench_failures.sh.)
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status and bench --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"

# Cleanup: resume anything stopped, then stop every server this test started (their data
# directories are under $st), and the decoy process.
stop_all() {
  local p
  for p in $(pgrep -x redis-server); do
    case "$(readlink "/proc/$p/cwd" 2>/dev/null)" in "$st"/*) kill -CONT "$p"; kill -9 "$p" ;; esac
  done 2>/dev/null
  return 0
}
on_exit stop_all
gone() { ! rl_pid_running "$1"; }
# timed CMD...: runs CMD; $rc its status, $ms the wall time.
timed() { local t0; t0=$(date +%s%N); "$@"; rc=$?; ms=$((($(date +%s%N) - t0) / 1000000)); }
up() { # up NAME [args]: a detached instance on a free port; sets $port and $pid
  local name=$1; shift
  port=$(rl_free_port)
  "$RL_BIN" -q up --detach --profile replit --port "$port" --name "$name" "$@" >/dev/null 2>"$RL_TMP/up-$name.err" ||
    { echo "up $name failed:" >&2; cat "$RL_TMP/up-$name.err" >&2; return 1; }
  pid=$(sed -n 's/^pid: //p' "$st/$name/instance.yaml")
}

# --- a damaged instance record -----------------------------------------------------------------
up c1 --password rec0rd || exit 1
c1_port=$port c1_pid=$pid
head -c 300 /dev/urandom | tr -d '\n:' >"$st/c1/instance.yaml" # garbage, no "key: value" at all
echo >>"$st/c1/instance.yaml"
timed "$RL_BIN" status --name c1 >"$RL_TMP/st.out" 2>"$RL_TMP/st.err"
is "status of a damaged record: exit 1" "$rc" 1
ok "status is quick (${ms} ms)" test "$ms" -lt 5000
ok "status names the record and says it is damaged" grep -q "the instance record $st/c1/instance.yaml is damaged" "$RL_TMP/st.out"
ok "status finds the running server by redis.pid" grep -q "redis.pid says its Redis runs as pid $c1_pid: \`redis-light down --name c1\` stops it" "$RL_TMP/st.out"
"$RL_BIN" status --json >"$RL_TMP/st.json" 2>/dev/null
is "status --json: state damaged" "$(jq -r '.instances[] | select(.name=="c1") | .state' "$RL_TMP/st.json")" damaged
is "status --json: alive by its pid file" "$(jq -r '.instances[] | select(.name=="c1") | "\(.alive) \(.pid)"' "$RL_TMP/st.json")" "true $c1_pid"
ok "status --json: the problem spelled out" jq -e '.instances[] | select(.name=="c1") | .problem | test("damaged")' "$RL_TMP/st.json"
"$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name c1 >/dev/null 2>"$RL_TMP/up2.err"; rc=$?
is "up over a damaged record of a running server: exit 3" "$rc" 3
ok "up says it still runs and what to do" grep -q "is damaged (.*), and its Redis still runs (pid $c1_pid per redis.pid); stop it with \`redis-light down --name c1\`" "$RL_TMP/up2.err"
ok "the server was left alone" rl_pid_running "$c1_pid"
timed "$RL_BIN" down --name c1 2>"$RL_TMP/down.err"
is "down with a damaged record: exit 0" "$rc" 0
ok "down says it stops by the pid file" grep -q "stopping its Redis by its pid file (pid $c1_pid)" "$RL_TMP/down.err"
ok "down shut it down with the stored password (SHUTDOWN, not a signal)" grep -q "with SHUTDOWN in" "$RL_TMP/down.err"
ok "the server is gone" gone "$c1_pid"
ok "port $c1_port is free" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$c1_port) 2>/dev/null"
ok "the damaged record is kept for a bug report" test -s "$st/c1/instance.yaml.damaged"
is "a fresh record says stopped" "$(sed -n 's/^state: //p' "$st/c1/instance.yaml")" '"stopped"'
"$RL_BIN" status --name c1 >/dev/null 2>&1
is "status after down: exit 1 (stopped, as for any stopped --name)" "$?" 1
is "status after down: stopped" "$("$RL_BIN" status --json | jq -r '.instances[] | select(.name=="c1") | .state')" stopped

# Records that parse but hold nonsense are damaged too; so is a record of another name.
up c2 || exit 1
c2_pid=$pid
for bad in 'pid: banana' 'state: "exploded"' 'port: 99999' 'name: "someone-else"'; do
  key=${bad%%:*}
  sed -i "s/^$key: .*/$bad/" "$st/c2/instance.yaml"
  "$RL_BIN" status --name c2 >"$RL_TMP/bad.out" 2>&1
  ok "record with $bad: reported damaged" grep -q "is damaged (" "$RL_TMP/bad.out"
  "$RL_BIN" -q up --detach --profile replit --port "$(rl_free_port)" --name c2 >/dev/null 2>&1
  is "record with $bad: up refuses over the running server" "$?" 3
  # restore the line for the next case (the server's own values)
  case $key in
    pid) sed -i "s/^pid: .*/pid: $c2_pid/" "$st/c2/instance.yaml" ;;
    state) sed -i 's/^state: .*/state: "running"/' "$st/c2/instance.yaml" ;;
    port) sed -i "s/^port: .*/port: $port/" "$st/c2/instance.yaml" ;;
    name) sed -i 's/^name: .*/name: "c2"/' "$st/c2/instance.yaml" ;;
  esac
done
"$RL_BIN" status --name c2 >/dev/null 2>&1
is "restored record: running again" "$?" 0

# down never signals a process that only reuses the pid in redis.pid.
sleep 300 &
decoy=$!
on_exit "kill -9 $decoy 2>/dev/null"
# until the child has exec'd sleep (before that it is a copy of this bash: a loaded machine
# once showed down the fork, and the message named "bash")
for _ in $(seq 1 100); do [ "$(readlink "/proc/$decoy/exe")" != "$(readlink /proc/$$/exe)" ] && break; sleep 0.02; done
echo garbage >"$st/c2/instance.yaml"
echo "$decoy" >"$st/c2/redis.pid"
"$RL_BIN" down --name c2 >/dev/null 2>"$RL_TMP/decoy.err"
ok "down explains why it stops nothing" grep -q "pid $decoy from $st/c2/redis.pid is \"sleep\", not a redis-server" "$RL_TMP/decoy.err"
ok "the unrelated process lives" rl_pid_running "$decoy"
ok "c2's real server lives too (its pid file pointed elsewhere)" rl_pid_running "$c2_pid"
# Another instance's Redis in redis.pid: a redis-server, but of another data directory.
up c3 || exit 1
c3_pid=$pid
echo garbage >"$st/c2/instance.yaml"
echo "$c3_pid" >"$st/c2/redis.pid"
"$RL_BIN" down --name c2 >/dev/null 2>"$RL_TMP/other.err"
ok "another instance's server is recognised" grep -q "pid $c3_pid from $st/c2/redis.pid is a redis-server of another directory" "$RL_TMP/other.err"
ok "and left running" rl_pid_running "$c3_pid"
# (Each refusal above replaced the damaged record with a stopped one; damage it again
# with the true pid file in place, as after a crash mid-write.)
echo garbage >"$st/c2/instance.yaml"
echo "$c2_pid" >"$st/c2/redis.pid"
"$RL_BIN" -q down --name c2
ok "with its true pid file, down stops c2" gone "$c2_pid"
"$RL_BIN" -q down --name c3

# --- a server stopped with SIGSTOP ----------------------------------------------------------------
up z1 || exit 1
z1_pid=$pid
kill -STOP "$z1_pid"
timed "$RL_BIN" status --name z1 >"$RL_TMP/z1.out" 2>&1
is "status of a stopped server: exit 1" "$rc" 1
ok "status does not hang (${ms} ms)" test "$ms" -lt 5000
ok "status says it is stopped and how to resume it" grep -q "the process is stopped (SIGSTOP or a debugger holds it); \`kill -CONT $z1_pid\` resumes it" "$RL_TMP/z1.out"
is "status --json: unreachable" "$("$RL_BIN" status --json | jq -r '.instances[] | select(.name=="z1") | .state')" unreachable
timed "$RL_BIN" down --name z1 2>"$RL_TMP/zdown.err"
is "down of a stopped server: exit 0" "$rc" 0
ok "down does not wait out SHUTDOWN timeouts (${ms} ms)" test "$ms" -lt 5000
ok "down says what it did" grep -q "redis-server was stopped (SIGSTOP or a debugger): sent SIGTERM and SIGCONT so it can exit" "$RL_TMP/zdown.err"
ok "the server is gone" gone "$z1_pid"
ok "and exited through its own shutdown" grep -q "Received SIGTERM scheduling shutdown" "$st/z1/redis.log"

# up's readiness wait: Redis is held before its event loop (its ACL file is a FIFO with no
# writer, so it blocks opening it) and then stopped; up must give up after --timeout.
mkfifo "$RL_TMP/acl.fifo"
port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --name z2 --timeout 2 --set aclfile="$RL_TMP/acl.fifo" \
  >"$RL_TMP/z2.out" 2>"$RL_TMP/z2.err" &
up_pid=$!
on_exit "kill -9 $up_pid 2>/dev/null"
z2_pid=""
for _ in $(seq 1 100); do
  z2_pid=$(sed -n 's/^pid: //p' "$st/z2/instance.yaml" 2>/dev/null)
  [ -n "$z2_pid" ] && [ "$z2_pid" != 0 ] && break
  sleep 0.05
done
ok "up launched the server ($z2_pid)" test -n "$z2_pid" -a "$z2_pid" != 0
kill -STOP "$z2_pid"
timed wait "$up_pid"
is "up with a stopped server: exit 3" "$rc" 3
# Not a speed check, a no-hang check: the 2 s --timeout, then SIGTERM+SIGCONT and up to
# 10 s before SIGKILL (a Redis blocked opening its FIFO acl file ignores SIGTERM once its
# handler is installed; whether it is installed when SIGSTOP lands is a race).
ok "up gave up instead of hanging (${ms} ms)" test "$ms" -lt 30000
ok "up says PING went unanswered and why" grep -q "Redis did not answer PING within 2.0 s: redis-server (pid $z2_pid) is stopped (SIGSTOP or a debugger holds it)" "$RL_TMP/z2.err"
ok "and that it stopped it" grep -q "sent SIGTERM and SIGCONT so it can exit" "$RL_TMP/z2.err"
ok "no server left" gone "$z2_pid"
is "the record says stopped" "$(sed -n 's/^state: //p' "$st/z2/instance.yaml")" '"stopped"'
is "nothing on stdout (no URL for a server that never served)" "$(cat "$RL_TMP/z2.out")" ""

# --- connections killed mid-pipeline ---------------------------------------------------------------
port=$(rl_free_port) || exit 1
rl_start_server "$server" "$port" || exit 1
r() { "$cli" -p "$port" "$@" | tr -d '\r'; }
"$RL_BIN" bench -p "$port" -t set -c 8 -P 16 --duration 3 --json >"$RL_TMP/kill.json" 2>"$RL_TMP/kill.err" &
bench_pid=$!
on_exit "kill -9 $bench_pid 2>/dev/null"
sleep 0.7
killed=0 rounds=0
for _ in 1 2 3 4; do
  n=$(r client kill type normal)
  killed=$((killed + ${n:-0})) rounds=$((rounds + 1))
  sleep 0.4
done
wait "$bench_pid"; rc=$?
is "killed connections: exit 1 (ran, with failures)" "$rc" 1
ok "the run completed" jq -e '.results[0].complete == true' "$RL_TMP/kill.json"
ce=$(jq '.results[0].connection_errors' "$RL_TMP/kill.json")
# Every killed load connection is one connection error; the kills may also hit bench's
# idle control connection (at most one per round), which is not a load connection.
ok "connection errors counted ($ce for $killed killed in $rounds rounds)" \
  test "$ce" -ge $((killed - rounds)) -a "$ce" -le "$killed" -a "$ce" -gt 0
lost=$(jq '.results[0].lost_requests' "$RL_TMP/kill.json")
ok "requests in flight on them are lost, not counted ($lost, at most 16 each)" test "$lost" -gt 0 -a "$lost" -le $((ce * 16))
is "no error replies" "$(jq '.results[0].errors' "$RL_TMP/kill.json")" 0
ok "it went on after reconnecting: every second has SETs" \
  jq -e '(.results[0].series | length) >= 3 and all(.results[0].series[]; .ops > 0)' "$RL_TMP/kill.json"
ok "reconnected: the server accepted new connections ($(r info stats | sed -n 's/^total_connections_received://p'))" \
  test "$(r info stats | sed -n 's/^total_connections_received://p')" -gt $((8 + killed))
req=$(jq '.results[0].requests' "$RL_TMP/kill.json")
calls=$(r info commandstats | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p')
ok "counts are true: the server ran $calls SETs, bench counted $req answered + $lost lost" \
  test "$calls" -ge "$req" -a "$calls" -le $((req + lost))
ok "no give-up message" sh -c "! grep -q 'could not get it back' '$RL_TMP/kill.err'"
ok "the failures are reported" grep -q "connections failed" "$RL_TMP/kill.err"

done_testing
