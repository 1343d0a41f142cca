#!/usr/bin/env bash
# profiles on the command line: the malformed corpus (exact FILE:LINE:COLUMN messages,
# exit 2), list/show/validate, shadowing by user profiles, --profile PATH, and a broken
# user profile that must not stop the shipped ones.
. "$RL_SRC/tests/lib/common.sh"
export XDG_CONFIG_HOME="$RL_TMP/config"
unset REDIS_LIGHT_PROFILES

bad="$RL_FIXTURES/profiles/bad"
n=0
for f in "$bad"/*.yaml; do
  name=$(basename "$f")
  (cd "$bad" && "$RL_BIN" profiles validate "$name" >/dev/null 2>"$RL_TMP/err"); rc=$?
  is "$name exits 2" "$rc" 2
  is "$name message" "$(cat "$RL_TMP/err")" "$(cat "${f%.yaml}.expect")"
  n=$((n + 1))
done
ok "at least 20 malformed profiles ($n)" test "$n" -ge 20

for f in "$RL_SRC"/profiles/*.yaml; do
  "$RL_BIN" profiles validate "$f" >/dev/null 2>&1; is "shipped $(basename "$f") validates" $? 0
done

list=$("$RL_BIN" profiles list); is "list exits 0" $? 0
for p in replit bigpage tiny container default; do
  ok "list shows $p" grep -qE "^$p +[0-9]+ +(yes|no) " <<<"$list"
done
is "list --json has 5 profiles" "$("$RL_BIN" profiles list --json | jq length)" 5
is "default matches everywhere" "$("$RL_BIN" profiles list --json | jq -r '.[] | select(.name=="default") | .matches')" true

show=$("$RL_BIN" profiles show replit); is "show exits 0" $? 0
ok "show prints the build" grep -q 'MALLOC=libc USE_SYSTEMD=no BUILD_TLS=no' <<<"$show"
ok "show renders save \"\" literally" grep -qx 'save ""' <<<"$show"
ok "show comments every directive" bash -c '! grep -B1 -E "^(maxmemory|save|appendonly)" <<<"$1" | grep -vE "^(#|maxmemory|save|appendonly|--)" | grep -q .' _ "$show"
"$RL_BIN" profiles show nosuch >/dev/null 2>"$RL_TMP/err"; is "unknown profile exits 2" $? 2
ok "unknown profile lists the known ones" grep -q 'known: .*replit' "$RL_TMP/err"

# shadowing: a user profile named tiny replaces the shipped one, and list says so
mkdir -p "$XDG_CONFIG_HOME/redis-light/profiles"
cat >"$XDG_CONFIG_HOME/redis-light/profiles/tiny.yaml" <<'Y'
name: tiny
description: my own tiny
priority: 50
match:
  - memory_limit_bytes < 256mb
build:
  allocator: libc
config:
  maxmemory: 10mb
Y
list=$("$RL_BIN" profiles list)
ok "list marks the shadowing profile" grep -q "tiny .*config/redis-light/profiles/tiny.yaml (shadows .*profiles/tiny.yaml" <<<"$list"
ok "show uses the user's tiny" grep -qx 'maxmemory 10mb' <<<"$("$RL_BIN" profiles show tiny)"

# a broken user profile is reported, the rest keep working
printf 'name: broken\nbuild: [\n' >"$XDG_CONFIG_HOME/redis-light/profiles/broken.yaml"
"$RL_BIN" profiles list >"$RL_TMP/out" 2>"$RL_TMP/err"; is "list still exits 0" $? 0
ok "broken profile named in a warning" grep -q 'broken.yaml:3:1: YAML syntax error' "$RL_TMP/err"
ok "shipped profiles still listed" grep -q '^replit ' "$RL_TMP/out"
"$RL_BIN" doctor --json >"$RL_TMP/doc" 2>/dev/null
ok "doctor still picks a profile" jq -e '.profile.name != null' >/dev/null "$RL_TMP/doc"
ok "doctor reports the broken profile" jq -e '.profile_problems | map(test("broken.yaml")) | any' >/dev/null "$RL_TMP/doc"

# --profile PATH on doctor and show
cp "$RL_SRC/profiles/replit.yaml" "$RL_TMP/mine.yaml"
sed -i 's/^name: replit/name: mine/' "$RL_TMP/mine.yaml"
is "doctor --profile PATH" "$("$RL_BIN" doctor --json --profile "$RL_TMP/mine.yaml" | jq -r .profile.name)" mine
is "doctor --profile PATH is marked overridden" "$("$RL_BIN" doctor --json --profile "$RL_TMP/mine.yaml" | jq -r .profile.overridden)" true
is "doctor --profile NAME" "$("$RL_BIN" doctor --json --profile tiny | jq -r .profile.name)" tiny
"$RL_BIN" doctor --profile "$bad/unknown-allocator.yaml" >/dev/null 2>"$RL_TMP/err"; is "doctor with a bad profile exits 2" $? 2
ok "and names the file and line" grep -q 'unknown-allocator.yaml:3:14' "$RL_TMP/err"

# A profile nested 100,000 deep (200 KB) is refused at the first level past the bound,
# with its place, by validate and as a user profile. libyaml's scanning cost grows with
# the square of the depth: before the bound this took 89 s. timeout only bounds a hang.
deep="$RL_TMP/deep.yaml"
{ printf 'name: deep\nbuild:\n  allocator: libc\ndescription: '
  head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } >"$deep"
timeout 20 "$RL_BIN" profiles validate "$deep" >/dev/null 2>"$RL_TMP/err"; is "100,000-deep profile: validate exits 2" $? 2
is "100,000-deep profile: FILE:LINE:COLUMN of the 33rd level and the bound" "$(cat "$RL_TMP/err")" \
  "$deep:4:45: nesting deeper than 32 levels; a profile needs a handful (top level, match, all/any groups): flatten the lists and mappings here"
mkdir -p "$XDG_CONFIG_HOME/redis-light/profiles"
cp "$deep" "$XDG_CONFIG_HOME/redis-light/profiles/deep.yaml"
timeout 20 "$RL_BIN" doctor --json >"$RL_TMP/doc" 2>/dev/null; rc=$?
ok "100,000-deep user profile: doctor finishes (rc $rc)" test "$rc" -le 1
ok "100,000-deep user profile: doctor reports it and still picks a profile" \
  jq -e '(.profile_problems | map(test("deep.yaml:4:45: nesting deeper than 32 levels")) | any) and .profile.name != null' "$RL_TMP/doc" >/dev/null
rm -f "$XDG_CONFIG_HOME/redis-light/profiles/deep.yaml"

# loadmodule runs a shared library inside Redis: refused in a profile (the corpus above)
# and by profiles show --set, like include
"$RL_BIN" profiles show replit --set loadmodule=/tmp/evil.so >"$RL_TMP/out" 2>"$RL_TMP/err"; rc=$?
is "profiles show --set loadmodule exits 2" "$rc" 2
ok "profiles show --set loadmodule says why" grep -q -- "--set loadmodule is refused: a module is native code" "$RL_TMP/err"
ok "profiles show --set loadmodule renders nothing" test ! -s "$RL_TMP/out"

# REDIS_LIGHT_PROFILES replaces the shipped directory
rm -f "$XDG_CONFIG_HOME/redis-light/profiles/"*.yaml
is "REDIS_LIGHT_PROFILES" "$(REDIS_LIGHT_PROFILES="$RL_FIXTURES/profiles/nomatch" "$RL_BIN" profiles list --json | jq -r '.[].name')" only

done_testing
