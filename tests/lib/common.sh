# Shared helpers for shell tests. Source it: . "$RL_SRC/tests/lib/common.sh"
set -u
: "${RL_BIN:?RL_BIN must point at the redis-light binary}"
: "${RL_SRC:?RL_SRC must point at the source tree}"
: "${RL_BUILD:=$(dirname "$RL_BIN")}"

fails=0
checks=0
ok() { # ok DESCRIPTION COMMAND...
  local what=$1; shift
  checks=$((checks + 1))
  if "$@"; then :; else echo "not ok - $what" >&2; fails=$((fails + 1)); fi
}
is() { # is DESCRIPTION GOT WANT
  checks=$((checks + 1))
  if [ "$2" != "$3" ]; then echo "not ok - $1: got '$2', want '$3'" >&2; fails=$((fails + 1)); fi
}
skip() { echo "SKIP: $*"; exit 77; }
done_testing() {
  echo "$checks checks, $fails failed"
  [ "$fails" -eq 0 ]
  exit $?
}
# A private scratch dir removed at exit (tests may add cleanups with on_exit).
RL_TMP=$(mktemp -d "${TMPDIR:-/tmp}/rltest.XXXXXX")
_cleanups=()
on_exit() { _cleanups+=("$*"); }
_run_cleanups() {
  local i
  for ((i=${#_cleanups[@]}-1; i>=0; i--)); do eval "${_cleanups[$i]}" || true; done
  rm -rf "$RL_TMP"
}
trap _run_cleanups EXIT
