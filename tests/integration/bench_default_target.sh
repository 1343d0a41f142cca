#!/usr/bin/env bash
# With no -h/-p/-s, bench measures the instance `up` started (read from its instance
# record), and falls back to 127.0.0.1:6379 when none runs.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
rl_redis_server >/dev/null || exit 1 # builds the replit profile into the shared test cache
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
port=$(rl_free_port) || exit 1
"$RL_BIN" -q up --detach --profile replit --port "$port" >"$RL_TMP/up.out" 2>"$RL_TMP/up.err" || {
  echo "redis-light up --detach failed:" >&2; cat "$RL_TMP/up.err" >&2; exit 1; }
on_exit "'$RL_BIN' -q down >/dev/null 2>&1"

"$RL_BIN" bench --json -n 500 -c 4 >"$RL_TMP/out.json" 2>"$RL_TMP/err"
is "up instance: exit 0" "$?" 0
is "up instance: its port" "$(jq .target.port "$RL_TMP/out.json")" "$port"
ok "up instance: said where the target came from" jq -e '.target.source | test("instance \"default\" started by up")' "$RL_TMP/out.json"
ok "up instance: its maxmemory in the header facts" jq -e '.target.maxmemory > 0' "$RL_TMP/out.json"
is "explicit -p wins over the instance" "$("$RL_BIN" bench --json -p "$port" -n 10 -t set 2>/dev/null | jq -r .target.source)" "-h/-p"

"$RL_BIN" -q down >/dev/null 2>&1
"$RL_BIN" bench --json -n 10 -t set --timeout 0.5 >"$RL_TMP/out.json" 2>"$RL_TMP/err"
rc=$?
if [ "$rc" -eq 0 ]; then # a server happens to run on 6379 here
  is "no instance: the default address" "$(jq -r '"\(.target.host):\(.target.port) \(.target.source)"' "$RL_TMP/out.json")" "127.0.0.1:6379 default address"
else
  is "no instance, nothing on 6379: exit 3" "$rc" 3
  ok "no instance: tried 127.0.0.1:6379" grep -q "cannot connect to 127.0.0.1:6379" "$RL_TMP/err"
fi
done_testing
