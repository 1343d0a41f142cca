#!/usr/bin/env bash
# doctor's disk check judges whether up could write its state directory at all: a real
# read-only bind mount (as the state directory's ancestor, and holding the directory
# itself), a regular file where the directory should be, and a directory another user
# owns. Each must fail with the path, the reason and the fix; doctor itself writes
# nothing. Needs root: only root can bind-mount, and chmod alone does not stop root.
. "$RL_SRC/tests/lib/common.sh"
command -v jq >/dev/null || skip "jq is not installed"
[ "$(id -u)" -eq 0 ] || skip "not root: cannot make a read-only bind mount (and chmod does not stop root)"
export XDG_CONFIG_HOME="$RL_TMP/config" XDG_CACHE_HOME="$RL_TMP/cache"
unset REDIS_LIGHT_PROFILES REDIS_LIGHT_SYSROOT

src="$RL_TMP/src" ro="$RL_TMP/ro"
mkdir -p "$src" "$ro"
mount --bind -o ro "$src" "$ro" 2>"$RL_TMP/mount.err" || skip "mount --bind -o ro failed here: $(cat "$RL_TMP/mount.err")"
on_exit "umount '$ro'"
touch "$ro/probe" 2>/dev/null && skip "the bind mount at $ro is writable despite -o ro"

doctor() { # doctor STATE_HOME [USER]: sets out, rc and disk (the disk row as JSON)
  if [ -n "${2:-}" ]; then
    out=$(XDG_STATE_HOME="$1" timeout 20 setpriv --reuid="$2" --regid="$2" --clear-groups "$RL_BIN" doctor --json 2>/dev/null)
  else
    out=$(XDG_STATE_HOME="$1" timeout 20 "$RL_BIN" doctor --json 2>/dev/null)
  fi
  rc=$?
  disk=$(jq -c '.checks[] | select(.id == "disk")' <<<"$out")
}
field() { jq -r ".$1" <<<"$disk"; }
refused() { # refused LABEL STATE_HOME WANT_IN_SUMMARY [USER]
  doctor "$2" "${4:-}"
  is "$1: disk fails" "$(field status)" fail
  is "$1: doctor exits 1" "$rc" 1
  ok "$1: names the state directory ($(field summary))" grep -qF "state directory $2/redis-light is not writable" <<<"$(field summary)"
  ok "$1: says why ($(field summary))" grep -qF "$3" <<<"$(field summary)"
  ok "$1: gives the fix" grep -qF "set XDG_STATE_HOME to a writable directory" <<<"$(field advice)"
  is "$1: state_dir_writable fact" "$(jq -r .facts.state_dir_writable <<<"$out")" 0
}

# a writable state home: the check judges free space as before
mkdir -p "$RL_TMP/state"
doctor "$RL_TMP/state"
ok "writable: disk does not fail ($disk)" test "$(field status)" != fail
is "writable: state_dir_writable fact" "$(jq -r .facts.state_dir_writable <<<"$out")" 1

# the state directory does not exist yet and would be created under a read-only mount
refused "not yet created, under a read-only mount" "$ro/sub" "$ro is on a read-only mount"
ok "doctor created nothing (it only asks the kernel)" test ! -e "$src/sub"

# the state directory exists, on a read-only mount
mkdir -p "$src/redis-light"
refused "existing, on a read-only mount" "$ro" "$ro/redis-light is on a read-only mount"

# a regular file where the state home should be
: >"$RL_TMP/afile"
refused "a file as XDG_STATE_HOME" "$RL_TMP/afile" "$RL_TMP/afile is not a directory"

# a directory owned by root, mode 755, for another user: permission, not the mount
if command -v setpriv >/dev/null; then
  theirs="$RL_TMP/theirs"
  mkdir -p "$theirs" && chmod 755 "$theirs" && chmod 755 "$RL_TMP"
  refused "another user's directory" "$theirs" "access($theirs, W_OK|X_OK): Permission denied" 65534
else
  echo "# setpriv not installed: the other-user case is not checked"
fi

done_testing
