#!/usr/bin/env bash
# bench touches only keys under its prefix: the user's keys (including look-alikes of the
# prefix) keep their values and types, and the keys bench creates are exactly PREFIX plus
# 12 digits, as many as the keyspace.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
bin=$(rl_redis_server) || exit 1
cli=$(rl_redis_cli)
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" || exit 1
r() { "$cli" -p "$port" "$@" | tr -d '\r'; }

# The user's data, some of it one character away from bench's keys.
user_keys=(user:1 rl rl: rl000000000001 rm:000000000001 RL:000000000001 xrl:000000000001
           "rl :000000000001" "bench:{b}:000000000001")
for k in "${user_keys[@]}"; do r set "$k" "value of $k" >/dev/null; done
r hset rl:hash f v >/dev/null      # under the prefix but not bench's shape: untouched too
r rpush rl:00000000000 a b >/dev/null # 11 digits: not a bench key
snapshot() {
  for k in "${user_keys[@]}"; do printf '%s=%s\n' "$k" "$(r get "$k")"; done
  printf 'rl:hash=%s\n' "$(r hgetall rl:hash | tr '\n' ' ')"
  printf 'list=%s\n' "$(r lrange rl:00000000000 0 -1 | tr '\n' ' ')"
}
before=$(snapshot)
nuser=$(r dbsize)

"$RL_BIN" bench -q -p "$port" -t set,get -n 4000 -r 500 -d 17 -c 8 -P 4 >/dev/null 2>"$RL_TMP/err"
is "default prefix run exits 0" "$?" 0
"$RL_BIN" bench -q -p "$port" --ratio 1:1 -n 3000 -r 200 --distribution zipf \
  --key-prefix 'bench:{a}:' -c 3 >/dev/null 2>>"$RL_TMP/err"
is "custom prefix run exits 0" "$?" 0

is "user keys unchanged" "$(snapshot)" "$before"
# Every key bench made matches PREFIX + 12 digits; nothing else appeared.
bench_rl=$(r --scan --pattern 'rl:[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' | wc -l)
bench_b=$(r --scan --pattern 'bench:{a}:*' | wc -l)
ok "default prefix made at most 500 keys, and some" test "$bench_rl" -gt 0 -a "$bench_rl" -le 500
ok "custom prefix made at most 200 keys, and some" test "$bench_b" -gt 0 -a "$bench_b" -le 200
is "no other key appeared" "$(r dbsize)" "$((nuser + bench_rl + bench_b))"
is "custom-prefix keys have 12 digits" \
  "$(r --scan --pattern 'bench:{a}:*' | grep -cvE '^bench:\{a\}:[0-9]{12}$')" 0
is "values have -d bytes" "$(r strlen "$(r --scan --pattern 'rl:0*' | head -1)")" 17

# A keyspace walked in order fills every key exactly once.
"$RL_BIN" bench -q -p "$port" -t set -n 300 -r 300 --distribution sequential --threads 3 -c 6 \
  --key-prefix seq: >/dev/null 2>&1
is "sequential: 300 distinct keys from 300 SETs" "$(r --scan --pattern 'seq:*' | sort -u | wc -l)" 300
is "sequential: from key 0 to key 299" \
  "$(r --scan --pattern 'seq:*' | sort | sed -n '1p;$p' | tr '\n' ' ')" "seq:000000000000 seq:000000000299 "
done_testing
