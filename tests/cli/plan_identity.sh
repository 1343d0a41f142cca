#!/usr/bin/env bash
# One plan for every command: for every fixture sysroot, with and without a Replit marker
# (REPL_ID) in the captured environment, and with a user profile that matches on an
# environment variable, the plan printed by `doctor --json` (its "plan"), `up --dry-run
# --json` and `build --dry-run --json` is the same object, field by field. The same on
# the live system with REPL_ID set and unset.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT REPL_ID REPL_SLUG RL_PLAN_MARK
command -v jq >/dev/null || skip "jq is not installed"

# A user profile chosen only where RL_PLAN_MARK is set: the environment decides the plan.
mkdir -p "$XDG_CONFIG_HOME/redis-light/profiles"
cat >"$XDG_CONFIG_HOME/redis-light/profiles/marked.yaml" <<'EOF'
name: marked
description: chosen where RL_PLAN_MARK is set (test)
priority: 500
match:
  - env RL_PLAN_MARK
build:
  allocator: libc
config:
  maxmemory:
    share: 40%
    min: 8mb
  maxmemory-policy: allkeys-lfu
  save: ""
headroom: 30%
EOF

# plans ROOT_ARGS... — prints "OK" when the three commands agree, else what differs.
plans() {
  local d u b
  d=$(timeout 20 "$RL_BIN" "$@" doctor --json 2>/dev/null | jq -S '.plan')
  u=$(timeout 20 "$RL_BIN" "$@" up --dry-run --json 2>/dev/null | jq -S '.')
  b=$(timeout 20 "$RL_BIN" "$@" build --dry-run --json 2>/dev/null | jq -S '.')
  if [ -z "$d" ] || [ "$d" = null ] || ! jq -e '.build and .budget and .role and .config' >/dev/null <<<"$d"; then
    echo "doctor printed no plan"
  elif [ "$d" != "$u" ]; then
    echo "doctor vs up --dry-run:"; diff <(echo "$d") <(echo "$u") | head -20
  elif [ "$d" != "$b" ]; then
    echo "doctor vs build --dry-run:"; diff <(echo "$d") <(echo "$b") | head -20
  else
    echo OK
  fi
  printf '%s\n' "$d" >"$RL_TMP/last-plan.json"
}

fx="$RL_FIXTURES/sysroots"
n=0
for scen in "$fx"/*/; do
  name=$(basename "$scen")
  [ "$name" = _base ] && continue
  for env in plain repl marked; do
    root="$RL_TMP/roots/$name-$env"
    mkdir -p "$root"
    cp -a "$fx/_base/." "$root/"
    cp -a "$scen/." "$root/"
    rm -f "$root/expected.json"
    while IFS= read -r p; do
      [ -n "$p" ] && rm -rf "${root:?}$p"
    done < <(jq -r '.remove // [] | .[]' "$scen/expected.json")
    mkdir -p "$root/proc/self"
    case $env in
      repl) printf 'REPL_ID=0f1e2d3c\0' >>"$root/proc/self/environ" ;;
      marked) printf 'RL_PLAN_MARK=1\0' >>"$root/proc/self/environ" ;;
    esac
    res=$(plans --sysroot "$root")
    is "$name ($env): doctor, up --dry-run and build --dry-run print one plan" "$res" OK
    prof=$(jq -r '.profile' "$RL_TMP/last-plan.json")
    [ "$env" = marked ] && is "$name ($env): the environment's user profile is planned" "$prof" marked
    if [ "$env" = repl ] && [ "$prof" != marked ]; then
      # the sandbox marker decides the build: libc, whatever the memory decision is
      is "$name ($env): REPL_ID plans the libc build" "$(jq -r '.build.allocator' "$RL_TMP/last-plan.json")" libc
    fi
    n=$((n + 1))
  done
done
ok "ran over the fixture sysroots (got $n roots)" test "$n" -gt 50

# The live system, as it is and with the markers in the real environment.
is "live system: one plan" "$(plans)" OK
is "live system, REPL_ID set: one plan" "$(REPL_ID=1 plans)" OK
is "live system, REPL_ID set: profile replit" "$(jq -r '.profile' "$RL_TMP/last-plan.json")" replit
is "live system, RL_PLAN_MARK set: one plan" "$(RL_PLAN_MARK=1 plans)" OK
is "live system, RL_PLAN_MARK set: profile marked" "$(jq -r '.profile' "$RL_TMP/last-plan.json")" marked

# A --sysroot describes another machine: up refuses to launch there, --dry-run is the way.
"$RL_BIN" --sysroot "$fx/_base" up >/dev/null 2>"$RL_TMP/err"; rc=$?
is "up --sysroot without --dry-run is invalid input" "$rc" 2
ok "and says to add --dry-run" grep -q -- "--dry-run" "$RL_TMP/err"
done_testing
