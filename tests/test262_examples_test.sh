#!/usr/bin/env bash
# examples/test262/: each is what `finrig js --flavor test262` writes for its corpus
# program today, passes under node with a minimal test262 host (test262-shim.js), and
# fails when the engine calls back twice (engine-faults/double-callback.js).
#   test262_examples_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
cd "$2"
fail() { echo "FAIL: $*" >&2; exit 1; }
count=0
for example in examples/test262/*.js; do
  name=$(basename "$example" .js)
  diff -u "$example" <("$finrig" js --flavor test262 "corpus/$name.fr") ||
    fail "$example is stale: regenerate it with finrig js --flavor test262 corpus/$name.fr -o $example"
  out=$(node --expose-gc --require ./tests/test262-shim.js "$example")
  [ "$out" = "Test262:AsyncTestComplete" ] || fail "$example: $out"
  out=$(node --expose-gc --require ./tests/test262-shim.js \
          --require ./tests/engine-faults/double-callback.js "$example" || true)
  case "$out" in
    Test262:AsyncTestFailure:*"more callbacks"*) ;;
    *) fail "$example passed with every callback run twice: $out" ;;
  esac
  count=$((count + 1))
done
[ "$count" -ge 5 ] || fail "only $count examples"

# The shells' flavors cannot run here; they must at least parse.
for program in corpus/throw-then-later-job-delivers-rest.fr corpus/new-registry-inside-callback.fr \
               corpus/symbol-held-values-es2023.fr corpus/partial-gc-subset.fr; do
  for flavor in node d8 jsshell jsc test262; do
    "$finrig" js --flavor "$flavor" "$program" | node --check - ||
      fail "finrig js --flavor $flavor $program does not parse"
  done
done
echo "test262 examples: $count pass, and catch a doubled callback; every flavor parses"
