#!/usr/bin/env bash
# bench's argument errors: exit 2 with a reason naming the option, before any connection
# is attempted (the target port here has no server, so a connection attempt would show as
# exit 3); --help documents every option.
. "$RL_SRC/tests/lib/common.sh"
nobody=1 # port 1: nothing listens there; usage errors must come first

# bad "WHAT THE MESSAGE SAYS" ARGS...
bad() {
  local want=$1; shift
  "$RL_BIN" bench -p "$nobody" "$@" >"$RL_TMP/out" 2>"$RL_TMP/err"
  local rc=$?
  is "bench $*: exit 2" "$rc" 2
  ok "bench $*: says \"$want\"" grep -qF -- "$want" "$RL_TMP/err"
  ok "bench $*: shows the usage" grep -q "Usage: redis-light bench" "$RL_TMP/err"
  ok "bench $*: nothing on stdout" test ! -s "$RL_TMP/out"
}

bad "--clients must be between 1 and" -c 0
bad "--clients expects a whole number" -c many
bad "--threads 5 is more than -c 2" --threads 5 -c 2
bad "--requests must be between 1" -n 0
bad "--requests expects a whole number" -n 1.5
bad "either -n (requests) or --duration" -n 10 --duration 1
bad "--duration must be between" --duration 0
bad "--warmup expects a number" --warmup soon
bad "--ratio \"1:x\" is not SETS:GETS" --ratio 1:x
bad "SETs and GETs cannot both be 0" --ratio 0:0
bad "give either -t or --ratio" --ratio 1:1 -t set
bad "-t: unknown test \"INCR\"" -t set,incr
bad "names no test" -t ,
bad "the zipf exponent must be a number above 0" --distribution zipf:0
bad "--distribution \"pareto\" is not one of" --distribution pareto
bad "--pipeline must be between 1" -P 0
bad "--keyspace must be between 1" -r 0
bad "--keyspace must be between 1" -r 2000000000000
bad "--datasize must be between 0" -d 1gb
bad "give either -s or -h/-p" -s /tmp/x.sock -h localhost
bad "--user bob needs a password" --user bob
bad "give either --csv or --json" --csv --json
bad "bench takes no arguments" extra
bad "--rps must be between 1" --rps 0
bad "--timeout must be between" --timeout 0
bad "--port must be between 1 and 65535" -p 70000
bad "unknown option --eviction-now" --eviction-now
bad "needs more than 1 GiB of send buffers" -c 1000 -P 1000 -d 4kb
bad "-h needs a value, got an empty string" -h ""
bad "-s needs a value, got an empty string" -s ""
bad "--key-prefix contains a control character" --key-prefix "$(printf 'a\nb')"
# --maxmemory 0 parses as a size: the message must still say what is wrong (it once
# printed an uninitialised buffer).
bad "--maxmemory 0: give at least 1mb" --eviction --maxmemory 0
bad "--maxmemory 1000: give at least 1mb" --eviction --maxmemory 1000
bad "--maxmemory lots: " --eviction --maxmemory lots

"$RL_BIN" bench --help >"$RL_TMP/help" 2>&1
is "--help: exit 0" "$?" 0
for o in "-h, --host" "-p, --port" "-s, --socket" "-a, --password" "--user" "--dbnum" "-c, --clients" \
         "--threads" "-n, --requests" "--duration" "--warmup" "-d, --datasize" "-r, --keyspace" \
         "-P, --pipeline" "-t, --tests" "--ratio" "--distribution" "--key-prefix" "--rps" "--seed" \
         "--timeout" "--csv"; do
  ok "--help lists $o" grep -qF -- "$o" "$RL_TMP/help"
done
# -h is the host here, as in redis-benchmark: with no server there it is a runtime failure.
"$RL_BIN" bench -h 127.0.0.1 -p "$nobody" --timeout 0.2 -n 1 >/dev/null 2>"$RL_TMP/err"
is "-h is the host: cannot connect is exit 3" "$?" 3
ok "-h is the host: named in the error" grep -q "cannot connect to 127.0.0.1:1" "$RL_TMP/err"
done_testing
