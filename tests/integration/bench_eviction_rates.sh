#!/usr/bin/env bash
# bench --eviction's time series tells the server's real rate: every sample's ops_per_sec
# is what the server's own INFO counters (total_commands_processed over server_time_usec,
# both in the sample) say it did since the previous sample, and no sample stands out of
# its phase the way a window cut at the warm-up's end did (warm-up replies divided by the
# few measured milliseconds gave 30-45x the median, issue 13 item 9).
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read bench --json"
command -v python3 >/dev/null || skip "python3 is needed to check the samples"
server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state"
port=$(rl_free_port)
rl_start_server "$server" "$port" --maxmemory 8mb --maxmemory-policy noeviction || exit 1

# Two policies, each with a warm-up that ends between two samples: the boundary where the
# spike was. The second run checks that a run's first sample starts from its own baseline.
"$RL_BIN" bench --eviction --allow-eviction -p "$port" --json --seed 3 --policies allkeys-lru,allkeys-lfu \
  --duration 3 --warmup 1 >"$RL_TMP/out.json" 2>"$RL_TMP/err"; rc=$?
is "eviction run: exit 0" "$rc" 0
[ "$rc" = 0 ] || cat "$RL_TMP/err" >&2

# check NAME PYTHON: runs PYTHON over the JSON; it prints what is wrong and exits 1.
check() {
  local what=$1; shift
  ok "$what" python3 -c "$1" "$RL_TMP/out.json"
}

check "every sample carries the server's counter and clock" '
import json, sys
runs = json.load(open(sys.argv[1]))["eviction"]
bad = [s for r in runs for s in r["samples"]
       if not isinstance(s.get("total_commands_processed"), int) or not isinstance(s.get("server_time_usec"), int)]
print(*bad[:3], sep="\n", file=sys.stderr)
sys.exit(1 if bad or len(runs) != 2 else 0)'

check "each sample's ops/s is the server's delta over the server's time (less the sampler's INFO)" '
import json, sys
bad = 0
for r in json.load(open(sys.argv[1]))["eviction"]:
    s = r["samples"]
    for a, b in zip(s, s[1:]):
        dt = (b["server_time_usec"] - a["server_time_usec"]) / 1e6
        want = (b["total_commands_processed"] - a["total_commands_processed"] - 1) / dt
        if b["ops_per_sec"] is None or abs(b["ops_per_sec"] - want) > 0.01 * want + 1:
            print(r["policy"], "t=%.3f" % b["t"], "reported", b["ops_per_sec"], "server", want, file=sys.stderr)
            bad += 1
sys.exit(1 if bad else 0)'

check "the server was busy in every cache-phase window" '
import json, sys
for r in json.load(open(sys.argv[1]))["eviction"]:
    cache = [s["ops_per_sec"] for s in r["samples"] if s["phase"] == "cache"]
    if len(cache) < 12 or min(cache) <= 0:
        print(r["policy"], cache, file=sys.stderr)
        sys.exit(1)'

# Load that does not change does not jump: a sample at 3x its phase's median would be a
# counting error (the old boundary window was 30-45x), not the machine's noise.
check "no sample exceeds 3x its phase's median" '
import json, statistics, sys
bad = 0
for r in json.load(open(sys.argv[1]))["eviction"]:
    for phase in ("fill", "cache"):
        v = [s["ops_per_sec"] for s in r["samples"] if s["phase"] == phase and s["ops_per_sec"] is not None]
        if len(v) < 3:
            continue
        med = statistics.median(v)
        for x in v:
            if x > 3 * med:
                print(r["policy"], phase, "sample %.0f ops/s, median %.0f" % (x, med), file=sys.stderr)
                bad += 1
sys.exit(1 if bad else 0)'

# The fill's last window ends in a sample of its own, taken when its last reply came, so
# the first cache window holds no fill load.
check "the fill ends with a sample at its end" '
import json, sys
for r in json.load(open(sys.argv[1]))["eviction"]:
    fill = [s for s in r["samples"] if s["phase"] == "fill"]
    if not fill or abs(fill[-1]["t"] - r["fill_seconds"]) > 1e-6:
        print(r["policy"], fill[-1:] , r["fill_seconds"], file=sys.stderr)
        sys.exit(1)'
done_testing
