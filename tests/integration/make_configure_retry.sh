#!/usr/bin/env bash
# The Makefile never trusts a configure that did not finish. A failed configure (here a
# compiler that does not exist, CC=/nonexistent; on a bare Debian it was gcc without
# libc6-dev) leaves CMakeCache.txt holding the broken compiler and no generated build
# system; the old Makefile took the cache for "configured" and every later make failed
# at once ("Makefile: No such file or directory") until make clean. Now the next make
# configures afresh and builds, and a finished configure is not redone.
. "$RL_SRC/tests/lib/common.sh"
command -v make >/dev/null || skip "make is not installed"
command -v cmake >/dev/null || skip "cmake is not installed"
b=$RL_TMP/build
mk() { make --no-print-directory -C "$RL_SRC" BUILD="$b" JOBS=2 "$@"; }

# 1. A failed configure through make: fails, says what happens next, keeps no cache.
rc=0
out=$(CC=/nonexistent mk configure 2>&1) || rc=$?
ok "configure with CC=/nonexistent fails" [ "$rc" -ne 0 ]
ok "it names the missing compiler" grep -q "/nonexistent" <<<"$out"
ok "it says the next make configures afresh" grep -q "the next make configures it afresh" <<<"$out"
ok "no half-written cache is left" test ! -e "$b/CMakeCache.txt"

# 2. The leftover of a configure that failed without the Makefile's cleanup (the old
# Makefile, cmake run by hand, or one killed mid-way): a cache, no build system.
rc=0
CC=/nonexistent cmake -S "$RL_SRC" -B "$b" >"$RL_TMP/cmake.log" 2>&1 || rc=$?
ok "cmake itself fails with CC=/nonexistent" [ "$rc" -ne 0 ]
ok "and leaves a cache behind" test -f "$b/CMakeCache.txt"
ok "but no generated build system" test ! -e "$b/Makefile"
rc=0
mk all >"$RL_TMP/retry.log" 2>&1 || rc=$?
is "the next make all (without CC) exit" "$rc" 0
[ "$rc" -eq 0 ] || tail -n 30 "$RL_TMP/retry.log" >&2
ok "it configured afresh: the generated build system exists" test -f "$b/CMakeFiles/Makefile.cmake"
ok "with a compiler in the cache" grep -q '^CMAKE_C_COMPILER:FILEPATH=/' "$b/CMakeCache.txt"
ok "and built redis-light" "$b/redis-light" --version

# 3. A finished configure is kept: make configure again leaves the cache alone.
touch -d '2001-01-01' "$b/CMakeCache.txt"
before=$(stat -c %Y "$b/CMakeCache.txt")
mk configure >/dev/null 2>&1
is "a second make configure does not redo it" "$(stat -c %Y "$b/CMakeCache.txt")" "$before"
done_testing
