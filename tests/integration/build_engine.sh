#!/usr/bin/env bash
# The build cache's mechanics, on small generated source trees shaped like Redis's (a
# Makefile with all/install/distclean, src/version.h, a server printing a --version line),
# so that concurrency, interruption and failure can be exercised in seconds. The real
# Redis build is covered by build_cache.sh.
. "$RL_SRC/tests/lib/common.sh"
command -v cc >/dev/null || skip "no C compiler (cc) to build the test trees"
command -v make >/dev/null || skip "no make"

export XDG_CACHE_HOME="$RL_TMP/cache" XDG_STATE_HOME="$RL_TMP/state"
export FAKE_COUNTER="$RL_TMP/compiled"
: >"$FAKE_COUNTER"
builds="$XDG_CACHE_HOME/redis-light/builds"

# make_tree DIR FLAVOUR [MARKER]: redis (honest), valkey, liar (always malloc=jemalloc),
# broken (make fails like an OOM-killed compiler). MARKER changes the content, hence the key.
make_tree() {
  local dir=$1 flavour=$2 marker=${3:-0} define=REDIS_VERSION malloc='MALLOC_NAME' bin=redis-server
  mkdir -p "$dir/src"
  [ "$flavour" = valkey ] && { define=VALKEY_VERSION; bin=valkey-server; }
  [ "$flavour" = liar ] && malloc='"jemalloc-5.3.0"'
  printf '#define %s "9.9.%s"\n' "$define" "$marker" >"$dir/src/version.h"
  cat >"$dir/src/server.c" <<EOF
#include <stdio.h>
/* marker $marker */
int main(int argc, char **argv) {
    (void)argc; (void)argv;
    printf("Redis server v=9.9.$marker sha=00000000:0 malloc=%s bits=64 build=0\n", $malloc);
    return 0;
}
EOF
  local fail=""
  [ "$flavour" = broken ] && fail=$'\t@echo "cc1: fatal error: Killed signal terminated program cc1" >&2; exit 1\n'
  cat >"$dir/Makefile" <<EOF
MALLOC ?= jemalloc
PREFIX ?= /usr/local
all: src/$bin
src/$bin: src/server.c
	@echo "    CC server.o"
	@echo "\$(MALLOC)" >>"\$(FAKE_COUNTER)"
	@sleep \$\${FAKE_SLEEP:-0}
$fail	cc -DMALLOC_NAME='"\$(MALLOC)"' -o src/$bin src/server.c
install: all
	mkdir -p \$(PREFIX)/bin && cp src/$bin \$(PREFIX)/bin/$bin && cp src/$bin \$(PREFIX)/bin/${bin%-server}-cli
distclean:
	rm -f src/$bin
.PHONY: all install distclean
EOF
}
compiled() { wc -l <"$FAKE_COUNTER" | tr -d ' '; }
entries() { find "$builds" -mindepth 1 -maxdepth 1 -type d ! -name '.*' 2>/dev/null | wc -l | tr -d ' '; }
build() { "$RL_BIN" build --profile replit "$@"; }

# 1. A first build compiles once, a second is a cache hit that compiles nothing.
make_tree "$RL_TMP/t1" redis 1
out=$(build --source "$RL_TMP/t1" 2>"$RL_TMP/err1"); rc=$?
is "first build exit" "$rc" 0
ok "prints the binary path last" test -x "$(echo "$out" | tail -n 1)"
case "$(echo "$out" | tail -n 1)" in "$builds"/9.9.1-*/bin/redis-server) ok "path in the cache" true ;; *) ok "path in the cache: $out" false ;; esac
is "compiled once" "$(compiled)" 1
rec="$(dirname "$(dirname "$(echo "$out" | tail -n 1)")")/build.yaml"
ok "build record written" grep -q '^source_origin: "--source"' "$rec"
ok "record names the make variables" grep -q '^make_vars: "MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no"' "$rec"
ok "record holds the verified malloc" grep -q '^malloc: "libc"' "$rec"
ok "build log kept" test -s "$(dirname "$rec")/build.log"
ok "CACHEDIR.TAG" grep -q "^Signature: 8a477f597d28d172789f06886806bc55" "$XDG_CACHE_HOME/redis-light/CACHEDIR.TAG"
before=$(stat -c %Y.%s "$rec")
out2=$(build --source "$RL_TMP/t1" 2>"$RL_TMP/err2"); rc=$?
is "second build exit" "$rc" 0
is "same binary" "$(echo "$out2" | tail -n 1)" "$(echo "$out" | tail -n 1)"
is "nothing compiled the second time" "$(compiled)" 1
ok "says cached" grep -q "^cached: " "$RL_TMP/err2"
is "record untouched" "$(stat -c %Y.%s "$rec")" "$before"
is "--json cached" "$(build --source "$RL_TMP/t1" --json 2>/dev/null | jq -r .cached)" true
# A tree built in place keeps its identity (objects and binaries are not source).
(cd "$RL_TMP/t1" && make -s MALLOC=libc >/dev/null 2>&1)
: >"$FAKE_COUNTER"
build --source "$RL_TMP/t1" >/dev/null 2>&1
is "in-place build products do not change the key" "$(compiled)" 0
# --rebuild compiles again and replaces the entry.
n=$(entries)
build --source "$RL_TMP/t1" --rebuild >/dev/null 2>&1
is "--rebuild compiles" "$(compiled)" 1
is "--rebuild replaces, not adds" "$(entries)" "$n"

# 2. Two concurrent builds of one key compile once; the second waits for the first.
make_tree "$RL_TMP/t2" redis 2
: >"$FAKE_COUNTER"
FAKE_SLEEP=2 "$RL_BIN" build --profile replit --source "$RL_TMP/t2" >"$RL_TMP/c1.out" 2>"$RL_TMP/c1.err" & p1=$!
FAKE_SLEEP=2 "$RL_BIN" build --profile replit --source "$RL_TMP/t2" >"$RL_TMP/c2.out" 2>"$RL_TMP/c2.err" & p2=$!
on_exit "kill $p1 $p2 2>/dev/null"
wait $p1; r1=$?
wait $p2; r2=$?
is "concurrent build 1" "$r1" 0
is "concurrent build 2" "$r2" 0
is "concurrent builds compiled once" "$(compiled)" 1
is "both got the same binary" "$(tail -n 1 "$RL_TMP/c1.out")" "$(tail -n 1 "$RL_TMP/c2.out")"
ok "one of them waited for the lock" grep -q "waiting for another redis-light" "$RL_TMP/c1.err" "$RL_TMP/c2.err"

# 3. A build killed half-way never counts; the next one removes its leftovers and compiles.
make_tree "$RL_TMP/t3" redis 3
: >"$FAKE_COUNTER"
n=$(entries)
# (the binary itself in the background, not the build function: $! must be redis-light)
FAKE_SLEEP=31.7 "$RL_BIN" build --profile replit --source "$RL_TMP/t3" >/dev/null 2>"$RL_TMP/k.err" & pk=$!
for _ in $(seq 1 100); do [ "$(compiled)" = 1 ] && break; sleep 0.1; done
kill -KILL $pk; wait $pk 2>/dev/null
is "killed build left no entry" "$(entries)" "$n"
ok "its temporary tree is there" compgen -G "$builds/.tmp-*" >/dev/null
for _ in $(seq 1 50); do pgrep -f "sleep 31[.]7" >/dev/null || break; sleep 0.1; done
ok "make died with its parent (PR_SET_PDEATHSIG)" sh -c '! pgrep -f "sleep 31[.]7" >/dev/null'
build --source "$RL_TMP/t3" >/dev/null 2>"$RL_TMP/k2.err"
is "the next build compiles" "$(compiled)" 2
ok "and says it removed the leftovers" grep -q "removing an unfinished build" "$RL_TMP/k2.err"
is "no temporary tree left" "$(ls -A "$builds" | grep -c '^\.tmp-')" 0

# SIGTERM: redis-light stops make, cleans up and says nothing was cached.
make_tree "$RL_TMP/t4" redis 4
: >"$FAKE_COUNTER"
FAKE_SLEEP=30 "$RL_BIN" build --profile replit --source "$RL_TMP/t4" >/dev/null 2>"$RL_TMP/t.err" & pt=$!
for _ in $(seq 1 100); do [ "$(compiled)" = 1 ] && break; sleep 0.1; done
kill -TERM $pt; wait $pt; rc=$?
is "interrupted build exits 3" "$rc" 3
ok "says nothing was cached" grep -q "interrupted; nothing was cached" "$RL_TMP/t.err"
is "no temporary tree after an interrupted build" "$(ls -A "$builds" | grep -c '^\.tmp-')" 0

# 4. A failing build: exit 3, the log's last lines, its path and the likely fix.
make_tree "$RL_TMP/t5" broken 5
build --source "$RL_TMP/t5" >/dev/null 2>"$RL_TMP/f.err"; rc=$?
is "failed build exits 3" "$rc" 3
ok "shows the log tail" grep -q "Killed signal terminated program" "$RL_TMP/f.err"
log=$(sed -n 's/^Full log: //p' "$RL_TMP/f.err")
ok "names the full log, which exists" test -s "$log"
ok "gives the likely fix" grep -q "^Likely fix: .*REDIS_LIGHT_JOBS" "$RL_TMP/f.err"
ok "nothing cached for it" sh -c "! ls -d '$builds'/9.9.5-* 2>/dev/null"

# 5. A binary whose malloc= does not match the profile is refused.
make_tree "$RL_TMP/t6" liar 6
build --source "$RL_TMP/t6" >/dev/null 2>"$RL_TMP/l.err"; rc=$?
is "malloc mismatch exits 3" "$rc" 3
ok "says what it saw and wanted" grep -q "reports malloc=jemalloc-5.3.0, but profile replit asks for libc" "$RL_TMP/l.err"
ok "nothing cached for the liar" sh -c "! ls -d '$builds'/9.9.6-* 2>/dev/null"

# 6. Valkey trees build valkey-server.
make_tree "$RL_TMP/t7" valkey 7
out=$(build --source "$RL_TMP/t7" 2>/dev/null); rc=$?
is "valkey build exit" "$rc" 0
case "$out" in "$builds"/valkey-9.9.7-*/bin/valkey-server) ok "valkey-server in a valkey- entry" true ;; *) ok "valkey path: $out" false ;; esac

# 7. A tarball with one top directory.
make_tree "$RL_TMP/tb/redis-9.9.8" redis 8
tar -czf "$RL_TMP/redis-9.9.8.tar.gz" -C "$RL_TMP/tb" redis-9.9.8
out=$(build --source "$RL_TMP/redis-9.9.8.tar.gz" 2>/dev/null); rc=$?
is "tarball build exit" "$rc" 0
ok "tarball record has its sha256" grep -q "^source_sha256: \"$(sha256sum "$RL_TMP/redis-9.9.8.tar.gz" | cut -c1-64)\"" \
  "$(dirname "$(dirname "$out")")/build.yaml"

# 8. REDIS_LIGHT_JOBS decides make -j.
make_tree "$RL_TMP/t9" redis 9
out=$(REDIS_LIGHT_JOBS=1 build --source "$RL_TMP/t9" 2>/dev/null)
ok "make -j from REDIS_LIGHT_JOBS" grep -q '^jobs: 1$' "$(dirname "$(dirname "$out")")/build.yaml"

# 9. up plans a build when no cached one matches, and uses the cache once one does.
make_tree "$RL_TMP/t10" redis 10
"$RL_BIN" up --dry-run --profile replit --source "$RL_TMP/t10" --port 6399 >"$RL_TMP/plan.out" 2>&1
ok "up --dry-run plans the build" grep -q "^#   would build $RL_TMP/t10 (--source, version 9.9.10) with make -j[0-9]* MALLOC=libc" "$RL_TMP/plan.out"
ok "dry run built nothing" sh -c "! ls -d '$builds'/9.9.10-* 2>/dev/null"
build --source "$RL_TMP/t10" >/dev/null 2>&1
"$RL_BIN" up --dry-run --profile replit --source "$RL_TMP/t10" --port 6399 >"$RL_TMP/plan2.out" 2>&1
ok "then it plans the cached build" grep -q "^#   run the cached build $builds/9.9.10-.*/bin/redis-server" "$RL_TMP/plan2.out"

# 10. Bad input and no source at all.
build --source "$RL_TMP/nonexistent" >/dev/null 2>"$RL_TMP/b.err"; rc=$?
is "missing --source exits 2" "$rc" 2
ok "names the path" grep -q "nonexistent" "$RL_TMP/b.err"
XDG_CACHE_HOME="$RL_TMP/empty" PATH=/nonexistent "$RL_BIN" build --profile replit >/dev/null 2>"$RL_TMP/n.err"; rc=$?
is "no source anywhere exits 3" "$rc" 3
for what in "--source" "REDIS_LIGHT_SOURCE" "the cache" "apt-get source" "git clone"; do
  ok "no-source message lists $what" grep -q -- "$what" "$RL_TMP/n.err"
done

done_testing
