#!/usr/bin/env bash
# What a person at a terminal sees: the live line (only on a TTY, and not with -q or
# --json), --duration ending on time (loosely: timing targets do not belong in tests), and
# Ctrl-C ending a run with partial results instead of losing them.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
command -v script >/dev/null || skip "script(1) from util-linux is needed to give bench a terminal"
bin=$(rl_redis_server) || exit 1
port=$(rl_free_port) || exit 1
rl_start_server "$bin" "$port" || exit 1

# tty CMD...: runs CMD with a pseudo-terminal as stdin/stdout/stderr, output to $RL_TMP/tty.
tty() { script -qfec "$(printf '%q ' "$@")" /dev/null >"$RL_TMP/tty" 2>&1 </dev/null; }

tty "$RL_BIN" bench -p "$port" -t set --duration 1.2 -c 4 --warmup 0.5
ok "terminal: live line with current and overall ops/s and p50" grep -qE 'SET: [0-9]+ ops/s now, [0-9]+ overall, p50 [0-9.]+ ms' "$RL_TMP/tty"
ok "terminal: warm-up shown as such" grep -q 'SET: warming up' "$RL_TMP/tty"
ok "terminal: the final table follows" grep -qE '^SET +[0-9]+ ' <(tr '\r' '\n' <"$RL_TMP/tty" | sed 's/\x1b\[K//g')
tty "$RL_BIN" bench -q -p "$port" -t set --duration 0.6 -c 4
ok "terminal with -q: no live line" bash -c "! grep -q 'ops/s now' '$RL_TMP/tty'"
ok "terminal with -q: still the results" grep -qE '^SET +[0-9]+ ' "$RL_TMP/tty"
tty "$RL_BIN" bench --json -p "$port" -t set --duration 0.6 -c 4
ok "terminal with --json: nothing but JSON" jq -e '.results[0].requests > 0' "$RL_TMP/tty"

# --duration stops on time: the measured interval is at least the duration and ends soon
# after (generous bounds: the machine is shared).
t0=$(date +%s%N)
"$RL_BIN" bench -p "$port" --json -t set,get --duration 1 -c 4 >"$RL_TMP/out.json" 2>/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
ok "--duration: each test measured for at least 1 s" jq -e '.results | all(.duration_s >= 0.99)' "$RL_TMP/out.json"
ok "--duration: and not much longer" jq -e '.results | all(.duration_s < 4)' "$RL_TMP/out.json"
ok "--duration: two tests of 1 s took ${ms} ms in all" test "$ms" -lt 15000
ok "--duration: one series row per second or so" jq -e '.results | all(.series | length >= 1 and length <= 3)' "$RL_TMP/out.json"

# Ctrl-C (SIGINT) mid-run: partial results, the reason, exit 3.
"$RL_BIN" bench -p "$port" --json -t set --duration 60 -c 4 >"$RL_TMP/int.json" 2>"$RL_TMP/int.err" &
pid=$!
on_exit "kill -9 $pid 2>/dev/null"
sleep 1.2
kill -INT "$pid"
wait "$pid"
is "SIGINT: exit 3" "$?" 3
ok "SIGINT: partial results" jq -e '.results[0].requests > 0 and .results[0].complete == false' "$RL_TMP/int.json"
ok "SIGINT: reason" jq -e '.error | test("interrupted")' "$RL_TMP/int.json"
ok "SIGINT: said on stderr" grep -q "bench stopped early: interrupted" "$RL_TMP/int.err"
done_testing
