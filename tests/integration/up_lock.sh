#!/usr/bin/env bash
# One instance, one `up` at a time (issue 13, item 2), with real processes: three
# `up --name X --detach` started at once, in several rounds, give exactly one winner; the
# others exit 3 saying who starts (or already runs) it and touch nothing; one Redis of the
# instance runs and down leaves none. An up held in its readiness wait keeps the lock: a
# second up and a down are refused with the holder's pid. A foreground up keeps it while it
# supervises, and down still stops that server. Two names raced onto one port: one wins,
# the loser's record never claims running. A foreign server beside them answers PING after
# every down. Also (item 8): an over-long --name is invalid input (2), not a runtime failure.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"
on_exit 'rl_stop_instances "$st"'
gone() { ! rl_pid_running "$1"; }
rec() { sed -n "s/^$2: //p" "$st/$1/instance.yaml" 2>/dev/null; }
# Every redis-light run is bounded: a regression fails instead of hanging the suite.
rl() { timeout 120 "$RL_BIN" "$@"; }
# The redis-server processes whose working directory is instance $1's data directory.
servers_of() {
  local p want
  want=$(realpath "$st/$1/data" 2>/dev/null) || return 0
  for p in $(pgrep -x redis-server); do
    [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$want" ] && rl_pid_running "$p" && echo "$p"
  done
  return 0
}

fport=$(rl_free_port) || exit 1
rl_start_server "$server" "$fport" || exit 1
fpid=$RL_SERVER_PID
foreign_fine() {
  is "$1: the foreign server answers PING" "$("$cli" -p "$fport" ping 2>&1)" PONG
  ok "$1: the foreign server's process lives" rl_pid_running "$fpid"
}

# --- item 8: an over-long name is invalid input -------------------------------------------------
long=$(printf 'n%.0s' $(seq 1 4200))
rl up --detach --profile replit --name "$long" >/dev/null 2>"$RL_TMP/long.err"; rc=$?
is "up --name of 4200 characters: exit 2" "$rc" 2
ok "says the name is invalid" grep -q "invalid instance name" "$RL_TMP/long.err"
ok "and not that a path is too long" sh -c "! grep -q 'too long' '$RL_TMP/long.err'"
rl up --detach --profile replit --name "$(printf 'n%.0s' $(seq 1 33))" >/dev/null 2>&1
is "up --name of 33 characters: exit 2" "$?" 2
rl down --name "$long" >/dev/null 2>&1
is "down --name of 4200 characters: exit 2" "$?" 2
rl status --name "$long" >/dev/null 2>&1
is "status --name of 4200 characters: exit 2" "$?" 2
ok "nothing was created for them" test ! -e "$st"

# --- item 2: three ups of one name at once ------------------------------------------------------
rounds=5
for round in $(seq 1 $rounds); do
  port=$(rl_free_port)
  for i in 1 2 3; do
    rl up --detach --profile replit --port "$port" --name race >"$RL_TMP/race$i.out" 2>"$RL_TMP/race$i.err" &
    eval "job$i=$!"
  done
  winners=0 losers=0 told=0
  for i in 1 2 3; do
    eval "wait \$job$i"; rc=$?
    case $rc in
      0) winners=$((winners + 1)) ;;
      3) losers=$((losers + 1))
         grep -qE 'instance "race" is (being started by pid [0-9]+|already running \(pid [0-9]+)' "$RL_TMP/race$i.err" &&
           told=$((told + 1)) ;;
      *) echo "round $round: up $i exited $rc:" >&2; cat "$RL_TMP/race$i.err" >&2 ;;
    esac
  done
  is "round $round: exactly one up wins" "$winners" 1
  is "round $round: the others exit 3" "$losers" 2
  is "round $round: and say who starts it or that it runs" "$told" 2
  procs=$(servers_of race | wc -l)
  is "round $round: one redis-server of the instance runs" "$procs" 1
  pid=$(rec race pid)
  is "round $round: the record names it" "$pid" "$(servers_of race | head -n 1)"
  is "round $round: the record says running" "$(rec race state)" '"running"'
  is "round $round: it answers on the port up printed" "$("$cli" -p "$port" info server | tr -d '\r' | sed -n 's/^process_id://p')" "$pid"
  ok "round $round: redis.conf holds that port" grep -q "^port $port$" "$st/race/redis.conf"
  rl down --name race >"$RL_TMP/race-down.out" 2>&1; rc=$?
  is "round $round: down exit" "$rc" 0
  is "round $round: no redis-server of the instance is left" "$(servers_of race | wc -l)" 0
  ok "round $round: the port is free" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
  foreign_fine "round $round"
done

# --- an up held in its readiness wait keeps the lock --------------------------------------------
# Redis blocks opening its ACL file while that is a FIFO nobody writes: up waits for PING.
mkfifo "$RL_TMP/acl.fifo"
port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --name held --timeout 100 --set aclfile="$RL_TMP/acl.fifo" \
  >"$RL_TMP/held.out" 2>"$RL_TMP/held.err" &
held_up=$!
on_exit "kill -9 $held_up 2>/dev/null"
held_pid=""
for _ in $(seq 1 200); do
  held_pid=$(rec held pid)
  [ -n "$held_pid" ] && [ "$held_pid" != 0 ] && break
  sleep 0.05
done
ok "the first up launched its server ($held_pid)" test -n "$held_pid" -a "$held_pid" != 0
sum_before=$(cat "$st/held/redis.conf" "$st/held/instance.yaml" | sha256sum)
rl up --detach --profile replit --port "$(rl_free_port)" --name held >/dev/null 2>"$RL_TMP/held2.err"; rc=$?
is "a second up while the first waits: exit 3" "$rc" 3
ok "it names the up that holds the instance" grep -q "instance \"held\" is being started by pid $held_up" "$RL_TMP/held2.err"
rl down --name held >/dev/null 2>"$RL_TMP/held-down.err"; rc=$?
is "down while up starts it: exit 3" "$rc" 3
ok "down names the up that holds it" grep -q "instance \"held\" is being started by pid $held_up" "$RL_TMP/held-down.err"
is "neither touched the config or the record" "$(cat "$st/held/redis.conf" "$st/held/instance.yaml" | sha256sum)" "$sum_before"
ok "the starting server was left alone" rl_pid_running "$held_pid"
# An empty ACL file: Redis goes on starting. (Bounded: with no reader left, open blocks.)
ok "the held server reads its ACL file" timeout 20 bash -c ": >'$RL_TMP/acl.fifo'"
timeout 120 tail --pid="$held_up" -f /dev/null
wait "$held_up"; rc=$?
is "the first up then succeeds" "$rc" 0
is "its server answers" "$("$cli" -p "$port" ping)" PONG
rl up --detach --profile replit --port "$(rl_free_port)" --name held >/dev/null 2>"$RL_TMP/held3.err"; rc=$?
is "once it is up, another up: exit 3" "$rc" 3
ok "says it is already running" grep -q "instance \"held\" is already running (pid $held_pid" "$RL_TMP/held3.err"
rl down --name held >/dev/null 2>&1
is "down after the up finished: exit 0" "$?" 0
ok "the server is gone" gone "$held_pid"
foreign_fine "down of the held instance"

# --- a foreground up keeps the lock while it supervises; down still stops its server ----------
port=$(rl_free_port)
"$RL_BIN" up --profile replit --port "$port" --name fg >"$RL_TMP/fg.out" 2>"$RL_TMP/fg.err" &
fg_up=$!
on_exit "kill -9 $fg_up 2>/dev/null"
for _ in $(seq 1 600); do grep -q "^ready: " "$RL_TMP/fg.err" 2>/dev/null && break; sleep 0.05; done
ok "the foreground up is ready" grep -q "^ready: " "$RL_TMP/fg.err"
fg_pid=$(rec fg pid)
rl up --detach --profile replit --port "$(rl_free_port)" --name fg >/dev/null 2>"$RL_TMP/fg2.err"; rc=$?
is "up beside a foreground up: exit 3" "$rc" 3
ok "says it runs, under which up" grep -q "instance \"fg\" is already running (pid $fg_pid, .*) under \`redis-light up\` pid $fg_up" "$RL_TMP/fg2.err"
rl down --name fg >/dev/null 2>"$RL_TMP/fg-down.err"; rc=$?
is "down of a foreground instance: exit 0" "$rc" 0
timeout 60 tail --pid="$fg_up" -f /dev/null
wait "$fg_up"; rc=$?
is "the foreground up ends cleanly" "$rc" 0
ok "the server is gone" gone "$fg_pid"
is "the record says stopped" "$(rec fg state)" '"stopped"'
foreign_fine "down of the foreground instance"

# --- two names raced onto one port --------------------------------------------------------------
for round in 1 2 3; do
  port=$(rl_free_port)
  rl up --detach --profile replit --port "$port" --name pa >/dev/null 2>"$RL_TMP/pa.err" &
  ja=$!
  rl up --detach --profile replit --port "$port" --name pb >/dev/null 2>"$RL_TMP/pb.err" &
  jb=$!
  wait "$ja"; ra=$?
  wait "$jb"; rb=$?
  is "two names, one port, round $round: exit codes" "$(echo "$ra $rb" | tr ' ' '\n' | sort | tr '\n' ' ')" "0 3 "
  if [ "$ra" = 0 ]; then win=pa lose=pb; else win=pb lose=pa; fi
  wpid=$(rec "$win" pid)
  is "round $round: the port leads to the winner" "$("$cli" -p "$port" info server | tr -d '\r' | sed -n 's/^process_id://p')" "$wpid"
  ls=$(rec "$lose" state)
  ok "round $round: the loser's record does not claim running (${ls:-none})" test "$ls" != '"running"' -a "$ls" != '"starting"'
  is "round $round: no server of the loser runs" "$(servers_of "$lose" | wc -l)" 0
  rl down --name "$lose" >/dev/null 2>&1
  is "round $round: down of the loser leaves the winner serving" "$("$cli" -p "$port" ping)" PONG
  rl down --name "$win" >/dev/null 2>&1
  ok "round $round: the winner is gone after its own down" gone "$wpid"
  foreign_fine "two names, round $round"
done

done_testing
