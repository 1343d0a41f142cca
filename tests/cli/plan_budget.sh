#!/usr/bin/env bash
# The memory budget as doctor and up show it, over fixture sysroots: every term with its
# source in the plan, the numbers doctor -v prints, and a limit smaller than the fixed
# costs: doctor's plan row fails with the fix, up refuses with the size it would need.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT REPL_ID REPL_SLUG
command -v jq >/dev/null || skip "jq is not installed"
fx="$RL_FIXTURES/sysroots"
jqok() { jq -e "$@" >/dev/null; }

# root NAME LIMIT_BYTES: v2-limit's tree with memory.max set to LIMIT_BYTES
root() {
  local r="$RL_TMP/roots/$1"
  mkdir -p "$r"
  cp -a "$fx/_base/." "$fx/v2-limit/." "$r/"
  rm -f "$r/expected.json"
  echo "$2" >"$r/sys/fs/cgroup/system.slice/app.service/memory.max"
  echo "$r"
}

r=$(root ok $((128 << 20)))
plan=$("$RL_BIN" --sysroot "$r" up --dry-run --json 2>"$RL_TMP/err")
is "up --dry-run plans under 128 MiB" $? 0
is "profile tiny plans it" "$(jq -r .profile <<<"$plan")" tiny
for t in "base RSS" clients "replication backlog" "fork reserve" "safety margin"; do
  ok "budget term \"$t\" with a source" jqok --arg t "$t" '[.budget.terms[] | select(.name == $t and (.source | length) > 10)] | length == 1' <<<"$plan"
done
ok "base RSS and the overhead factor come from the shipped table" \
  jqok '(.budget.terms[] | select(.name == "base RSS") | .source | test("overhead.tsv")) and (.budget.overhead_source | test("overhead.tsv"))' <<<"$plan"
# the sum holds: (limit - terms) / factor, rounded down to whole MiB
ok "maxmemory = (limit - terms) / overhead factor" jqok '
  .budget as $b | (($b.limit_bytes - ([$b.terms[].bytes] | add)) / $b.overhead_factor) as $mm
  | $b.maxmemory_bytes <= $mm and $mm - $b.maxmemory_bytes < 1048576' <<<"$plan"
ok "maxmemory is in the config" jqok --arg mm "$(jq -r '.budget.maxmemory_bytes / 1048576 | floor' <<<"$plan")mb" \
  '.config | index("maxmemory " + $mm) != null' <<<"$plan"
ok "maxclients is in the config" jqok '.config | map(test("^maxclients [0-9]+$")) | any' <<<"$plan"
"$RL_BIN" --sysroot "$r" doctor -v >"$RL_TMP/doctor.txt" 2>&1
ok "doctor -v prints the terms" grep -q "safety margin" "$RL_TMP/doctor.txt"
ok "doctor -v prints where the factor came from" grep -q "overhead.tsv" "$RL_TMP/doctor.txt"

# --maxmemory above the budget: lowered and said so; --force keeps it
plan=$("$RL_BIN" --sysroot "$r" up --dry-run --json --maxmemory 120mb 2>/dev/null)
ok "--maxmemory 120mb above the budget is lowered" jqok '.budget.maxmemory_bytes < 125829120 and (.budget.note | test("--force"))' <<<"$plan"
plan=$("$RL_BIN" --sysroot "$r" up --dry-run --json --maxmemory 120mb --force 2>/dev/null)
is "--force keeps --maxmemory 120mb" "$(jq -r .budget.maxmemory_bytes <<<"$plan")" 125829120

# 6 MiB does not hold the server, its clients and the margin
r=$(root small $((6 << 20)))
"$RL_BIN" --sysroot "$r" doctor --json >"$RL_TMP/d.json" 2>/dev/null; rc=$?
is "doctor exits 1 when no plan fits" "$rc" 1
is "doctor's plan row fails" "$(jq -r '.checks[] | select(.id == "plan") | .status' "$RL_TMP/d.json")" fail
ok "and says what it would need" jqok '.checks[] | select(.id == "plan") | .summary | test("would need at least")' "$RL_TMP/d.json"
"$RL_BIN" --sysroot "$r" up --dry-run >/dev/null 2>"$RL_TMP/err"; rc=$?
is "up refuses (runtime failure)" "$rc" 3
ok "with the size it would need" grep -q "would need at least" "$RL_TMP/err"
ok "and the way out" grep -q -- "--maxmemory" "$RL_TMP/err"
done_testing
