#!/usr/bin/env bash
# up --password / --password-file against a real Redis: requirepass is set (an
# unauthenticated PING gets NOAUTH, remote or local), the password is kept 0600 in the
# state directory and never printed or put in the record; status, down and bench use it
# without -a; a password that could break out of its redis.conf line is refused before
# anything is written; a restart without a password leaves no stale password behind.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status and bench --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"
on_exit 'rl_stop_instances "$st"'
# A password with a space, a double quote, a backslash and a '#': each must survive
# redis.conf quoting intact.
pw='s3 cr"e\t #x'
rc_() { "$cli" -p "$port" --no-auth-warning "$@" 2>&1 | tr -d '\r'; }
# not_shown FILE...: the password appears in none of them.
not_shown() { ! grep -qF -- "$pw" "$@"; }

# --- up --password ------------------------------------------------------------------------
port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --name p1 --password "$pw" >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"; rc=$?
is "up --password" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/up.err" >&2
d="$st/p1"
is "unauthenticated PING: NOAUTH" "$(rc_ ping)" "NOAUTH Authentication required."
is "unauthenticated SET refused" "$(rc_ set rl:pw:k v | cut -d' ' -f1)" NOAUTH
ok "wrong password refused" sh -c "'$cli' -p $port --no-auth-warning -a wrong ping 2>&1 | grep -q WRONGPASS"
is "the password works, quoting intact" "$(rc_ -a "$pw" ping)" PONG
is "live requirepass is the password" "$(rc_ -a "$pw" config get requirepass | tail -n 1)" "$pw"
is "password file 0600" "$(stat -c %a "$d/password")" 600
is "password file holds it" "$(cat "$d/password")" "$pw"
is "redis.conf 0600" "$(stat -c %a "$d/redis.conf")" 600
is "redis.conf has one requirepass line" "$(grep -c '^requirepass ' "$d/redis.conf")" 1
ok "not in the record" not_shown "$d/instance.yaml"
ok "not on up's output" not_shown "$RL_TMP/up.out" "$RL_TMP/up.err"
ok "not in the log" not_shown "$d/redis.log"
ok "up says clients must authenticate" grep -q "clients must authenticate" "$RL_TMP/up.err"
is "REDIS_URL carries no password" "$(cat "$RL_TMP/up.out")" "export REDIS_URL=redis://127.0.0.1:$port"

# status: authenticated INFO, no password shown.
"$RL_BIN" status --json --name p1 >"$RL_TMP/status.json" 2>"$RL_TMP/status.err"; rc=$?
is "status exit" "$rc" 0
is "status: running (it answered INFO)" "$(jq -r '.instances[0].state' "$RL_TMP/status.json")" running
ok "status: used_memory read through AUTH" jq -e '.instances[0].used_memory > 0' "$RL_TMP/status.json"
"$RL_BIN" status >"$RL_TMP/status.txt" 2>&1
ok "status never shows the password" not_shown "$RL_TMP/status.json" "$RL_TMP/status.err" "$RL_TMP/status.txt"

# bench: the up instance's password without -a; an explicit -a still wins.
"$RL_BIN" bench --json -n 300 -c 3 >"$RL_TMP/bench.json" 2>"$RL_TMP/bench.err"; rc=$?
is "bench without -a: exit 0" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/bench.err" >&2
is "bench measured the instance" "$(jq .target.port "$RL_TMP/bench.json")" "$port"
is "bench requests" "$(jq -c '[.results[].requests]' "$RL_TMP/bench.json")" "[300,300]"
is "the server agrees" "$(rc_ -a "$pw" info commandstats | sed -n 's/^cmdstat_set:calls=\([0-9]*\),.*/\1/p')" 300
ok "bench never shows the password" not_shown "$RL_TMP/bench.json" "$RL_TMP/bench.err"
"$RL_BIN" bench -n 10 -t set -a wrong >/dev/null 2>"$RL_TMP/bench2.err"; rc=$?
is "bench -a wrong: exit 3 (explicit -a wins)" "$rc" 3
ok "bench -a wrong: the server's words" grep -q WRONGPASS "$RL_TMP/bench2.err"
REDISCLI_AUTH=wrong "$RL_BIN" bench -n 10 -t set >/dev/null 2>&1
is "REDISCLI_AUTH also wins" "$?" 3
"$RL_BIN" bench -p "$port" -n 10 -t set >/dev/null 2>"$RL_TMP/bench3.err"
is "bench -p PORT (not the default target) needs -a" "$?" 3
ok "and says so" grep -q "requires a password (NOAUTH" "$RL_TMP/bench3.err"

# down: an authenticated SHUTDOWN, not a signal.
pid=$(sed -n 's/^pid: //p' "$d/instance.yaml")
"$RL_BIN" down --name p1 2>"$RL_TMP/down.err"; rc=$?
is "down exit" "$rc" 0
ok "down used SHUTDOWN (authenticated), not SIGTERM" grep -q "with SHUTDOWN in" "$RL_TMP/down.err"
ok "process gone" sh -c "! kill -0 $pid 2>/dev/null || grep -q '^State:.Z' /proc/$pid/status"
is "one shutdown in the log" "$(grep -c 'User requested shutdown' "$d/redis.log")" 1
ok "down never shows the password" not_shown "$RL_TMP/down.err"

# --- --password-file, and a restart without a password -------------------------------------
printf '%s\r\n' "$pw" >"$RL_TMP/pwfile"
chmod 600 "$RL_TMP/pwfile"
port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --name p1 --password-file "$RL_TMP/pwfile" >/dev/null 2>"$RL_TMP/up2.err"; rc=$?
is "up --password-file (CRLF line end)" "$rc" 0
is "the line end is not part of it" "$(rc_ -a "$pw" ping)" PONG
ok "no mode warning for a 0600 file" sh -c "! grep -q 'can be read by other users' '$RL_TMP/up2.err'"
"$RL_BIN" -q status --name p1 >/dev/null; is "status with the file's password" "$?" 0
"$RL_BIN" -q down --name p1; is "down with the file's password" "$?" 0
chmod 644 "$RL_TMP/pwfile"
"$RL_BIN" up --dry-run --profile replit --port 7001 --name p2 --password-file "$RL_TMP/pwfile" >/dev/null 2>"$RL_TMP/dry.err"
ok "a password file others can read: warned" grep -q "can be read by other users (mode 0644); chmod 600 it" "$RL_TMP/dry.err"
port=$(rl_free_port)
"$RL_BIN" -q up --detach --profile replit --port "$port" --name p1 >/dev/null 2>&1
is "restart without --password: no AUTH needed" "$(rc_ ping)" PONG
ok "and the old password file is gone" test ! -e "$d/password"
ok "and redis.conf has no requirepass" sh -c "! grep -q '^requirepass' '$d/redis.conf'"
"$RL_BIN" -q down --name p1

# --set requirepass= is kept the same way, so status and down still work.
port=$(rl_free_port)
"$RL_BIN" -q up --detach --profile replit --port "$port" --name p3 --set requirepass=plainpass >/dev/null 2>&1
is "--set requirepass: NOAUTH without it" "$(rc_ ping | cut -d' ' -f1)" NOAUTH
is "--set requirepass: stored 0600 too" "$(stat -c %a "$st/p3/password" 2>/dev/null)" 600
"$RL_BIN" status --json --name p3 | jq -r '.instances[0].state' >"$RL_TMP/s3"
is "--set requirepass: status answers" "$(cat "$RL_TMP/s3")" running
"$RL_BIN" down --name p3 2>"$RL_TMP/down3.err"
ok "--set requirepass: down by SHUTDOWN" grep -q "with SHUTDOWN in" "$RL_TMP/down3.err"

# --- refused before anything is written: exit 2, the reason, never the password ------------
refused() { # refused LABEL WANT -- UP-ARGS...
  local label=$1 want=$2; shift 3
  "$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name bad "$@" >"$RL_TMP/bad.out" 2>"$RL_TMP/bad.err"
  is "$label: exit 2" "$?" 2
  ok "$label: says why ($(grep -m1 error "$RL_TMP/bad.err"))" grep -q -- "$want" "$RL_TMP/bad.err"
  ok "$label: nothing written" test ! -e "$st/bad"
}
refused "newline" "holds a line break (byte 4 of 17)" -- --password $'abc\nrequirepass x'
refused "carriage return" "line break" -- --password $'abc\rdef'
refused "tab" "control character (byte 2" -- --password $'a\tb'
refused "escape byte" "control character" -- --password $'a\x1bb'
refused "DEL" "control character" -- --password $'ab\x7f'
refused "empty" "the password is empty" -- --password ""
refused "too long" "at most 255 are accepted" -- --password "$(printf 'x%.0s' $(seq 1 256))"
refused "both options" "give --password or --password-file, not both" -- --password a --password-file "$RL_TMP/pwfile"
refused "--password with --set requirepass" "not both" -- --password a --set requirepass=b
printf 'line1\nline2\n' >"$RL_TMP/two"; chmod 600 "$RL_TMP/two"
refused "a two-line password file" "holds a line break" -- --password-file "$RL_TMP/two"
: >"$RL_TMP/empty"
refused "an empty password file" "the password is empty" -- --password-file "$RL_TMP/empty"
refused "a missing password file" "cannot read --password-file $RL_TMP/nope" -- --password-file "$RL_TMP/nope"
refused "a directory as password file" "is a directory" -- --password-file "$RL_TMP"
head -c 4096 /dev/zero | tr '\0' 'y' >"$RL_TMP/big"
refused "a big password file" "holds more than a password" -- --password-file "$RL_TMP/big"
"$RL_BIN" up --detach --profile replit --name bad --password $'sekrit\nport 1' >/dev/null 2>"$RL_TMP/leak.err"
ok "a refused password is not echoed" sh -c "! grep -q sekrit '$RL_TMP/leak.err'"

done_testing
