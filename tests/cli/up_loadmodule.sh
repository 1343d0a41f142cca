#!/usr/bin/env bash
# A module is a shared library Redis runs inside the server: up refuses loadmodule from
# --set (in any case: Redis reads directive names case-insensitively) and from a profile's
# config, with exit 2 and the reason, before planning anything. profiles show --set and
# profiles validate are checked in profiles_cli.sh.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT

refused() { # refused LABEL WANT_IN_MESSAGE UP_ARGS...
  local label=$1 want=$2; shift 2
  timeout 20 "$RL_BIN" up --dry-run --port 7001 "$@" >"$RL_TMP/out" 2>"$RL_TMP/err"
  is "$label: exit 2" "$?" 2
  ok "$label: says why ($(head -n 1 "$RL_TMP/err"))" grep -qF -- "$want" "$RL_TMP/err"
  ok "$label: no config printed" bash -c '! grep -qi "^loadmodule" "$1"' _ "$RL_TMP/out"
}
refused "--set loadmodule" "--set loadmodule is refused: a module is native code" \
  --profile replit --set loadmodule=/tmp/evil.so
refused "--set LoadModule" "--set loadmodule is refused" --profile replit --set LoadModule=/tmp/evil.so
refused "--set loadmodule with arguments" "--set loadmodule is refused" \
  --profile replit --set 'loadmodule=/tmp/evil.so arg1 arg2'

cat >"$RL_TMP/mod.yaml" <<'Y'
name: mod
build:
  allocator: libc
config:
  loadmodule: /tmp/evil.so
Y
refused "a profile with loadmodule" "$RL_TMP/mod.yaml:5:3: a profile may not set \"loadmodule\"" --profile "$RL_TMP/mod.yaml"
ok "nothing was written to the state directory" test ! -e "$XDG_STATE_HOME/redis-light/default"

# the same profile and --set without loadmodule plan fine: the refusal is that directive's
sed -i 's|  loadmodule: /tmp/evil.so|  hz: "20"|' "$RL_TMP/mod.yaml"
timeout 20 "$RL_BIN" up --dry-run --port 7001 --profile "$RL_TMP/mod.yaml" --set maxclients=100 >"$RL_TMP/out" 2>"$RL_TMP/err"
is "without loadmodule: up --dry-run exits 0 ($(head -n 1 "$RL_TMP/err"))" "$?" 0
ok "without loadmodule: the config has the profile's and --set's lines" \
  bash -c 'grep -qx "hz 20" "$1" && grep -qx "maxclients 100" "$1"' _ "$RL_TMP/out"

done_testing
