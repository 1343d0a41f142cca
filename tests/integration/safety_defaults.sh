#!/usr/bin/env bash
# Safe defaults of `up`, against a real Redis built by `redis-light build`: the state
# directory is 0700 and every file in it 0600 even under umask 000; Redis listens on
# loopback only with protected-mode on, so this machine's other address is refused; binding
# beyond loopback without a password warns, and protected mode then answers DENIED to
# remote clients; --set cannot smuggle in a second directive, an include or a
# rename-command (checked at the `up` level: nothing written, nothing started); files are
# never written through a link planted at a fixed temporary name; user input never
# reaches a shell.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status --json"

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
st="$XDG_STATE_HOME/redis-light"

# Every instance this test starts is stopped at exit, by redis-light and then for sure.
on_exit 'rl_stop_instances "$st"'
mode() { stat -c %a "$1"; }
# This machine's first non-loopback IPv4 address, to play a remote client ("" if none).
ext=$(ip -4 -o addr show scope global 2>/dev/null | awk '{print $4}' | cut -d/ -f1 | head -n 1)
reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# --- files and modes, even under umask 000 -----------------------------------------------
port=$(rl_free_port)
(umask 000; "$RL_BIN" up --detach --profile replit --port "$port" --name m1 >"$RL_TMP/up.out" 2>"$RL_TMP/up.err"); rc=$?
is "up under umask 000" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/up.err" >&2
d="$st/m1"
is "state root 0700" "$(mode "$st")" 700
is "instance dir 0700" "$(mode "$d")" 700
is "data dir 0700" "$(mode "$d/data")" 700
for f in redis.conf instance.yaml redis.log redis.pid; do
  is "$f 0600" "$(mode "$d/$f")" 600
done
ok "no password file without a password" test ! -e "$d/password"
is "only the expected files (no temporaries left)" "$(ls -A "$d" | tr '\n' ' ')" "data instance.yaml redis.conf redis.log redis.pid "
pid=$(sed -n 's/^pid: //p' "$d/instance.yaml")
is "the server runs" "$("$cli" -p "$port" ping)" PONG
# Redis writes a dump into data/ on request: under umask 000 it must still not be public.
"$cli" -p "$port" set rl:safety:k v >/dev/null
"$cli" -p "$port" save >/dev/null
m=$(mode "$d/data/dump.rdb" 2>/dev/null || echo 777)
ok "the dump Redis wrote is private too (mode $m: Redis runs under umask 077)" test "$(( 8#$m & 8#077 ))" -eq 0

# --- loopback only, protected mode --------------------------------------------------------
conf="$d/redis.conf"
is "config binds loopback" "$(grep -E '^bind ' "$conf" | tail -n 1)" "bind 127.0.0.1"
is "config sets protected-mode yes" "$(grep -E '^protected-mode ' "$conf" | tail -n 1)" "protected-mode yes"
is "live: bind" "$("$cli" -p "$port" config get bind | tail -n 1)" 127.0.0.1
is "live: protected-mode" "$("$cli" -p "$port" config get protected-mode | tail -n 1)" yes
is "live: no requirepass" "$("$cli" -p "$port" config get requirepass | tail -n 1)" ""
if [ -n "$ext" ]; then
  ok "this machine's address $ext:$port is refused" sh -c "! (exec 3<>/dev/tcp/$ext/$port) 2>/dev/null"
else
  echo "# no non-loopback IPv4 address here: remote-client checks skipped"
fi
ok "no bind warning for the default" sh -c "! grep -q 'reaches beyond this machine' '$RL_TMP/up.err'"
"$RL_BIN" -q down --name m1

# --- binding beyond loopback ------------------------------------------------------------
"$RL_BIN" up --dry-run --profile replit --port 7001 --bind 0.0.0.0 --name w >"$RL_TMP/dry.out" 2>"$RL_TMP/dry.err"
is "dry run with --bind 0.0.0.0" "$?" 0
ok "warns: no password beyond loopback" grep -q "warning: --bind 0.0.0.0 reaches beyond this machine and no requirepass is set" "$RL_TMP/dry.err"
ok "the warning says what to do" grep -q -- "--password-file" "$RL_TMP/dry.err"
ok "protected-mode stays on in the plan" grep -qx "protected-mode yes" "$RL_TMP/dry.out"
"$RL_BIN" up --dry-run --profile replit --port 7001 --bind "127.0.0.1 ::1" --name w >/dev/null 2>"$RL_TMP/dry2.err"
ok "no warning for loopback addresses only" sh -c "! grep -q 'reaches beyond' '$RL_TMP/dry2.err'"
"$RL_BIN" up --dry-run --profile replit --port 7001 --bind 0.0.0.0 --password-file /dev/stdin --name w \
  <<<"not-shown-1" >"$RL_TMP/dry3.out" 2>"$RL_TMP/dry3.err"
is "dry run with --bind 0.0.0.0 and a password" "$?" 0
ok "no warning with a password" sh -c "! grep -q 'reaches beyond' '$RL_TMP/dry3.err'"
ok "the plan masks requirepass" grep -qx "requirepass (hidden)" "$RL_TMP/dry3.out"
ok "the plan never shows the password" sh -c "! grep -q not-shown-1 '$RL_TMP/dry3.out' '$RL_TMP/dry3.err'"
ok "dry runs wrote nothing" test ! -e "$st/w"

port=$(rl_free_port)
"$RL_BIN" up --detach --profile replit --port "$port" --bind 0.0.0.0 --name open >/dev/null 2>"$RL_TMP/open.err"; rc=$?
is "up --bind 0.0.0.0" "$rc" 0
ok "warns on the real launch too" grep -q "reaches beyond this machine and no requirepass is set" "$RL_TMP/open.err"
is "live: protected-mode still yes" "$("$cli" -p "$port" config get protected-mode | tail -n 1)" yes
if [ -n "$ext" ]; then
  ok "a remote client is DENIED by protected mode" \
    sh -c "'$cli' -h '$ext' -p '$port' ping 2>&1 | grep -q '^DENIED Redis is running in protected mode'"
  ok "and cannot write" sh -c "'$cli' -h '$ext' -p '$port' set rl:safety:remote x 2>&1 | grep -q DENIED"
  is "nothing written remotely" "$("$cli" -p "$port" exists rl:safety:remote)" 0
fi
"$RL_BIN" -q down --name open

# --- --set cannot add a directive ----------------------------------------------------------
# tests/unit/test_profiles.c checks the renderer; here the whole `up`: exit 2, the reason,
# no state directory, no process.
set_refused() { # set_refused LABEL WANT_IN_MESSAGE KV
  local label=$1 want=$2 kv=$3 name="inj$checks"
  "$RL_BIN" up --detach --profile replit --port "$(rl_free_port)" --name "$name" --set "$kv" \
    >"$RL_TMP/set.out" 2>"$RL_TMP/set.err"
  is "--set $label: exit 2" "$?" 2
  ok "--set $label: says why ($(head -n 1 "$RL_TMP/set.err"))" grep -q -- "$want" "$RL_TMP/set.err"
  ok "--set $label: nothing written" test ! -e "$st/$name"
}
set_refused "newline" "line break" $'hz=10\nrename-command CONFIG ""'
set_refused "carriage return" "line break" $'hz=10\rport 1'
set_refused "tab" "control character" $'hz=10\tport 1'
set_refused "escape byte" "control character" $'hz=1\x1b[2J'
set_refused "DEL" "control character" $'hz=1\x7f'
set_refused "newline in the key" "line break" $'hz\nport=1'
set_refused "include" "--set include is refused" "include=/etc/passwd"
set_refused "INCLUDE" "--set include is refused" "INCLUDE=/etc/passwd"
set_refused "rename-command CONFIG" "rename-command is refused" 'rename-command=CONFIG ""'
set_refused "Rename-Command" "is not a redis.conf directive name" "Rename-Command=CONFIG x"
set_refused "requirepass with a newline" "line break" $'requirepass=a\nport 1'
# (Redis runs in its data directory: that tells this test's servers from anyone else's.)
servers_under() { local p; for p in $(pgrep -x redis-server); do readlink "/proc/$p/cwd"; done | grep -c "^$1"; }
is "no redis-server was started for any of them" "$(servers_under "$st/inj")" 0
# A value with spaces and quotes stays one directive: Redis gets one line and rejects it
# or takes it whole, never a second directive.
"$RL_BIN" up --dry-run --profile replit --port 7001 --name q --set 'maxclients=100 port 1' >"$RL_TMP/q.out" 2>&1
is "a value with spaces stays on its line" "$(grep -c '^port ' "$RL_TMP/q.out")" 1

# --- temporary files: never written through a planted link --------------------------------
# Versions before mkstemp wrote redis.conf through the fixed name redis.conf.tmp with
# O_TRUNC and no O_EXCL (the record through instance.yaml.tmp.PID).
mkdir -p "$st/lnk" && chmod 700 "$st/lnk"
echo victim >"$RL_TMP/victim"
ln -s "$RL_TMP/victim" "$st/lnk/redis.conf.tmp"
port=$(rl_free_port)
"$RL_BIN" -q up --detach --profile replit --port "$port" --name lnk >/dev/null 2>"$RL_TMP/lnk.err"; rc=$?
is "up beside planted links" "$rc" 0
is "the link target is untouched" "$(cat "$RL_TMP/victim")" victim
ok "redis.conf is a regular file, not the link" test -f "$st/lnk/redis.conf" -a ! -L "$st/lnk/redis.conf"
ok "the record is a regular file" test -f "$st/lnk/instance.yaml" -a ! -L "$st/lnk/instance.yaml"
is "the server runs" "$("$cli" -p "$port" ping)" PONG
"$RL_BIN" -q down --name lnk
is "down did not write through them either" "$(cat "$RL_TMP/victim")" victim

# --- no shell between user input and the programs run --------------------------------------
# Relative names: a shell would create the pwned files in the working directory.
mkdir "$RL_TMP/sh" && cd "$RL_TMP/sh" || exit 1
evil="src;touch pwned1;\$(touch pwned2)\`touch pwned3\`|touch pwned4&&touch pwned5.tar.gz"
echo "not a tarball" >"$evil"
XDG_CACHE_HOME="$RL_TMP/cache" "$RL_BIN" build --profile replit --source "$evil" >/dev/null 2>"$RL_TMP/evil.err"; rc=$?
is "a garbage tarball with shell syntax in its name: exit 3" "$rc" 3
ok "tar got the name as one argument" grep -qF "tar -xf $RL_TMP/sh/$evil" "$RL_TMP/evil.err"
"$RL_BIN" up --dry-run --profile replit --port 7001 --name sh1 --set "hz=\$(touch pwned6)" >/dev/null 2>&1
"$RL_BIN" up --dry-run --profile replit --port 7001 --name "sh2;touch pwned7" >/dev/null 2>&1
is "no shell ran any of it" "$(ls | grep -c "^pwned")" 0
cd "$RL_SRC" || exit 1

done_testing
