#!/usr/bin/env bash
# Upstream-ready reports (finrig check --report, as diff and campaign write them): from
# a recorded engine trace of a real finding, the standalone repro must PASS on node and
# FAIL on an engine with the bug (an engine fault preloaded into node, and the real
# quickjs-ng when the engines cache has it), must never PASS on a host without the
# collector it needs, and the test262 test must parse and run green on node and red
# under the fault. A finding that depends on collection gets no test262 test.
#   repro_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
cd "$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. tests/lib.sh

# report NAME: finrig check's report of the finding recorded in corpus/engines/NAME.wire
report() {
  expect_output 1 "report: $work/$1.js" \
    "$finrig" check "corpus/engines/$1.fr" --trace "corpus/engines/$1.wire" --report "$work"
}
# repro NAME VERDICT LINE NODE_ARGS...: node NODE_ARGS NAME.js ends with VERDICT (PASS, or
# FAIL and more) and prints LINE (a check's, or what it lacked)
repro() {
  local name=$1 verdict=$2 line=$3 last
  shift 3
  node "$@" "$work/$name.js" >"$work/out" 2>&1 || true
  last=$(tail -n 1 "$work/out")
  [[ "$last" == "$verdict"* ]] && grep -qF -- "$line" "$work/out" ||
    { cat "$work/out"; fail "node $* $name.js: not $verdict with '$line'"; }
}
fault() { echo --require "$PWD/tests/engine-faults/$1.js"; }
# on_quickjs_ng NAME PATTERN: $work/NAME.js on each quickjs-ng in the engines cache (in
# finrig's QuickJS host) prints a line matching PATTERN, its FAIL
engines=${FINRIG_ENGINES_DIR:-$HOME/.cache/finrig/engines}
on_quickjs_ng() {
  local ng entry
  for ng in "$engines"/quickjs-ng@*/; do
    [ -f "$ng/finrig-engine" ] || continue
    entry=$ng$(sed -n 's/^entry //p' "$ng/finrig-engine")
    node -e "$(cat engines/quickjs-host.js)" "$entry" "$work/$1.js" >"$work/ng" 2>&1 || true
    grep -q "$2" "$work/ng" || { cat "$work/ng"; fail "$1.js does not fail on $ng"; }
    echo "fails on $(basename "$ng"), as it should"
  done
}

echo "== mandatory: quickjs-ng's register ignores the registry as its target"
name=quickjs-ng-register-ignores-registry-as-target
report "$name"
[ -f "$work/harness/finrigRuntime.js" ] || fail "no harness beside the test262 test"
grep -q 'sec-finalization-registry.prototype.register' "$work/$name.js" || fail "no section in $name.js"
repro "$name" PASS 'register h0 h0 h0: expected TypeError, got TypeError' --expose-gc
# shellcheck disable=SC2046
repro "$name" FAIL 'register h0 h0 h0: expected TypeError, got undefined' --expose-gc \
  $(fault register-swallows-typeerror)
on_quickjs_ng "$name" '^FAIL'
node --check "$work/$name.test262.js" || fail "$name.test262.js does not parse"
node tests/test262-run.js "$work/$name.test262.js" || fail "$name.test262.js fails on node"
node tests/test262-run.js --preload tests/engine-faults/register-swallows-typeerror.js \
  --expect fail "$work/$name.test262.js" || fail "$name.test262.js passes under the fault"

echo "== after a gc: QuickJS's unregister misses a dead target's cell"
name=quickjs-unregister-misses-dead-cell
report "$name"
[ ! -f "$work/$name.test262.js" ] || fail "a test262 test for what depends on collection"
grep -q 'No test262 test: ' "$work/$name.js" || fail "$name.js does not say why it has no test262 test"
repro "$name" PASS 'unregister h0 h2: expected true, got true' --expose-gc
# shellcheck disable=SC2046
repro "$name" FAIL 'unregister h0 h2: expected true, got false' --expose-gc \
  $(fault unregister-answers-false)
repro "$name" FAIL 'this host gives no collector'
echo "== written by hand: quickjs-ng runs a cleanup job per cell"
name=quickjs-ng-cleanup-job-per-cell
cp "corpus/engines/$name.js" "$work/"
repro "$name" PASS 'callbacks: ' --expose-gc
repro "$name" FAIL '0 of the 3 callbacks came'
on_quickjs_ng "$name" "^FAIL: a callback of B came between A's two"
echo "== written by hand: quickjs-ng frees a callback its cleanup job then calls"
name=quickjs-ng-token-target-cycle-crash
cp "corpus/engines/$name.js" "$work/"
repro "$name" PASS 'collected' --expose-gc
repro "$name" FAIL 'no cycle collection here'
on_quickjs_ng "$name" "RuntimeError: "
echo "== written by hand: JavaScriptCore calls a cleanup callback with itself as this"
name=jsc-cleanup-callback-this-is-itself
cp "corpus/engines/$name.js" "$work/"
repro "$name" PASS 'this: undefined, arguments: 1' --expose-gc
repro "$name" FAIL 'no callback within 10 tasks'
# shellcheck disable=SC2046
repro "$name" FAIL 'this: of type object, arguments: 2' --expose-gc \
  $(fault callback-this-and-arguments)
echo "repro: the repros pass on node, fail under their faults, refuse a host without gc"
