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

# verdict OUTPUT: the repro's last line, PASS or FAIL...
verdict() { tail -n 1 "$1"; }
# run_repro NAME OUT ARGS...: node ARGS NAME.js, its output in OUT
run_repro() {
  local name=$1 out=$2
  shift 2
  node "$@" "$work/$name.js" >"$out" 2>&1 || true
}

echo "== mandatory: quickjs-ng's register ignores the registry as its target"
name=quickjs-ng-register-ignores-registry-as-target
expect_output 1 "report: $work/$name.test262.js" \
  "$finrig" check "corpus/engines/$name.fr" --trace "corpus/engines/$name.wire" --report "$work"
[ -f "$work/harness/finrigRuntime.js" ] || fail "no harness beside the test262 test"
grep -q 'sec-finalization-registry.prototype.register' "$work/$name.js" || fail "no section in $name.js"
run_repro "$name" "$work/good" --expose-gc
[ "$(verdict "$work/good")" = PASS ] || { cat "$work/good"; fail "$name.js does not pass on node"; }
run_repro "$name" "$work/bad" --expose-gc --require "$PWD/tests/engine-faults/register-swallows-typeerror.js"
grep -q 'register h0 h0 h0: expected TypeError, got undefined' "$work/bad" &&
  [[ "$(verdict "$work/bad")" == FAIL* ]] ||
  { cat "$work/bad"; fail "$name.js passes with register swallowing TypeErrors"; }
engines=${FINRIG_ENGINES_DIR:-$HOME/.cache/finrig/engines}
for ng in "$engines"/quickjs-ng@*/; do
  [ -f "$ng/finrig-engine" ] || continue
  entry=$ng$(sed -n 's/^entry //p' "$ng/finrig-engine")
  node -e "$(cat engines/quickjs-host.js)" "$entry" "$work/$name.js" >"$work/ng" 2>&1 || true
  [[ "$(verdict "$work/ng")" == FAIL* ]] || { cat "$work/ng"; fail "$name.js passes on $ng"; }
  echo "fails on $(basename "$ng"), as it should"
done
node --check "$work/$name.test262.js" || fail "$name.test262.js does not parse"
node tests/test262-run.js "$work/$name.test262.js" || fail "$name.test262.js fails on node"
node tests/test262-run.js --preload tests/engine-faults/register-swallows-typeerror.js \
  --expect fail "$work/$name.test262.js" || fail "$name.test262.js passes under the fault"

echo "== after a gc: QuickJS's unregister misses a dead target's cell"
name=quickjs-unregister-misses-dead-cell
expect_output 1 "report: $work/$name.js" \
  "$finrig" check "corpus/engines/$name.fr" --trace "corpus/engines/$name.wire" --report "$work"
[ ! -f "$work/$name.test262.js" ] || fail "a test262 test for what depends on collection"
grep -q 'No test262 test: ' "$work/$name.js" || fail "$name.js does not say why it has no test262 test"
run_repro "$name" "$work/good" --expose-gc
[ "$(verdict "$work/good")" = PASS ] || { cat "$work/good"; fail "$name.js does not pass on node"; }
run_repro "$name" "$work/bad" --expose-gc --require "$PWD/tests/engine-faults/unregister-answers-false.js"
grep -q 'unregister h0 h2: expected true, got false' "$work/bad" &&
  [[ "$(verdict "$work/bad")" == FAIL* ]] ||
  { cat "$work/bad"; fail "$name.js passes with unregister answering false"; }
run_repro "$name" "$work/nogc"
! grep -q '^PASS' "$work/nogc" && grep -q 'no collector' "$work/nogc" ||
  { cat "$work/nogc"; fail "$name.js passes, or does not say why not, on node without --expose-gc"; }
echo "repro: both repros pass on node, fail under their faults, refuse a host without gc"
