#!/usr/bin/env bash
# The command-line contract: --help everywhere, --version, exit 2 with a one-line reason
# and the usage for unknown commands and flags.
. "$RL_SRC/tests/lib/common.sh"

"$RL_BIN" --version >"$RL_TMP/v"; is "--version exits 0" $? 0
ok "--version prints a version" grep -qE '^redis-light [0-9]+\.[0-9]+\.[0-9]+$' "$RL_TMP/v"
"$RL_BIN" --help >"$RL_TMP/h"; is "--help exits 0" $? 0
for c in doctor profiles build up down status bench; do
  ok "main help lists $c" grep -qE "^  $c " "$RL_TMP/h"
  "$RL_BIN" "$c" --help >"$RL_TMP/ch" 2>&1; is "$c --help exits 0" $? 0
  ok "$c --help shows its usage" grep -q "^Usage: redis-light $c" "$RL_TMP/ch"
  ok "$c --help lists global options" grep -q -- "--sysroot DIR" "$RL_TMP/ch"
done

"$RL_BIN" frobnicate >"$RL_TMP/o" 2>"$RL_TMP/e"; is "unknown command exits 2" $? 2
ok "unknown command is named" grep -q 'unknown command "frobnicate"' "$RL_TMP/e"
ok "unknown command shows usage" grep -q '^Usage:' "$RL_TMP/e"
"$RL_BIN" doctor --frob >"$RL_TMP/o" 2>"$RL_TMP/e"; is "unknown flag exits 2" $? 2
ok "unknown flag is named" grep -q 'unknown option --frob' "$RL_TMP/e"
ok "unknown flag shows the command's usage" grep -q '^Usage: redis-light doctor' "$RL_TMP/e"
"$RL_BIN" >"$RL_TMP/o" 2>"$RL_TMP/e"; is "no command exits 2" $? 2
"$RL_BIN" --sysroot /nonexistent doctor >"$RL_TMP/o" 2>"$RL_TMP/e"; is "bad sysroot exits 2" $? 2
ok "bad sysroot is named" grep -q '/nonexistent' "$RL_TMP/e"
"$RL_BIN" doctor extra >"$RL_TMP/o" 2>"$RL_TMP/e"; is "stray argument exits 2" $? 2
NO_COLOR=1 "$RL_BIN" doctor >"$RL_TMP/o" 2>&1 || true
ok "NO_COLOR output has no escapes" bash -c '! grep -q $'"'"'\033'"'"' "$1"' _ "$RL_TMP/o"
# -q before or after the command are the same option
"$RL_BIN" -q doctor --json >"$RL_TMP/a" || true
"$RL_BIN" doctor -q --json >"$RL_TMP/b" || true
is "global option position does not matter" "$(jq -r .facts.page_size "$RL_TMP/a")" "$(jq -r .facts.page_size "$RL_TMP/b")"
# output that never reached its reader is a failure, not a silent success
if [ -w /dev/full ]; then
  "$RL_BIN" doctor --json >/dev/full 2>"$RL_TMP/e"; is "doctor --json >/dev/full exits 3" $? 3
  ok "and says stdout could not be written" grep -q 'cannot write to standard output' "$RL_TMP/e"
  "$RL_BIN" --version >/dev/full 2>"$RL_TMP/e"; is "--version >/dev/full exits 3" $? 3
fi

done_testing
