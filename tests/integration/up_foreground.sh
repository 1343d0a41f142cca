#!/usr/bin/env bash
# A foreground `up` and signals, with a real Redis: SIGINT (or SIGTERM) shuts Redis down
# exactly once — saving when persistence is on — and exits 0; Redis killed with SIGKILL
# makes up exit 3 with the log tail and a diagnosis; up killed with SIGKILL leaves no
# Redis behind.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  for d in "$st"/*/; do
    [ -f "$d/instance.yaml" ] || continue
    p=$(sed -n 's/^pid: //p' "$d/instance.yaml")
    [ -n "$p" ] && [ "$p" != 0 ] && kill -9 "$p" 2>/dev/null
  done
  return 0
}
on_exit cleanup

# start_fg NAME PORT [up options...]: a foreground up in the background of this script;
# sets UP_PID and REDIS_PID once Redis is ready.
start_fg() {
  local name=$1 port=$2; shift 2
  "$RL_BIN" up --profile replit --port "$port" --name "$name" "$@" >"$RL_TMP/$name.out" 2>"$RL_TMP/$name.err" &
  UP_PID=$!
  pids+=("$UP_PID")
  for _ in $(seq 1 300); do
    grep -q "^ready: " "$RL_TMP/$name.err" 2>/dev/null && break
    kill -0 "$UP_PID" 2>/dev/null || break
    sleep 0.05
  done
  REDIS_PID=$(sed -n 's/^pid: //p' "$st/$name/instance.yaml" 2>/dev/null)
  grep -q "^ready: " "$RL_TMP/$name.err" 2>/dev/null
}
gone_within() { # PID SECONDS
  for _ in $(seq 1 $(($2 * 20))); do rl_pid_running "$1" || return 0; sleep 0.05; done
  return 1
}

# 1. SIGINT with persistence on: one SHUTDOWN, data saved, exit 0, data survives a restart.
port=$(rl_free_port)
ok "foreground up with persistence starts" start_fg p1 "$port" --set "save=3600 1"
is "PING" "$("$cli" -p "$port" ping)" PONG
"$cli" -p "$port" set rl:test:kept yes >/dev/null
ok "the log streams to stdout" grep -q "Ready to accept connections" "$RL_TMP/p1.out"
kill -INT "$UP_PID"; wait "$UP_PID"; rc=$?
is "up exit after SIGINT" "$rc" 0
ok "Redis gone" gone_within "$REDIS_PID" 5
is "exactly one shutdown in the log" "$(grep -c 'User requested shutdown' "$st/p1/redis.log")" 1
ok "it saved (SHUTDOWN SAVE)" grep -q "DB saved on disk" "$st/p1/redis.log"
ok "dump.rdb in the data dir" test -s "$st/p1/data/dump.rdb"
ok "up said how it stopped" grep -q "SHUTDOWN SAVE" "$RL_TMP/p1.err"
is "record says stopped" "$(sed -n 's/^state: //p' "$st/p1/instance.yaml")" '"stopped"'
"$RL_BIN" -q up --detach --profile replit --port "$port" --name p1 --set "save=3600 1" >/dev/null
is "the data came back" "$("$cli" -p "$port" get rl:test:kept)" yes
"$RL_BIN" -q down --name p1

# 2. SIGTERM without persistence: plain SHUTDOWN, no dump, exit 0.
port=$(rl_free_port)
ok "foreground up starts" start_fg p2 "$port"
kill -TERM "$UP_PID"; wait "$UP_PID"; rc=$?
is "up exit after SIGTERM" "$rc" 0
ok "Redis gone after SIGTERM to up" gone_within "$REDIS_PID" 5
is "one shutdown" "$(grep -c 'User requested shutdown' "$st/p2/redis.log")" 1
ok "no dump written" test ! -e "$st/p2/data/dump.rdb"

# 3. Redis killed with SIGKILL after it was ready: exit 3, log tail, diagnosis.
port=$(rl_free_port)
ok "foreground up starts again" start_fg k1 "$port"
kill -KILL "$REDIS_PID"; wait "$UP_PID"; rc=$?
is "up exit when Redis is killed" "$rc" 3
ok "names the signal" grep -q "was killed by signal 9 (SIGKILL) after it was ready" "$RL_TMP/k1.err"
ok "shows the log tail" grep -q "Last lines of $st/k1/redis.log" "$RL_TMP/k1.err"
ok "the tail is this run's log" grep -q "Ready to accept connections" "$RL_TMP/k1.err"
ok "gives a diagnosis" grep -q "^Diagnosis: " "$RL_TMP/k1.err"
is "record says stopped after the death" "$(sed -n 's/^state: //p' "$st/k1/instance.yaml")" '"stopped"'

# 4. up killed with SIGKILL: Redis must not outlive it.
port=$(rl_free_port)
ok "foreground up starts for the kill" start_fg k2 "$port"
ok "Redis runs" rl_pid_running "$REDIS_PID"
kill -KILL "$UP_PID"; wait "$UP_PID" 2>/dev/null
ok "Redis died with up (PR_SET_PDEATHSIG)" gone_within "$REDIS_PID" 10
ok "its port is free" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"

# 5. A Redis that refuses its config: exit 3 with its own words (printed before its log
#    file opens, so only the captured stderr has them) and a diagnosis.
port=$(rl_free_port)
"$RL_BIN" up --profile replit --port "$port" --name bad --set "hz=notanumber" >/dev/null 2>"$RL_TMP/bad.err"; rc=$?
is "a failing start exits 3" "$rc" 3
ok "during startup" grep -q "exited with code 1 during startup" "$RL_TMP/bad.err"
ok "Redis's complaint is in the tail" grep -q "FATAL CONFIG FILE ERROR" "$RL_TMP/bad.err"
ok "diagnosis points at the config" grep -q "Redis rejected a line of its redis.conf" "$RL_TMP/bad.err"

done_testing
