#!/usr/bin/env bash
# The store role in the one plan, over a fixture sysroot (128 MiB cgroup v2 limit):
# --persist aof|rdb|none as doctor and up --dry-run show it (persist, role, policy,
# the fork reserve in the budget, redis.conf lines), and the overcommit check judged
# for the plan's persistence; bad modes are usage errors naming the value.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT REPL_ID REPL_SLUG
command -v jq >/dev/null || skip "jq is not installed"
fx="$RL_FIXTURES/sysroots"
r="$RL_TMP/root"
mkdir -p "$r"
cp -a "$fx/_base/." "$fx/v2-limit/." "$r/"
rm -f "$r/expected.json"
echo $((128 << 20)) >"$r/sys/fs/cgroup/system.slice/app.service/memory.max"
echo 0 >"$r/proc/sys/vm/overcommit_memory"
mm() { jq -r '.budget.maxmemory_bytes' <<<"$1"; }
reserve() { jq -r '[.budget.terms[] | select(.name == "fork reserve")][0].bytes' <<<"$1"; }

cache=$("$RL_BIN" --sysroot "$r" up --dry-run --json 2>"$RL_TMP/err")
is "no --persist: up --dry-run" $? 0
is "no --persist: a cache" "$(jq -r '.role + " " + .persist + " " + .maxmemory_policy' <<<"$cache")" "cache none allkeys-lru"
is "no --persist: no fork reserve" "$(reserve "$cache")" 0

aof=$("$RL_BIN" --sysroot "$r" up --dry-run --json --persist aof 2>"$RL_TMP/err")
is "--persist aof: up --dry-run" $? 0
is "--persist aof: a store that does not evict" "$(jq -r '.role + " " + .persist + " " + .maxmemory_policy' <<<"$aof")" \
  "store aof noeviction"
ok "--persist aof: the config has the AOF lines" \
  jq -e '[.config[] | select(. == "appendonly yes" or . == "appendfsync everysec" or . == "aof-use-rdb-preamble yes")] | length == 3' <<<"$aof"
ok "--persist aof: a fork reserve in the budget" test "$(reserve "$aof")" -gt 0
ok "--persist aof: maxmemory below the cache's, for the fork ($(mm "$aof") < $(mm "$cache"))" test "$(mm "$aof")" -lt "$(mm "$cache")"
ok "--persist aof: maxmemory = (limit - terms, the reserve included) / factor, within the MiB rounding" jq -e '
  .budget as $b | (($b.limit_bytes - ([$b.terms[].bytes] | add)) / $b.overhead_factor) as $mm
  | $b.maxmemory_bytes <= $mm + 1 and $mm - $b.maxmemory_bytes < 3 * 1048576' <<<"$aof"
is "--persist aof: the reserve is 1x maxmemory" "$(reserve "$aof")" "$(mm "$aof")"
is "--persist aof: doctor's plan is up's" \
  "$("$RL_BIN" --sysroot "$r" doctor --json --persist aof | jq -c '.plan | del(.config)')" "$(jq -c 'del(.config)' <<<"$aof")"

quoted=$("$RL_BIN" --sysroot "$r" up --dry-run --json --set 'appendonly="yes"' 2>"$RL_TMP/err")
is "--set appendonly=\"yes\": persists (as rendered)" "$(jq -r '.persist + " " + (.persistent|tostring)' <<<"$quoted")" "aof true"
ok "--set appendonly=\"yes\": the fork reserve is there" test "$(reserve "$quoted")" -gt 0

rdb=$("$RL_BIN" --sysroot "$r" up --dry-run --json --persist rdb --policy allkeys-lru 2>"$RL_TMP/err")
is "--persist rdb --policy allkeys-lru" "$(jq -r '.role + " " + .persist + " " + .maxmemory_policy' <<<"$rdb")" \
  "store rdb allkeys-lru"
ok "--persist rdb: the save rules" jq -e '[.config[] | select(. == "save 3600 1 300 100 60 10000" or . == "appendonly no")] | length == 2' <<<"$rdb"

check() { jq -r --arg id overcommit '.checks[] | select(.id == $id) | .status + " " + .summary'; }
got=$("$RL_BIN" --sysroot "$r" doctor --json | check)
ok "overcommit 0, no persistence: ok, says why ($got)" grep -q "^ok .*never forks to save" <<<"$got"
got=$("$RL_BIN" --sysroot "$r" doctor --json --persist aof | check)
ok "overcommit 0 with --persist aof: warn about the rewrite's fork ($got)" grep -q "^warn .*persists (aof).*AOF rewrite's fork" <<<"$got"
echo 1 >"$r/proc/sys/vm/overcommit_memory"
got=$("$RL_BIN" --sysroot "$r" doctor --json --persist aof | check)
ok "overcommit 1 with --persist aof: ok ($got)" grep -q "^ok vm.overcommit_memory=1" <<<"$got"

"$RL_BIN" --sysroot "$r" doctor --persist always >/dev/null 2>"$RL_TMP/err"
is "doctor --persist always: usage error" $? 2
ok "doctor names the bad mode" grep -q -- "--persist always is not a persistence mode" "$RL_TMP/err"
"$RL_BIN" --sysroot "$r" up --dry-run --persist yes >/dev/null 2>"$RL_TMP/err"
is "up --persist yes: usage error" $? 2
ok "up names the bad mode" grep -q -- "--persist yes is not a persistence mode" "$RL_TMP/err"
done_testing
