# Real Redis for integration tests, built from real source by redis-light's own `build`.
# Source it after common.sh. The build cache is shared by every test of a CI run (and by
# the ASan run), so Redis compiles once per key.
#   RL_TEST_CACHE          cache dir (default: $RL_SRC/build-test-cache)
#   RL_TEST_REDIS_SERVER   development shortcut: use this binary instead of building
export RL_TEST_CACHE="${RL_TEST_CACHE:-$RL_SRC/build-test-cache}"

# rl_redis_server [PROFILE] — prints the path of redis-server built with PROFILE
# (default replit: libc malloc). Fails the test loudly when the build fails.
rl_redis_server() {
  local profile=${1:-replit}
  if [ -n "${RL_TEST_REDIS_SERVER:-}" ]; then echo "$RL_TEST_REDIS_SERVER"; return 0; fi
  local out
  out=$(XDG_CACHE_HOME="$RL_TEST_CACHE" "$RL_BIN" -q build --profile "$profile" 2>"$RL_TMP/build.err") || {
    echo "rl_redis_server: redis-light build --profile $profile failed:" >&2
    tail -n 30 "$RL_TMP/build.err" >&2
    return 1
  }
  echo "$out" | tail -n 1
}

# rl_redis_cli — redis-cli from the same build (installed beside redis-server).
rl_redis_cli() { echo "$(dirname "$(rl_redis_server "${1:-replit}")")/redis-cli"; }

# rl_stop_instances STATE_ROOT — at exit: every instance `up` recorded under STATE_ROOT
# (…/redis-light) is stopped by redis-light, then killed by its recorded pid for sure.
rl_stop_instances() {
  local d pid
  for d in "$1"/*/; do
    [ -f "$d/instance.yaml" ] || continue
    "$RL_BIN" -q down --name "$(basename "$d")" >/dev/null 2>&1
    pid=$(sed -n 's/^pid: //p' "$d/instance.yaml")
    [ -n "$pid" ] && [ "$pid" != 0 ] && kill -9 "$pid" 2>/dev/null
  done
  return 0
}

# rl_free_port — a TCP port nobody listens on, below the kernel's ephemeral range: a port
# in that range may be the local end of a client connection, or of its TIME_WAIT (bench
# leaves thousands), and then Redis cannot bind it although nobody listens there.
rl_free_port() {
  local p lo=32768
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  [ "$lo" -gt 22000 ] 2>/dev/null || lo=40000 # an odd range: keep the old span
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % (lo - 20000)))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# rl_free_cluster_port — a free port P whose cluster bus port P+10000 is free too, both
# below the ephemeral range (a client connection's local end there would take the bus).
rl_free_cluster_port() {
  local p lo=32768
  read -r lo _ </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  [ "$lo" -gt 22000 ] 2>/dev/null || lo=40000
  for _ in $(seq 1 200); do
    p=$((12000 + RANDOM % (lo - 10000 - 12000)))
    (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null && continue
    (exec 3<>/dev/tcp/127.0.0.1/$((p + 10000))) 2>/dev/null && continue
    echo "$p"; return 0
  done
  return 1
}

# rl_start_server SERVER PORT [redis args...] — a throwaway server in $RL_TMP, stopped at
# exit. Waits until it answers PING. Sets RL_SERVER_PID.
rl_start_server() {
  local bin=$1 port=$2; shift 2
  local dir="$RL_TMP/redis-$port"
  mkdir -p "$dir"
  "$bin" --port "$port" --bind 127.0.0.1 --dir "$dir" --save '' --appendonly no \
    --daemonize no --logfile "$dir/redis.log" "$@" &
  RL_SERVER_PID=$!
  on_exit "kill -9 $RL_SERVER_PID 2>/dev/null; wait $RL_SERVER_PID 2>/dev/null"
  local cli; cli="$(dirname "$bin")/redis-cli"
  for _ in $(seq 1 100); do
    [ "$("$cli" -p "$port" ping 2>/dev/null)" = PONG ] && return 0
    sleep 0.05
  done
  echo "rl_start_server: $bin did not answer PING on port $port" >&2
  cat "$dir/redis.log" >&2
  return 1
}

# rl_pid_running PID — true while PID runs. A process that exited but was not reaped yet
# (a zombie: kill -0 still succeeds) counts as gone, since nothing reaps orphans promptly
# under some init processes.
rl_pid_running() {
  [ -r "/proc/$1/stat" ] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}
