#!/usr/bin/env bash
# up --detach with a real Redis built by `redis-light build`: it answers PING, runs with
# the profile's maxmemory, policy and allocator, status --json tells the truth, down
# leaves no process but keeps data and log; busy ports, running names, stale records,
# bad sockets, unwritable state directories and --dry-run each behave as documented.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"

# Every instance this test starts is stopped at exit, by redis-light and then for sure.
on_exit 'rl_stop_instances "$st"'
gone() { ! rl_pid_running "$1"; }
field() { jq -r ".instances[] | select(.name==\"$1\") | .$2"; }
bytes() { # redis.conf size → bytes (k/m/g are 1000s, kb/mb/gb 1024s)
  local v=${1,,}
  case $v in
    *gb) echo $(( ${v%gb} << 30 )) ;; *mb) echo $(( ${v%mb} << 20 )) ;; *kb) echo $(( ${v%kb} << 10 )) ;;
    *g) echo $(( ${v%g} * 1000000000 )) ;; *m) echo $(( ${v%m} * 1000000 )) ;; *k) echo $(( ${v%k} * 1000 )) ;;
    *) echo "$v" ;;
  esac
}

port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --name t1 >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"; rc=$?
is "up --detach exit" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/up.err" >&2
is "export line on stdout" "$(cat "$RL_TMP/up.out")" "export REDIS_URL=redis://127.0.0.1:$port"
ok "ready line" grep -qE "^ready: redis://127.0.0.1:$port \(profile replit, malloc=libc, maxmemory [0-9]+[kmg]?b? [a-z-]+\) in [0-9.]+ s$" "$RL_TMP/up.err"
is "PING" "$("$cli" -p "$port" ping)" PONG

conf="$st/t1/redis.conf"
want_mm=$(bytes "$(sed -n 's/^maxmemory //p' "$conf" | tail -n 1)")
want_policy=$(sed -n 's/^maxmemory-policy //p' "$conf" | tail -n 1)
ok "the config sets maxmemory" test -n "$want_mm"
is "CONFIG GET maxmemory matches the config" "$("$cli" -p "$port" config get maxmemory | tail -n 1)" "$want_mm"
is "CONFIG GET maxmemory-policy matches" "$("$cli" -p "$port" config get maxmemory-policy | tail -n 1)" "$want_policy"
is "mem_allocator" "$("$cli" -p "$port" info memory | tr -d '\r' | sed -n 's/^mem_allocator://p')" libc
is "bound to loopback only" "$("$cli" -p "$port" config get bind | tail -n 1)" 127.0.0.1
is "protected mode" "$("$cli" -p "$port" config get protected-mode | tail -n 1)" yes
is "RDB off as the profile says" "$("$cli" -p "$port" config get save | tail -n 1)" ""

is "state dir 0700" "$(stat -c %a "$st/t1")" 700
is "redis.conf 0600" "$(stat -c %a "$conf")" 600
is "redis.log 0600" "$(stat -c %a "$st/t1/redis.log")" 600
pid=$(sed -n 's/^pid: //p' "$st/t1/instance.yaml")
is "record pid is the server's" "$pid" "$("$cli" -p "$port" info server | tr -d '\r' | sed -n 's/^process_id://p')"
ok "record holds port, profile, binary, config" grep -q "^port: $port$" "$st/t1/instance.yaml"
ok "record binary" grep -q "^binary: \"$server\"" "$st/t1/instance.yaml"

"$cli" -p "$port" set rl:test:k v >/dev/null
"$RL_BIN" status --json >"$RL_TMP/status.json"; rc=$?
is "status exit with all running" "$rc" 0
s=$(cat "$RL_TMP/status.json")
is "status state" "$(field t1 state <<<"$s")" running
is "status alive" "$(field t1 alive <<<"$s")" true
is "status pid" "$(field t1 pid <<<"$s")" "$pid"
is "status address" "$(field t1 address <<<"$s")" "redis://127.0.0.1:$port"
is "status profile" "$(field t1 profile <<<"$s")" replit
is "status malloc" "$(field t1 malloc <<<"$s")" libc
is "status maxmemory" "$(field t1 maxmemory <<<"$s")" "$want_mm"
used=$("$cli" -p "$port" info memory | tr -d '\r' | sed -n 's/^used_memory://p')
u=$(field t1 used_memory <<<"$s")
ok "status used_memory is the server's ($u vs $used)" test "$u" -gt 0 -a "$u" -le $((used + 1048576)) -a "$u" -ge $((used - 1048576))
ok "status uptime" test "$(field t1 uptime_seconds <<<"$s")" -ge 0

# A running name, a busy port.
"$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name t1 >/dev/null 2>"$RL_TMP/dup.err"; rc=$?
is "same name again exits 3" "$rc" 3
ok "says it is already running" grep -q 'instance "t1" is already running' "$RL_TMP/dup.err"
"$RL_BIN" up --detach --profile replit --port "$port" --name t2 >/dev/null 2>"$RL_TMP/busy.err"; rc=$?
is "busy port exits 3" "$rc" 3
ok "the message names the port" grep -q "port $port on 127.0.0.1 is already in use by redis-server (pid $pid)" "$RL_TMP/busy.err"
ok "no record for the refused instance" test ! -e "$st/t2/instance.yaml"

# down: no process left, pid file and socket gone, data and log kept.
"$RL_BIN" down --name t1 2>"$RL_TMP/down.err"; rc=$?
is "down exit" "$rc" 0
ok "process gone" gone "$pid"
ok "port free again" sh -c "! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null"
ok "pid file removed" test ! -e "$st/t1/redis.pid"
ok "log kept" test -s "$st/t1/redis.log"
ok "data dir kept" test -d "$st/t1/data"
ok "one shutdown in the log" test "$(grep -c 'User requested shutdown' "$st/t1/redis.log")" = 1
is "status after down" "$("$RL_BIN" status --json | field t1 state)" stopped
"$RL_BIN" status --name t1 >/dev/null; rc=$?
is "status --name of a stopped instance exits 1" "$rc" 1
"$RL_BIN" down --name t1 >/dev/null 2>&1; rc=$?
is "down again is harmless" "$rc" 0
"$RL_BIN" down --name nosuch 2>"$RL_TMP/nosuch.err"; rc=$?
is "down of an unknown name exits 2" "$rc" 2
ok "lists the known ones" grep -q "instances: t1" "$RL_TMP/nosuch.err"

# A stale record: Redis killed behind redis-light's back.
"$RL_BIN" -q up --detach --profile replit --port "$port" --name t1 >/dev/null 2>&1
pid=$(sed -n 's/^pid: //p' "$st/t1/instance.yaml")
kill -9 "$pid"
for _ in $(seq 1 50); do rl_pid_running "$pid" || break; sleep 0.1; done
"$RL_BIN" status --json >"$RL_TMP/dead.json"; rc=$?
is "status with a dead instance exits 1" "$rc" 1
is "dead instance shown as such" "$(field t1 state <"$RL_TMP/dead.json")" dead
is "dead instance not alive" "$(field t1 alive <"$RL_TMP/dead.json")" false
is "dead instance used_memory null" "$(field t1 used_memory <"$RL_TMP/dead.json")" null
"$RL_BIN" up --detach --profile replit --port "$port" --name t1 >/dev/null 2>"$RL_TMP/stale.err"; rc=$?
is "up over a stale record exit" "$rc" 0
ok "says it cleaned the stale record" grep -q "is gone; cleaning up its stale record" "$RL_TMP/stale.err"
is "PING after restart" "$("$cli" -p "$port" ping)" PONG
"$RL_BIN" -q down --name t1

# A Unix socket, only as long as allowed, never over an existing file.
sock="$RL_TMP/r.sock"
"$RL_BIN" -q up --detach --profile replit --port "$(rl_free_port)" --socket "$sock" --name s1 >/dev/null; rc=$?
is "up with --socket" "$rc" 0
is "PING over the socket" "$("$cli" -s "$sock" ping)" PONG
is "socket is 0700" "$(stat -c %a "$sock")" 700
"$RL_BIN" -q down --name s1
ok "socket removed by down" test ! -e "$sock"
long="/tmp/$(printf 'x%.0s' $(seq 1 120)).sock"
"$RL_BIN" up --detach --profile replit --socket "$long" --name s2 >/dev/null 2>"$RL_TMP/long.err"; rc=$?
is "long socket path exits 2" "$rc" 2
ok "says why" grep -q "bytes long; Unix socket paths must stay under 100 bytes" "$RL_TMP/long.err"
echo keep >"$RL_TMP/file.txt"
"$RL_BIN" up --detach --profile replit --socket "$RL_TMP/file.txt" --name s3 >/dev/null 2>"$RL_TMP/file.err"; rc=$?
is "socket over a regular file exits 2" "$rc" 2
is "the file is untouched" "$(cat "$RL_TMP/file.txt")" keep

# Reserved --set keys, unwritable state, dry run.
"$RL_BIN" up --detach --profile replit --set port=1 >/dev/null 2>"$RL_TMP/set.err"; rc=$?
is "--set port exits 2" "$rc" 2
ok "points at --port" grep -q -- "--port" "$RL_TMP/set.err"
: >"$RL_TMP/notadir"
XDG_STATE_HOME="$RL_TMP/notadir/x" "$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name w \
  >/dev/null 2>"$RL_TMP/unwritable.err"; rc=$?
is "unwritable state dir exits 3" "$rc" 3
ok "says which directory and what to do" grep -q "cannot create the state directory $RL_TMP/notadir/x/redis-light.*XDG_STATE_HOME" "$RL_TMP/unwritable.err"
XDG_STATE_HOME="$RL_TMP/dry" "$RL_BIN" up --dry-run --profile replit --port 7777 --name d --set maxclients=50 \
  >"$RL_TMP/dry.out" 2>&1; rc=$?
is "dry run exit" "$rc" 0
ok "dry run prints the config" grep -q "^port 7777$" "$RL_TMP/dry.out"
ok "with the --set" grep -q "^maxclients 50$" "$RL_TMP/dry.out"
ok "and the plan" grep -q "^# dry run: nothing was changed" "$RL_TMP/dry.out"
ok "dry run changed nothing" test ! -e "$RL_TMP/dry"

done_testing
