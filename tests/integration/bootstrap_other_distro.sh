#!/usr/bin/env bash
# scripts/bootstrap on a system without apt-get (another distribution): it checks the
# tools themselves and says in words what is missing, never an apt-get line, and passes
# when everything is there. This machine's own programs stand in for that system through
# a PATH of links to all of them except apt-get and dpkg-query (and what a case removes);
# a compiler without libc is this gcc with an empty --sysroot; libraries without their
# .pc files are pkg-config with an empty search path.
. "$RL_SRC/tests/lib/common.sh"
for t in cc make cmake pkg-config jq python3 ps ss; do
  command -v $t >/dev/null || skip "$t is not installed (the all-present case needs it)"
done
pkg-config --exists hiredis yaml-0.1 || skip "hiredis or libyaml development files missing"

# without_apt DIR PROGRAM...: DIR holds links to every program on PATH but apt-get,
# dpkg-query and the PROGRAMs named.
without_apt() {
  local dir=$1 d f n; shift
  if [ ! -d "$RL_TMP/all" ]; then
    mkdir -p "$RL_TMP/all"
    IFS=: read -ra dirs <<<"$PATH"
    for d in "${dirs[@]}"; do
      for f in "$d"/*; do
        n=${f##*/}
        if [ -f "$f" ] && [ -x "$f" ] && [ ! -e "$RL_TMP/all/$n" ]; then ln -s "$f" "$RL_TMP/all/$n"; fi
      done
    done
    rm -f "$RL_TMP/all/apt-get" "$RL_TMP/all/dpkg-query"
  fi
  [ "$dir" = "$RL_TMP/all" ] && return 0
  cp -a "$RL_TMP/all" "$dir"
  for n in "$@"; do rm -f "${dir:?}/$n"; done
}
# shellcheck disable=SC2317 # called through ok
lacks() { ! grep -q -- "$1" <<<"$2"; } # lacks PATTERN TEXT
# bootstrap PATH [ENV=VALUE...] -- ARGS: scripts/bootstrap there; output in $out, rc in $rc.
bootstrap() {
  local path=$1; shift
  local envs=()
  while [ "$1" != -- ]; do envs+=("$1"); shift; done
  shift
  rc=0
  out=$(env PATH="$path" "${envs[@]}" /bin/sh "$RL_SRC/scripts/bootstrap" "$@" 2>&1) || rc=$?
}

# 1. Everything there: passes quietly, with or without the test tools.
without_apt "$RL_TMP/all"
bootstrap "$RL_TMP/all" -- --test
is "all tools present, no apt-get: exit" "$rc" 0
is "... and nothing said" "$out" ""

# 2. No make, no cmake: both named, with the version cmake needs; no apt-get line.
without_apt "$RL_TMP/bare" make cmake
bootstrap "$RL_TMP/bare" -- --test
is "make and cmake missing: exit" "$rc" 1
ok "says this is not Debian/Ubuntu" grep -q "not a Debian/Ubuntu system (no apt-get)" <<<"$out"
ok "names make" grep -q -- "- make (GNU make)" <<<"$out"
ok "names cmake >= 3.16" grep -q -- "- cmake >= 3.16" <<<"$out"
ok "prints no apt-get line" lacks "apt-get install" "$out"
ok "the compiler passed" lacks "C compiler\|C library" "$out"

# 3. A compiler that cannot build a program (no libc headers or crt files): named as such,
# with the compiler's own complaint.
mkdir -p "$RL_TMP/empty-sysroot"
printf '#!/bin/sh\nexec %s --sysroot=%s "$@"\n' "$(command -v cc)" "$RL_TMP/empty-sysroot" >"$RL_TMP/cc-nolibc"
chmod +x "$RL_TMP/cc-nolibc"
bootstrap "$RL_TMP/all" CC="$RL_TMP/cc-nolibc" --
is "compiler without libc: exit" "$rc" 1
ok "names the C library's headers and startup files" grep -q "the C library's headers and startup files" <<<"$out"
ok "quotes the compiler's error" grep -q "stdio.h" <<<"$out"
bootstrap "$RL_TMP/all" CC=/nonexistent/cc --
ok "a compiler that is not there is named" grep -q -- "- a C compiler ('/nonexistent/cc' not found" <<<"$out"

# 4. pkg-config finds neither library: both named; the test tools only with --test.
without_apt "$RL_TMP/nojq" jq
bootstrap "$RL_TMP/nojq" PKG_CONFIG_LIBDIR="$RL_TMP/empty-sysroot" PKG_CONFIG_PATH= --
is "libraries missing: exit" "$rc" 1
ok "names hiredis's development files" grep -q "hiredis development files" <<<"$out"
ok "names libyaml's development files" grep -q "libyaml development files" <<<"$out"
ok "without --test, jq is not asked for" lacks "jq" "$out"
bootstrap "$RL_TMP/nojq" -- --test
is "jq missing with --test: exit" "$rc" 1
ok "names jq" grep -q -- "- jq (the test suite uses it" <<<"$out"
done_testing
