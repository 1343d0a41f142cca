#!/usr/bin/env bash
# tune under a real memory limit: inside a 32 MiB cgroup, --maxmemory 64mb would get its
# test server (and maybe tune) OOM-killed, so it refuses with exit 3 and the numbers,
# starts nothing and writes nothing; inside a 64 MiB cgroup, without --maxmemory, it
# picks a smaller test size that fits (at least 16 MiB), says so, and completes there
# with no OOM kill. Needs root and a writable memory cgroup.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
. "$RL_SRC/tests/lib/cgroup.sh"
command -v jq >/dev/null || skip "jq is needed to read tune --json"
rl_cgroup_base

profile=tiny
rl_redis_server "$profile" >/dev/null || { echo "cannot build Redis"; exit 1; }
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
export TMPDIR="$RL_TMP/tmp"
mkdir -p "$TMPDIR"
unset REDIS_LIGHT_PROFILES
calib="$XDG_CONFIG_HOME/redis-light/calibration.tsv"

children=()
cleanup() {
  local c p
  for c in "${children[@]}"; do
    for p in $(cat "$c/cgroup.procs" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    for _ in $(seq 1 50); do [ -z "$(cat "$c/cgroup.procs" 2>/dev/null)" ] && break; sleep 0.1; done
    rmdir "$c" 2>/dev/null
  done
  return 0
}
on_exit cleanup
make_child() { # make_child NAME LIMIT_BYTES: prints the cgroup's directory
  local c="$base/rl-tune-test-$1-$$"
  mkdir "$c" 2>/dev/null || return 1
  echo "$2" >"$c/$limit_file"
  if [ "$limit_file" = memory.limit_in_bytes ] && [ -w "$c/memory.memsw.limit_in_bytes" ]; then
    echo "$2" >"$c/memory.memsw.limit_in_bytes" 2>/dev/null
  fi
  echo "$c"
}
in_cgroup() { local c=$1; shift; sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$c" "$@"; }

# 32 MiB and --maxmemory 64mb: refused before anything starts.
small=$(make_child small $((32 << 20))) || skip "cannot create a child cgroup under $base (not delegated)"
children+=("$small")
in_cgroup "$small" "$RL_BIN" tune --profile "$profile" --maxmemory 64mb --runs 1 >"$RL_TMP/o" 2>"$RL_TMP/e"; rc=$?
is "refused inside 32 MiB: exit 3" "$rc" 3
ok "names the room and the need" grep -Eq "the cgroup has [0-9.]+ [KM]iB free \(limit 32 MiB, .* in use\), tune needs ~[0-9.]+ MiB at --maxmemory 64mb" "$RL_TMP/e"
ok "says what to do" grep -Eq "pass --maxmemory [0-9]+mb|free some memory" "$RL_TMP/e"
sed 's/^/# /' "$RL_TMP/e"
ok "nothing written" test ! -e "$calib"
ok "no throwaway server was started" test -z "$(ls -A "$TMPDIR")"

# 64 MiB and no --maxmemory: a smaller test that fits, run to the end.
mid=$(make_child mid $((64 << 20))) || skip "cannot create a second child cgroup"
children+=("$mid")
kills_before=$(awk '$1 == "oom_kill" {print $2}' "$mid/$events")
json=$(in_cgroup "$mid" "$RL_BIN" tune --profile "$profile" --value-size 1024 --runs 1 --json 2>"$RL_TMP/e"); rc=$?
is "tune inside 64 MiB without --maxmemory: exit 0" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/e" >&2
is "it fitted the test size" "$(jq -r .maxmemory_source <<<"$json")" fitted
mm=$(jq .maxmemory_bytes <<<"$json")
ok "at least 16 MiB and below 64 MiB ($mm)" test "$mm" -ge $((16 << 20)) -a "$mm" -lt $((64 << 20))
ok "and said so" grep -q "does not fit: the cgroup has" "$RL_TMP/e"
is "no OOM kill in the cgroup" "$(awk '$1 == "oom_kill" {print $2}' "$mid/$events")" "${kills_before:-0}"
ok "the row is written at that size" grep -qP "^[a-z]+\t1024\t1024\t$mm\t" "$calib"
[ -r "$mid/memory.max_usage_in_bytes" ] && echo "# maxmemory $mm, cgroup peak usage $(cat "$mid/memory.max_usage_in_bytes") of $((64 << 20))"
done_testing
