#!/usr/bin/env bash
# redis-light tune against real throwaway servers of the planned build: --help names every
# option; bad options are usage errors; --dry-run changes nothing; a run writes a 0600
# calibration.tsv (the 0700 directory it creates is checked in test_tune.c) with a row for
# the planned allocator whose numbers are sane (base RSS equal within 20% to the VmRSS of
# a server this test starts the same way; overhead between 0.5 and 3), replacing that
# allocator's row of the same size and keeping the other rows; the next `up --dry-run`
# budgets from the file and names it; SIGINT during the fill leaves no server and no file,
# and exits non-zero saying so. The refusal inside a small cgroup is tune_cgroup.sh.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read tune --json and up --dry-run --json"
# tiny: a libc build (the replit one) whose maxmemory rule is the measured budget
profile=tiny
server=$(rl_redis_server "$profile") || { echo "cannot build Redis"; exit 1; }
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
export TMPDIR="$RL_TMP/tmp" # tune's throwaway servers live in TMPDIR/rl-tune-*
mkdir -p "$TMPDIR"
unset REDIS_LIGHT_PROFILES
calib="$XDG_CONFIG_HOME/redis-light/calibration.tsv"
jqok() { jq -e "$@" >/dev/null; }

# --help: every option of the table
help=$("$RL_BIN" tune --help); rc=$?
is "tune --help" "$rc" 0
for o in --value-size --clients --runs --maxmemory --profile --dry-run --json; do
  ok "--help names $o" grep -q -- "$o" <<<"$help"
done
for bad in "--value-size 0" "--value-size 10-5" "--value-size 1k" "--runs 0" "--clients 0" "--maxmemory 1mb" \
           "--maxmemory lots"; do
  # shellcheck disable=SC2086 # the option and its value are two words on purpose
  "$RL_BIN" tune $bad >/dev/null 2>"$RL_TMP/e"; rc=$?
  is "tune $bad is a usage error" "$rc" 2
done

plan() { "$RL_BIN" up --dry-run --json --profile "$profile" 2>/dev/null; }
before=$(plan)
allocator=$(jq -r .build.allocator <<<"$before")
ok "the plan builds libc or jemalloc ($allocator)" test "$allocator" = libc -o "$allocator" = jemalloc
ok "before tune the plan does not name a calibration" jqok '.budget.overhead_source | test("calibration.tsv") | not' \
  <<<"$before"
other=jemalloc; [ "$allocator" = jemalloc ] && other=libc

# --dry-run: says what and where, writes nothing, starts nothing
out=$("$RL_BIN" tune --profile "$profile" --value-size 200 --runs 1 --maxmemory 16mb --dry-run); rc=$?
is "tune --dry-run" "$rc" 0
ok "--dry-run names the file it would write" grep -qF "$calib" <<<"$out"
ok "--dry-run names the allocator" grep -q "$allocator build" <<<"$out"
ok "--dry-run wrote nothing" test ! -e "$calib"
ok "--dry-run started no server" test -z "$(ls -A "$TMPDIR")"

# An earlier calibration: the other allocator's row and another size are kept, the same
# allocator's 200-byte row is replaced.
mkdir -p "$XDG_CONFIG_HOME" && mkdir -m 700 "$(dirname "$calib")"
{
  echo "# an earlier calibration"
  printf 'allocator\tvalue_class\tvalue_bytes\tmaxmemory_bytes\toverhead_median\toverhead_max\trss_over_used\t'
  printf 'base_rss_bytes\tper_client_bytes\tevicted_keys\truns\n'
  printf '%s\t200\t200\t16777216\t0.9000\t0.9000\t1.4000\t6000000\t10000\t1000\t7\n' "$other"
  printf '%s\t200\t200\t16777216\t2.9000\t2.9000\t1.4000\t6000000\t10000\t1000\t7\n' "$allocator"
  printf '%s\t16384\t16384\t16777216\t0.5000\t0.5000\t1.4000\t6000000\t10000\t1000\t7\n' "$allocator"
} >"$calib"

json=$("$RL_BIN" tune --profile "$profile" --value-size 200,16-1024 --runs 1 --maxmemory 16mb --json \
  2>"$RL_TMP/tune.err"); rc=$?
is "tune --value-size 200,16-1024 --runs 1 --maxmemory 16mb" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/tune.err" >&2
ok "progress on stderr" grep -q "tune: $allocator, 200 B values, run 1/1: .*filling 48 MiB" "$RL_TMP/tune.err"
ok "the throwaway server is gone" test -z "$(ls -A "$TMPDIR")"
ok "calibration.tsv written" test -f "$calib"
is "the file is 0600" "$(stat -c %a "$calib")" 600
ok "the file says what made it" grep -q '^# redis-light tune, ' "$calib"
ok "and with which options" grep -q "^# options: --value-size 200,16-1024 --clients 50 --runs 1 --maxmemory 16mb" "$calib"
row=$(awk -F'\t' -v a="$allocator" '$1 == a && $2 == "200"' "$calib")
is "one $allocator 200-byte row" "$(wc -l <<<"$row")" 1
IFS=$'\t' read -r _ _ vbytes maxmem omed omax rss_used base per_client evicted runs <<<"$row"
is "value_bytes" "$vbytes" 200
is "maxmemory_bytes" "$maxmem" 16777216
is "runs (the earlier row's 7 replaced)" "$runs" 1
ok "base RSS $base within 1..64 MiB" test "$base" -ge $((1 << 20)) -a "$base" -le $((64 << 20))
ok "overhead $omax between 0.5 and 3" awk -v o="$omax" 'BEGIN { exit !(o >= 0.5 && o <= 3) }'
ok "median = max for one run" test "$omed" = "$omax"
ok "rss/used $rss_used between 0.5 and 5" awk -v o="$rss_used" 'BEGIN { exit !(o >= 0.5 && o <= 5) }'
ok "per-client cost $per_client between 1 KiB and 1 MiB" test "$per_client" -ge 1024 -a "$per_client" -le $((1 << 20))
ok "keys were evicted ($evicted)" test "$evicted" -gt 0
ok "the $other row is kept" grep -qP "^$other\t200\t200\t16777216\t0.9000\t" "$calib"
ok "the $allocator 16384 row is kept" grep -qP "^$allocator\t16384\t" "$calib"
# the range: one row, sizes uniform in [16, 1024] (mean 520), through eviction too
range=$(awk -F'\t' -v a="$allocator" '$1 == a && $2 == "16-1024"' "$calib")
IFS=$'\t' read -r _ _ rbytes _ _ romax _ rbase _ revicted _ <<<"$range"
is "the range's mean value size" "$rbytes" 520
ok "the range's overhead $romax between 0.5 and 3" awk -v o="$romax" 'BEGIN { exit !(o >= 0.5 && o <= 3) }'
ok "the range evicted ($revicted)" test "${revicted:-0}" -gt 0
ok "the range's base RSS $rbase within 1..64 MiB" test "$rbase" -ge $((1 << 20)) -a "$rbase" -le $((64 << 20))
is "JSON: two rows" "$(jq '.rows | length' <<<"$json")" 2
is "JSON: its allocator is the plan's" "$(jq -r '.rows[0].allocator' <<<"$json")" "$allocator"
is "JSON: the file" "$(jq -r .file <<<"$json")" "$calib"
is "JSON: the base RSS the file holds" "$(jq '.rows[0].base_rss_bytes' <<<"$json")" "$base"
is "JSON: 2 earlier rows kept" "$(jq .kept_rows <<<"$json")" 2

# The same server started by hand the same way: its idle RSS 0.5 s after the first PONG.
port=$(rl_free_port)
rl_start_server "$server" "$port" --maxmemory 16mb --maxmemory-policy allkeys-lru || exit 1
sleep 0.5
mine=$(awk '$1 == "VmRSS:" { print $2 * 1024 }' "/proc/$RL_SERVER_PID/status")
echo "# base RSS: tune $base, a server started here $mine"
ok "tune's base RSS ($base) within 20% of a server started here ($mine)" \
  awk -v a="$base" -v b="$mine" 'BEGIN { exit !(a >= 0.8 * b && a <= 1.2 * b) }'
kill "$RL_SERVER_PID"; wait "$RL_SERVER_PID" 2>/dev/null

# The next plan budgets from the calibration and says so.
after=$(plan)
ok "up --dry-run: the overhead factor's source names calibration.tsv" \
  jqok '.budget.overhead_source | test("calibration.tsv")' <<<"$after"
ok "up --dry-run: the base RSS term's source names calibration.tsv" \
  jqok '[.budget.terms[] | select(.name == "base RSS") | .source | test("calibration.tsv")] | any' <<<"$after"
# shellcheck disable=SC2016 # $o is jq's variable
worst=$(awk -v a="$omax" -v b="$romax" 'BEGIN { print (a > b ? a : b) }')
ok "up --dry-run: the overhead factor is the worst new row's ($worst)" \
  jqok --argjson o "$worst" '(.budget.overhead_factor - $o) | fabs < 0.001' <<<"$after"

# SIGINT during the fill: the server stops, nothing is written, exit non-zero.
cp "$calib" "$RL_TMP/calib.before"
servers_here() { # pids of redis-servers whose working directory is a tune temp dir of ours
  local p
  for p in /proc/[0-9]*; do
    case $(readlink "$p/cwd" 2>/dev/null) in "$TMPDIR"/rl-tune-*) echo "${p#/proc/}" ;; esac
  done
}
"$RL_BIN" tune --profile "$profile" --value-size 16 --runs 3 --maxmemory 64mb >"$RL_TMP/int.out" 2>"$RL_TMP/int.err" &
pid=$!
on_exit "kill -9 $pid 2>/dev/null"
for _ in $(seq 1 600); do
  grep -q "filling" "$RL_TMP/int.err" && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
ok "the fill started" grep -q "run 1/3: .*filling" "$RL_TMP/int.err"
during=$(servers_here)
is "one throwaway server runs during the fill" "$(wc -w <<<"$during")" 1
kill -INT "$pid"
for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
wait "$pid"; rc=$?
ok "tune exits non-zero after SIGINT (exit $rc)" test "$rc" -ne 0
ok "saying it was interrupted" grep -q "interrupted by signal 2 during run 1 of 16 B values" "$RL_TMP/int.err"
ok "and that nothing was written" grep -q "nothing was written" "$RL_TMP/int.err"
is "no throwaway server is left" "$(servers_here)" ""
for p in $during; do ok "server $p is gone" sh -c "! kill -0 $p 2>/dev/null"; done
ok "its temporary directory is removed" test -z "$(ls -A "$TMPDIR")"
ok "the calibration is unchanged" cmp -s "$calib" "$RL_TMP/calib.before"
ok "no temporary file beside it" test "$(ls -A "$(dirname "$calib")")" = calibration.tsv
done_testing
