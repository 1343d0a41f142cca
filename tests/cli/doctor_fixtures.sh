#!/usr/bin/env bash
# Runs `redis-light --sysroot DIR doctor --json` over every fixture sysroot in
# tests/fixtures/sysroots/<scenario>/ and compares the output with the scenario's
# hand-written expected.json. The format is defined in tests/fixtures/sysroots/README.md.
# Each scenario's root is _base/ with the scenario's files copied over it, minus the
# paths listed in "remove".
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_STATE_HOME="$RL_TMP/state" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT
command -v jq >/dev/null || skip "jq is not installed"

fx="$RL_FIXTURES/sysroots"
only=${RL_SCENARIO:-} # RL_SCENARIO=v2-limit runs one scenario (for debugging)

# One jq program judges one scenario: prints "PASS<TAB>what" or "FAIL<TAB>what" per
# expectation. $out is doctor's output, $exp the expected.json.
read -r -d '' judge <<'JQ'
def abs: if . < 0 then -. else . end;
def line($ok; $what): (if $ok then "PASS" else "FAIL" end) + "\t" + $what;
def fact($k; $want):
  if ($out.facts | has($k)) | not then line(false; "fact \($k): missing from doctor's facts")
  else ($out.facts[$k]) as $got
  | if $k == "cpu_quota_cores" and ($got | type) == "number" and ($want | type) == "number"
    then line((($got - $want) | abs) < 1e-9; "fact \($k): got \($got | tojson), want \($want | tojson) (to 1e-9)")
    else line($got == $want; "fact \($k): got \($got | tojson), want \($want | tojson)") end
  end;
def warned($s): [$out.warnings[] | select(type == "string" and contains($s))];
(($exp.facts // {}) | to_entries[] | fact(.key; .value)),
(($exp.warnings_match // [])[] as $s
  | line(warned($s) | length > 0; "a warning contains \($s | tojson) (warnings: \($out.warnings | tojson))")),
(($exp.no_warnings_match // [])[] as $s
  | line(warned($s) | length == 0; "no warning contains \($s | tojson) (found: \(warned($s) | tojson))")),
(if $exp.no_warnings == true then line($out.warnings == []; "no warnings at all (got \($out.warnings | tojson))") else empty end),
(($exp.checks // {}) | to_entries[] as $c
  | ([$out.checks[] | select(.id == $c.key)] | first // null) as $row
  | line($row != null and $row.status == $c.value;
         "check \($c.key): got \(if $row then $row.status + " (" + ($row.summary // "") + ")" else "no such check" end), want \($c.value)")),
(($exp.check_summaries // {}) | to_entries[] as $c
  | ([$out.checks[] | select(.id == $c.key)] | first // null) as $row
  | line($row != null and ($row.summary | contains($c.value));
         "check \($c.key) summary contains \($c.value | tojson) (got \(if $row then $row.summary | tojson else "no such check" end))")),
(if $exp | has("profile") then line($out.profile.name == $exp.profile; "profile: got \($out.profile.name | tojson), want \($exp.profile | tojson)") else empty end),
(if $exp | has("binaries") then
   ([$out.facts.redis_binaries[] | {path, version, allocator}] | sort_by(.path)) as $got
   | ($exp.binaries | sort_by(.path)) as $want
   | line($got == $want; "redis_binaries: got \($got | tojson), want \($want | tojson)")
 else empty end)
JQ

n=0
for scen in "$fx"/*/; do
  name=$(basename "$scen")
  [ "$name" = _base ] && continue
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  exp="$scen/expected.json"
  if ! jq -e 'type == "object" and (.description | type == "string")' "$exp" >/dev/null 2>&1; then
    ok "$name: expected.json exists, parses and has a description" false
    continue
  fi
  root="$RL_TMP/roots/$name"
  mkdir -p "$root"
  cp -a "$fx/_base/." "$root/"
  cp -a "$scen/." "$root/"
  rm -f "$root/expected.json"
  while IFS= read -r p; do
    [ -n "$p" ] && rm -rf "${root:?}$p"
  done < <(jq -r '.remove // [] | .[]' "$exp")

  out=$(timeout 10 "$RL_BIN" --sysroot "$root" doctor --json 2>"$RL_TMP/stderr"); rc=$?
  ok "$name: doctor exits 0 or 1 (got $rc)" test "$rc" -le 1
  if ! jq -e '(.facts | type == "object") and (.warnings | type == "array") and (.checks | type == "array") and (.summary | type == "object")' \
       >/dev/null 2>&1 <<<"$out"; then
    ok "$name: doctor --json prints the facts/warnings/checks/summary object" false
    sed 's/^/  stderr: /' "$RL_TMP/stderr" >&2
    continue
  fi
  while IFS=$'\t' read -r verdict what; do
    ok "$name: $what" test "$verdict" = PASS
  done < <(jq -r --argjson exp "$(cat "$exp")" --argjson out "$out" -n "$judge")
  # the exit code follows the checks: 1 exactly when one failed
  if [ "$(jq '.summary.fail' <<<"$out")" -gt 0 ]; then want_rc=1; else want_rc=0; fi
  is "$name: exit code matches summary.fail" "$rc" "$want_rc"
  n=$((n + 1))
done
[ -z "$only" ] && ok "ran at least 40 scenarios (ran $n)" test "$n" -ge 40

# scripts/capture-sysroot: a capture of this machine must give doctor the same facts as
# this machine itself (leaving out what moves between two runs: usage, free memory, ports).
if [ -z "$only" ]; then
  cap="$RL_TMP/capture"
  ok "capture-sysroot runs" bash "$RL_SRC/scripts/capture-sysroot" "$cap" >/dev/null
  ok "capture-sysroot refuses a directory that is not empty" test "$(bash "$RL_SRC/scripts/capture-sysroot" "$cap" >/dev/null 2>&1; echo $?)" = 2
  stable='.facts | del(.memory_usage_bytes, .mem_available_bytes, .state_dir_free_bytes, .port_6379_in_use)
          | .redis_binaries |= [.[] | {path, version, allocator}]'
  host=$(timeout 10 "$RL_BIN" doctor --json 2>/dev/null | jq -S -c "$stable")
  captured=$(timeout 10 "$RL_BIN" --sysroot "$cap" doctor --json 2>/dev/null | jq -S -c "$stable")
  ok "doctor on this machine prints facts" test -n "$host"
  is "doctor on a capture of this machine sees the same facts" "$captured" "$host"
  env_names=$(tr '\0' '\n' <"$cap/proc/self/environ" | cut -d= -f1 | sort -u | tr '\n' ' ')
  ok "the captured environment holds only what doctor reads (got: $env_names)" \
    test -z "$(tr '\0' '\n' <"$cap/proc/self/environ" | cut -d= -f1 | grep -vxE 'PATH|container|KUBERNETES_SERVICE_HOST|REPL_ID|REPL_SLUG')"
fi
done_testing
