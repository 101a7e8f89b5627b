#!/usr/bin/env bash
# examples/test262/: each is what `finrig js --flavor test262` writes today for its
# program (corpus/NAME.fr, or NAME.fr beside it), and harness/finrigRuntime.js what
# `finrig js --test262-include` writes. Run as test262-harness runs them
# (test262-run.js: harness files, includes, strict and non-strict), each passes on
# node and fails loudly on every broken host: one whose $262.gc throws, one without
# timers, and one with the engine fault the example is meant to catch.
#   test262_examples_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
cd "$2"
fail() { echo "FAIL: $*" >&2; exit 1; }

# The engine fault (tests/engine-faults/) each example catches.
fault_for() {
  case $1 in
    register-bad-token-adds-no-cell) echo register-swallows-typeerror ;;
    unregister-answers-whether-it-removed) echo unregister-answers-false ;;
    *) echo double-callback ;;
  esac
}

include=examples/test262/harness/finrigRuntime.js
diff -u "$include" <("$finrig" js --test262-include) ||
  fail "$include is stale: regenerate it with finrig js --test262-include -o $include"
count=0
for example in examples/test262/*.js; do
  name=$(basename "$example" .js)
  source=corpus/$name.fr
  [ -f "$source" ] || source=examples/test262/$name.fr
  diff -u "$example" <("$finrig" js --flavor test262 "$source") ||
    fail "$example is stale: regenerate it with finrig js --flavor test262 $source -o $example"
  node tests/test262-run.js "$example" || fail "$example does not pass on node"
  for host in gc-throws no-timers; do
    node tests/test262-run.js --host "$host" --expect fail "$example" ||
      fail "$example passed on a host with $host"
  done
  fault=$(fault_for "$name")
  node tests/test262-run.js --preload "tests/engine-faults/$fault.js" --expect fail "$example" ||
    fail "$example passed with the engine fault $fault"
  count=$((count + 1))
done
[ "$count" -ge 6 ] || fail "only $count examples"

# Every flavor must at least parse (jsshell's and jsc's run in engine-diff/spidermonkey78
# and engine-diff/jsc).
for program in corpus/throw-then-later-job-delivers-rest.fr corpus/new-registry-inside-callback.fr \
               corpus/symbol-held-values-es2023.fr corpus/partial-gc-subset.fr; do
  for flavor in node jsshell jsc test262; do
    if [ "$flavor" = test262 ] && grep -q "^ *throw" "$program"; then
      status=0
      "$finrig" js --flavor test262 "$program" > /dev/null 2>&1 || status=$?
      [ "$status" -eq 2 ] || fail "finrig js --flavor test262 $program: exit $status, expected 2" \
                                  "(a throwing callback would fail the test on a correct engine)"
      continue
    fi
    "$finrig" js --flavor "$flavor" "$program" | node --check - ||
      fail "finrig js --flavor $flavor $program does not parse"
  done
done
echo "test262 examples: $count pass in both modes, and fail on a host whose \$262.gc throws," \
     "on one without timers and under their engine faults; every flavor parses"
