#!/usr/bin/env bash
# Records that point at a server which is not the instance's own (issue 13, items 1 and 3),
# with real processes: a foreign redis-server runs beside the instances, and after every
# `down` it must still answer PING, its process must live and its log must hold no
# shutdown. A record's port or socket edited to the foreign server's: status shows the
# problem instead of the foreign figures, and down stops the instance's own Redis by
# signal, never by SHUTDOWN over that connection. A record's pid edited to the foreign
# server's: redis.pid, which names the instance's verified server, wins; down stops that
# one, and up refuses to start a second Redis beside it.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"
on_exit 'rl_stop_instances "$st"'
gone() { ! rl_pid_running "$1"; }
field() { jq -r ".instances[] | select(.name==\"$1\") | .$2"; }
rec() { sed -n "s/^$2: //p" "$st/$1/instance.yaml"; }
jqe() { jq -e "$@" >/dev/null; }
# down must never wait without end, whatever it decides.
down() { timeout 120 "$RL_BIN" down "$@"; }

# The foreign server: not started by redis-light, on its own port and socket.
fport=$(rl_free_port) || exit 1
fsock="$RL_TMP/foreign.sock"
rl_start_server "$server" "$fport" --unixsocket "$fsock" --unixsocketperm 700 || exit 1
fpid=$RL_SERVER_PID
flog="$RL_TMP/redis-$fport/redis.log"
foreign_fine() { # foreign_fine WHEN: the foreign server is untouched after WHEN
  is "$1: the foreign server answers PING" "$("$cli" -p "$fport" ping 2>&1)" PONG
  ok "$1: the foreign server's process lives" rl_pid_running "$fpid"
  ok "$1: the foreign server was not asked to shut down" sh -c "! grep -q 'User requested shutdown' '$flog'"
  ok "$1: the foreign server's socket is still there" test -S "$fsock"
}
up() { # up NAME [args]: a detached instance; sets $port and $pid
  local name=$1; shift
  port=$(rl_free_port)
  "$RL_BIN" -q up --detach --profile replit --port "$port" --name "$name" "$@" >/dev/null 2>"$RL_TMP/up-$name.err" ||
    { echo "up $name failed:" >&2; cat "$RL_TMP/up-$name.err" >&2; return 1; }
  pid=$(rec "$name" pid)
}

# --- item 1: the record's port leads to the foreign server --------------------------------------
up cor || exit 1
cor_pid=$pid cor_port=$port
"$cli" -p "$fport" set rl:foreign:k v >/dev/null
sed -i "s/^port: $cor_port$/port: $fport/" "$st/cor/instance.yaml"
"$RL_BIN" status --json >"$RL_TMP/cor.json"; rc=$?
is "status with a record leading to a foreign server: exit 1" "$rc" 1
is "status --json: state foreign" "$(field cor state <"$RL_TMP/cor.json")" foreign
is "status --json: no used_memory from the foreign server" "$(field cor used_memory <"$RL_TMP/cor.json")" null
is "status --json: no uptime from the foreign server" "$(field cor uptime_seconds <"$RL_TMP/cor.json")" null
ok "status --json: the problem names both processes" \
  jqe ".instances[] | select(.name==\"cor\") | .problem | test(\"process_id $fpid\") and test(\"pid $cor_pid\")" "$RL_TMP/cor.json"
"$RL_BIN" status --name cor >"$RL_TMP/cor.txt" 2>&1
ok "status text says the address leads elsewhere" grep -q "redis://127.0.0.1:$fport is answered by another server (process_id $fpid)" "$RL_TMP/cor.txt"
down --name cor 2>"$RL_TMP/cor-down.err"; rc=$?
is "down with the port edited: exit 0" "$rc" 0
ok "down says it stopped by signal, not over that connection" grep -q "sent SIGTERM to pid $cor_pid instead" "$RL_TMP/cor-down.err"
ok "the instance's own Redis is gone" gone "$cor_pid"
ok "and it exited through its own shutdown (SIGTERM)" grep -q "Received SIGTERM scheduling shutdown" "$st/cor/redis.log"
ok "its own port is free" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$cor_port) 2>/dev/null"
is "the foreign server's data is untouched" "$("$cli" -p "$fport" get rl:foreign:k)" v
foreign_fine "down with the port edited"
is "the record says stopped" "$(rec cor state)" '"stopped"'

# --- item 1: the record's socket leads to the foreign server --------------------------------------
up sck --socket "$RL_TMP/sck.sock" || exit 1
sck_pid=$pid
sed -i "s|^socket: .*|socket: \"$fsock\"|" "$st/sck/instance.yaml"
"$RL_BIN" status --json >"$RL_TMP/sck.json"
is "socket edited: status --json state foreign" "$(field sck state <"$RL_TMP/sck.json")" foreign
down --name sck 2>"$RL_TMP/sck-down.err"; rc=$?
is "down with the socket edited: exit 0" "$rc" 0
ok "the instance's own Redis is gone" gone "$sck_pid"
foreign_fine "down with the socket edited"
is "PING over the foreign socket" "$("$cli" -s "$fsock" ping 2>&1)" PONG

# --- item 3: the record's pid is the foreign server's ----------------------------------------------
up orp || exit 1
orp_pid=$pid orp_port=$port
sed -i "s/^pid: $orp_pid$/pid: $fpid/" "$st/orp/instance.yaml"
"$RL_BIN" status --json >"$RL_TMP/orp.json" 2>"$RL_TMP/orp.err"
is "pid edited: status shows the instance's server by redis.pid" "$(field orp state <"$RL_TMP/orp.json") $(field orp pid <"$RL_TMP/orp.json")" "running $orp_pid"
ok "status warns that the record's pid is not the instance's" grep -q "instance \"orp\": pid $fpid in the record is not the process that was recorded .*; its redis.pid names pid $orp_pid, which is its Redis" "$RL_TMP/orp.err"
"$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name orp >/dev/null 2>"$RL_TMP/orp-up.err"; rc=$?
is "up over it: exit 3" "$rc" 3
ok "up says it already runs, with the true pid" grep -q "instance \"orp\" is already running (pid $orp_pid" "$RL_TMP/orp-up.err"
is "up kept redis.pid" "$(cat "$st/orp/redis.pid")" "$orp_pid"
ok "the instance's server still runs" rl_pid_running "$orp_pid"
down --name orp 2>"$RL_TMP/orp-down.err"; rc=$?
is "down with the pid edited: exit 0" "$rc" 0
ok "down does not claim the server is gone" sh -c "! grep -q 'is gone' '$RL_TMP/orp-down.err'"
ok "down says which pid it stops and why" grep -q "stopping pid $orp_pid, which redis.pid names" "$RL_TMP/orp-down.err"
ok "the instance's server is gone, not orphaned" gone "$orp_pid"
ok "its port is free" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$orp_port) 2>/dev/null"
foreign_fine "down with the pid edited"

# The same with the foreign start time too: only the working directory tells them apart.
up orq || exit 1
orq_pid=$pid
fstart=$(sed 's/^.*) //' "/proc/$fpid/stat" | cut -d' ' -f20)
sed -i -e "s/^pid: $orq_pid$/pid: $fpid/" -e "s/^starttime: .*/starttime: $fstart/" "$st/orq/instance.yaml"
down --name orq 2>"$RL_TMP/orq-down.err"; rc=$?
is "pid and starttime edited: down exit 0" "$rc" 0
ok "down says the recorded pid is another directory's server" grep -q "pid $fpid .*is a redis-server of another directory" "$RL_TMP/orq-down.err"
ok "the instance's server is gone" gone "$orq_pid"
foreign_fine "down with pid and starttime edited"

# Pid and port both the foreign server's: the instance's Redis is found by redis.pid, the
# connection leads elsewhere, so the signal goes to the verified pid.
up orr || exit 1
orr_pid=$pid orr_port=$port
sed -i -e "s/^pid: $orr_pid$/pid: $fpid/" -e "s/^port: $orr_port$/port: $fport/" "$st/orr/instance.yaml"
down --name orr 2>"$RL_TMP/orr-down.err"; rc=$?
is "pid and port edited: down exit 0" "$rc" 0
ok "the instance's server is gone" gone "$orr_pid"
foreign_fine "down with pid and port edited"

# Neither the record nor redis.pid names a server of the instance: down stops nothing.
up ors || exit 1
ors_pid=$pid
sed -i "s/^pid: $ors_pid$/pid: $fpid/" "$st/ors/instance.yaml"
echo "$fpid" >"$st/ors/redis.pid"
down --name ors 2>"$RL_TMP/ors-down.err"; rc=$?
is "nothing of the instance found: down exit 0" "$rc" 0
ok "down says why it believes neither" grep -q "pid $fpid .*is a redis-server of another directory" "$RL_TMP/ors-down.err"
foreign_fine "down with nothing of the instance found"
kill "$ors_pid"
for _ in $(seq 1 100); do rl_pid_running "$ors_pid" || break; sleep 0.1; done

done_testing
