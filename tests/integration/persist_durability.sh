#!/usr/bin/env bash
# up --persist (issue 14, the store role), with a real Redis built by redis-light and
# Debian's python3-redis as the client: acknowledged writes survive down + up exactly
# (count and checksum), with AOF and with RDB; after kill -9 mid-write every write
# acknowledged more than 2 s before the kill is there (appendfsync everysec); a cut AOF
# tail is reported with its file and offset; a damaged AOF stops up with the exact
# redis-check-aof command, which repairs it; status shows what is persisted, agreeing
# with INFO persistence; a --persist that would leave the data unloaded is refused.
. "$RL_SRC/tests/lib/common.sh"
. "$RL_SRC/tests/lib/redis.sh"
command -v jq >/dev/null || skip "jq is needed to read status --json"
py=""
for c in /usr/bin/python3 python3; do "$c" -c 'import redis' 2>/dev/null && { py=$c; break; }; done
if [ -z "$py" ]; then
  [ "${CI:-}" = true ] && { echo "python3-redis is missing (scripts/bootstrap --test installs it)"; exit 1; }
  skip "python3-redis is needed (apt-get install python3-redis)"
fi

server=$(rl_redis_server replit) || { echo "cannot build Redis"; exit 1; }
cli="$(dirname "$server")/redis-cli"
export XDG_CACHE_HOME="$RL_TEST_CACHE" XDG_STATE_HOME="$RL_TMP/state" XDG_CONFIG_HOME="$RL_TMP/config"
st="$XDG_STATE_HOME/redis-light"
on_exit 'rl_stop_instances "$st"'

# client.py fill PORT N SEED: N keys dur:* with random values; prints "count sha256"
# client.py sum PORT: the same over what the server holds now
# client.py seq PORT OUT: SET seq:I vI one at a time until the connection dies, writing
#   "I UNIXTIME" after every 50th acknowledgement and the last one to OUT
cat >"$RL_TMP/client.py" <<'EOF'
import hashlib, random, sys, time, redis
cmd, port = sys.argv[1], int(sys.argv[2])
r = redis.Redis(host="127.0.0.1", port=port, socket_timeout=10)
def digest():
    keys = sorted(r.scan_iter(match="dur:*", count=1000))
    h = hashlib.sha256()
    for k in keys:
        h.update(k + b"=" + r.get(k) + b"\n")
    return "%d %s" % (len(keys), h.hexdigest())
if cmd == "fill":
    rng = random.Random(int(sys.argv[4]))
    p = r.pipeline(transaction=False)
    for i in range(int(sys.argv[3])):
        p.set(b"dur:%d" % i, bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 600))))
        if i % 500 == 499:
            p.execute()
    p.execute()
    print(digest())
elif cmd == "sum":
    print(digest())
elif cmd == "seq":
    out = open(sys.argv[3], "w", buffering=1)
    i = 0
    try:
        while True:
            r.set("seq:%d" % i, "v%d" % i)
            if i % 50 == 0:
                out.write("%d %.6f\n" % (i, time.time()))
            i += 1
    except (redis.ConnectionError, redis.TimeoutError):
        pass
    if i:
        out.write("%d %.6f\n" % (i - 1, time.time()))
EOF
client() { "$py" "$RL_TMP/client.py" "$@"; }
spid() { "$RL_BIN" status --json --name "$1" | jq -r '.instances[0].pid'; }

# --- AOF: down + up keeps every write, exactly ---------------------------------------
port=$(rl_free_port) || exit 1
"$RL_BIN" up -d --profile replit --persist aof --port "$port" --name dur >/dev/null 2>"$RL_TMP/up.err"
is "up --persist aof" "$?" 0
is "a store does not evict" "$("$cli" -p "$port" config get maxmemory-policy | tail -n 1)" noeviction
is "appendonly yes" "$("$cli" -p "$port" config get appendonly | tail -n 1)" yes
is "appendfsync everysec" "$("$cli" -p "$port" config get appendfsync | tail -n 1)" everysec
before=$(client fill "$port" 4000 7)
is "4000 keys written" "${before%% *}" 4000
"$RL_BIN" status --json --name dur >"$RL_TMP/status.json"
"$cli" -p "$port" info persistence | tr -d '\r' >"$RL_TMP/info"
is "status: mode aof" "$(jq -r '.instances[0].persistence.mode' "$RL_TMP/status.json")" aof
is "status: aof size is INFO's aof_current_size" "$(jq -r '.instances[0].persistence.aof_size_bytes' "$RL_TMP/status.json")" \
  "$(sed -n 's/^aof_current_size://p' "$RL_TMP/info")"
is "status: last write ok" "$(jq -r '.instances[0].persistence.aof_last_write_status' "$RL_TMP/status.json")" ok
ok "status text shows the AOF" sh -c "'$RL_BIN' status --name dur | grep -q 'persists with aof: '"
"$RL_BIN" down --name dur 2>"$RL_TMP/down.err"
is "down" "$?" 0
ok "down flushed the AOF with a plain SHUTDOWN" grep -q "with SHUTDOWN in" "$RL_TMP/down.err"
ok "down kept the AOF" test -f "$st/dur/data/appendonlydir/appendonly.aof.manifest"
ok "an AOF instance writes no dump.rdb" test ! -e "$st/dur/data/dump.rdb"
"$RL_BIN" up -d --profile replit --port "$port" --name dur >/dev/null 2>"$RL_TMP/up2.err"
is "up again, no --persist" "$?" 0
ok "up says it persists with aof again, a store as before" \
  grep -q 'keeps its data in .* (an append-only file): it persists with aof again, a noeviction store as before' "$RL_TMP/up2.err"
is "still a store after a plain up" "$("$cli" -p "$port" config get maxmemory-policy | tail -n 1)" noeviction
ok "up says how many keys it loaded" grep -q "loaded 4000 keys from the append-only file in $st/dur/data" "$RL_TMP/up2.err"
is "same count and checksum after down + up" "$(client sum "$port")" "$before"

# --- kill -9 mid-write: everything acknowledged over 2 s before the kill survives ------
client seq "$port" "$RL_TMP/acks" &
writer=$!
# from the first acknowledgement on (python's start-up is slow on a loaded machine), long
# enough that many writes are over 2 s old at the kill
for _ in $(seq 1 200); do [ -s "$RL_TMP/acks" ] && break; sleep 0.05; done
sleep 3.5
pid=$(spid dur)
killed_at=$(date +%s.%N)
kill -9 "$pid"
wait "$writer"
ok "the writer got acknowledgements" test -s "$RL_TMP/acks"
must=$(awk -v k="$killed_at" '$2 <= k - 2 { m = $1 } END { print (m == "" ? -1 : m) }' "$RL_TMP/acks")
last=$(tail -n 1 "$RL_TMP/acks" | cut -d' ' -f1)
ok "writes were acknowledged more than 2 s before the kill" test "$must" -gt 0
"$RL_BIN" up -d --profile replit --port "$port" --name dur >/dev/null 2>"$RL_TMP/up3.err"
is "up after kill -9" "$?" 0
[ -s "$RL_TMP/up3.err" ] && grep -q error "$RL_TMP/up3.err" && cat "$RL_TMP/up3.err" >&2
missing=$("$py" - "$port" "$must" <<'EOF'
import sys, redis
r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
must = int(sys.argv[2])
vals = r.mget(["seq:%d" % i for i in range(must + 1)])
print(sum(1 for i, v in enumerate(vals) if v != b"v%d" % i))
EOF
)
is "every write acked > 2 s before kill -9 is there (0..$must of $last acked)" "$missing" 0
is "and the earlier data too" "$(client sum "$port")" "$before"
echo "# kill -9: $((last + 1)) writes acknowledged, $((must + 1)) of them over 2 s before the kill;" \
  "$("$cli" -p "$port" eval "return #redis.call('keys','seq:*')" 0) seq keys after the restart"

# --- a cut AOF tail is reported with its file and offset -------------------------------
keys=$("$cli" -p "$port" dbsize)
"$RL_BIN" down -q --name dur
incr=$(ls "$st/dur/data/appendonlydir/"*.incr.aof | sort -V | tail -n 1)
size=$(stat -c %s "$incr")
printf '*3\r\n$3\r\nSET\r\n$4\r\nhal' >>"$incr"
"$RL_BIN" up -d --profile replit --port "$port" --name dur >/dev/null 2>"$RL_TMP/up4.err"
is "up with a cut AOF tail" "$?" 0
ok "the cut is reported with file and offset" grep -q "truncated it ($(basename "$incr") at offset $size)" "$RL_TMP/up4.err"
is "nothing complete was dropped" "$("$cli" -p "$port" dbsize)" "$keys"

# --- a damaged AOF: up stops with the exact repair command, which works ---------------
"$RL_BIN" down -q --name dur
"$py" - "$incr" <<'EOF'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
i = b.index(b"*3\r\n$3\r\nSET", len(b) // 2)
b[i] = ord("X")
open(p, "wb").write(b)
EOF
"$RL_BIN" up -d --profile replit --port "$port" --name dur >/dev/null 2>"$RL_TMP/up5.err"
is "up with a damaged AOF fails (runtime)" "$?" 3
fix=$(grep -o '`[^`]*redis-check-aof --fix [^`]*`' "$RL_TMP/up5.err" | tr -d '`')
is "the diagnosis names redis-check-aof on the manifest" "$fix" \
  "$(dirname "$server")/redis-check-aof --fix $st/dur/data/appendonlydir/appendonly.aof.manifest"
is "no Redis left behind" "$("$RL_BIN" status --json --name dur | jq -r '.instances[0].alive')" false
ok "a repair command was given" test -n "$fix"
[ -n "$fix" ] && { echo y | $fix >"$RL_TMP/fix.out" 2>&1; is "redis-check-aof --fix" "$?" 0; }
"$RL_BIN" up -d --profile replit --port "$port" --name dur >/dev/null 2>"$RL_TMP/up6.err"
is "up after the repair" "$?" 0
got=$("$cli" -p "$port" dbsize)
ok "the repair kept what preceded the damage, and only that ($got of $keys keys)" test "$got" -gt 0 -a "$got" -lt "$keys"

# --- a mode that would leave the data unloaded is refused -------------------------------
"$RL_BIN" down -q --name dur
for m in none rdb; do
  "$RL_BIN" up -d --profile replit --port "$port" --name dur --persist "$m" >/dev/null 2>"$RL_TMP/refuse.err"
  is "--persist $m over AOF data: usage error" "$?" 2
  ok "--persist $m: says why and how on" grep -q "keeps its data in an append-only file .* --persist $m .*--persist aof\`" "$RL_TMP/refuse.err"
done
ok "the refusals left the data alone" test -f "$st/dur/data/appendonlydir/appendonly.aof.manifest"

# --- RDB: SHUTDOWN SAVE at down, loaded by the next up --------------------------------
port2=$(rl_free_port) || exit 1
"$RL_BIN" up -d --profile replit --persist rdb --port "$port2" --name snap >/dev/null 2>&1
is "up --persist rdb" "$?" 0
is "rdb: no AOF" "$("$cli" -p "$port2" config get appendonly | tail -n 1)" no
is "rdb: Redis's save rules" "$("$cli" -p "$port2" config get save | tail -n 1)" "3600 1 300 100 60 10000"
rbefore=$(client fill "$port2" 3000 11)
is "status: changes since the last save as INFO counts them" \
  "$("$RL_BIN" status --json --name snap | jq -r '.instances[0].persistence.rdb_changes_since_save')" \
  "$("$cli" -p "$port2" info persistence | tr -d '\r' | sed -n 's/^rdb_changes_since_last_save://p')"
"$RL_BIN" down --name snap 2>"$RL_TMP/down2.err"
ok "down saved with SHUTDOWN SAVE" grep -q "with SHUTDOWN SAVE in" "$RL_TMP/down2.err"
ok "dump.rdb written" test -s "$st/snap/data/dump.rdb"
"$RL_BIN" up -d --profile replit --port "$port2" --name snap >/dev/null 2>"$RL_TMP/up7.err"
ok "up adopts the snapshot" grep -q "loaded 3000 keys from the RDB snapshot" "$RL_TMP/up7.err"
is "rdb: same count and checksum after down + up" "$(client sum "$port2")" "$rbefore"
is "status: dump.rdb size" "$("$RL_BIN" status --json --name snap | jq -r '.instances[0].persistence.rdb_file_bytes')" \
  "$(stat -c %s "$st/snap/data/dump.rdb")"
"$RL_BIN" down -q --name snap
"$RL_BIN" up -d --profile replit --port "$port2" --name snap --persist aof >/dev/null 2>"$RL_TMP/refuse2.err"
is "--persist aof over RDB data: usage error" "$?" 2
ok "--persist aof over RDB: names the live switch" grep -q "CONFIG SET appendonly yes" "$RL_TMP/refuse2.err"

# --- a stray snapshot of a cache stays a cache; status follows the live server --------
port3=$(rl_free_port) || exit 1
"$RL_BIN" up -d --profile replit --port "$port3" --name cache >/dev/null 2>&1
is "a cache" "$("$cli" -p "$port3" config get maxmemory-policy | tail -n 1)" allkeys-lru
"$cli" -p "$port3" set k v >/dev/null
"$cli" -p "$port3" save >/dev/null
"$RL_BIN" down -q --name cache
"$RL_BIN" up -d --profile replit --port "$port3" --name cache >/dev/null 2>"$RL_TMP/up8.err"
ok "the stray snapshot is loaded, the cache keeps its policy" grep -q "with the profile's eviction policy" "$RL_TMP/up8.err"
is "still a cache" "$("$cli" -p "$port3" config get maxmemory-policy | tail -n 1)" allkeys-lru
is "its key is back" "$("$cli" -p "$port3" get k)" v
"$cli" -p "$port3" config set appendonly yes >/dev/null
for _ in $(seq 1 100); do [ "$("$cli" -p "$port3" info persistence | tr -d '\r' | sed -n 's/^aof_rewrite_in_progress://p')" = 0 ] && break; sleep 0.05; done
is "status follows CONFIG SET appendonly yes" "$("$RL_BIN" status --json --name cache | jq -r '.instances[0].persistence.mode')" aof
"$RL_BIN" down --name cache 2>"$RL_TMP/down3.err"
ok "down of the adopted snapshot: SHUTDOWN SAVE" grep -q "with SHUTDOWN SAVE in" "$RL_TMP/down3.err"
"$RL_BIN" up -d --profile replit --port "$port3" --name cache >/dev/null 2>"$RL_TMP/up9.err"
is "what the live AOF held is loaded" "$("$cli" -p "$port3" get k)" v
"$RL_BIN" up --dry-run --profile replit --name x --set dbfilename=other.rdb >/dev/null 2>"$RL_TMP/refuse3.err"
is "--set dbfilename refused" "$?" 2
ok "--set dbfilename: says why" grep -q "finds an instance's data by Redis's default file names" "$RL_TMP/refuse3.err"
# --- doctor plans what up would do with the default instance's data -------------------
port4=$(rl_free_port) || exit 1
"$RL_BIN" up -d --profile replit --persist rdb --port "$port4" >/dev/null 2>&1
"$cli" -p "$port4" set k v >/dev/null
"$RL_BIN" down -q
is "doctor: the default instance's snapshot makes the plan rdb" \
  "$("$RL_BIN" doctor --json --profile replit | jq -r '.plan.persist + " " + .plan.maxmemory_policy')" "rdb noeviction"
"$RL_BIN" doctor --profile replit --persist aof >/dev/null 2>"$RL_TMP/doc.err"
is "doctor --persist aof over that snapshot: usage error, as up" "$?" 2
ok "doctor says why" grep -q "keeps its data in an RDB snapshot" "$RL_TMP/doc.err"
done_testing
