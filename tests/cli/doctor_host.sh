#!/usr/bin/env bash
# doctor on the real machine: valid JSON with DESIGN.md's shape, non-null facts for what
# every Linux machine exposes, exit code matching the checks, text output with a summary.
. "$RL_SRC/tests/lib/common.sh"

out=$("$RL_BIN" doctor --json); rc=$?
ok "doctor --json exits 0 or 1" test "$rc" -le 1
ok "output parses as JSON" jq -e . >/dev/null <<<"$out"
for k in facts checks summary warnings; do
  ok "top-level key $k" jq -e "has(\"$k\")" >/dev/null <<<"$out"
done
for k in page_size max_map_count somaxconn mem_total_bytes mem_available_bytes swap_total_bytes cgroup_version rlimit_nofile kernel_release arch thp_enabled state_dir_writable; do
  is "fact $k is known here" "$(jq -r ".facts.$k == null" <<<"$out")" false
done
for k in overcommit_memory memory_limit_bytes memory_high_bytes memory_usage_bytes swap_limit_bytes cpu_quota_cores pids_max rlimit_as container redis_binaries; do
  ok "fact $k present (maybe null)" jq -e ".facts | has(\"$k\")" >/dev/null <<<"$out"
done
is "page size matches getconf" "$(jq -r .facts.page_size <<<"$out")" "$(getconf PAGESIZE)"
is "max_map_count matches /proc" "$(jq -r .facts.max_map_count <<<"$out")" "$(cat /proc/sys/vm/max_map_count)"
is "swap_total_bytes matches /proc/meminfo" "$(jq -r .facts.swap_total_bytes <<<"$out")" \
  "$(awk '$1 == "SwapTotal:" {print $2 * 1024}' /proc/meminfo)"
is "nofile matches ulimit -n" "$(jq -r .facts.rlimit_nofile <<<"$out")" "$(ulimit -n)"
ok "every check has id/status/summary/advice" jq -e '[.checks[] | has("id") and has("status") and has("summary") and has("advice")] | all' >/dev/null <<<"$out"
ok "statuses are ok/warn/fail/skip" jq -e '[.checks[].status | IN("ok","warn","fail","skip")] | all' >/dev/null <<<"$out"
nfail=$(jq '.summary.fail' <<<"$out")
is "summary counts match checks" "$(jq '[.checks[] | select(.status=="fail")] | length' <<<"$out")" "$nfail"
if [ "$nfail" -gt 0 ]; then is "exit 1 with a failing check" "$rc" 1; else is "exit 0 without failures" "$rc" 0; fi

text=$("$RL_BIN" doctor --no-color) || true
ok "text output has a summary line" grep -qE '^summary: [0-9]+ ok, [0-9]+ warn, [0-9]+ fail, [0-9]+ skip$' <<<"$text"
ok "text output has no escape codes when not a TTY" bash -c '! grep -q $'"'"'\033'"'"' <<<"$1"' _ "$text"
ok "table lists max_map_count" grep -q '^max_map_count' <<<"$text"

done_testing
