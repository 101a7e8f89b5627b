#!/usr/bin/env bash
# The judge's self-test: finrig's model plays an engine that makes any choice ECMA-262
# allows (finrig diff --engine model). Its runs are legal by construction, so the
# judgement must accept every one; with a fault injected into that engine, it must
# blame the engine, never finrig.
#   model_engine_test.sh FINRIG SOURCE_DIR [PROGRAMS]
# PROGRAMS: generated programs per clean run (default 2000); each fault runs half as many.
set -euo pipefail
finrig=$1
src=$2
programs=${3:-2000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== legal runs are accepted: the corpus, its mutants, look-alike programs"
# The replay gives up after 200 runs (undecided, which is no finding): seventy look-alike
# callbacks (the repeat programs) otherwise cost it 1,000 runs, some ten seconds each program,
# and what this pass is for, the checker accepting every legal trace, does not change.
for generator in mutants lookalike; do
  "$finrig" diff --engine model --corpus "$src/corpus" --generator "$generator" --programs "$programs" \
    --seed 1 --no-minimize --replay-runs 200 -q -o "$work/clean-$generator" > "$work/clean-$generator.txt" ||
    { cat "$work/clean-$generator.txt"; fail "false alarms on legal runs ($generator)"; }
  tail -n 1 "$work/clean-$generator.txt"
done

# engine_blamed NAME BLAME DIFF_ARGS...: finrig diff --engine model DIFF_ARGS exits 1, with
# a finding of the engine's that starts with BLAME and none of finrig's.
engine_blamed() {
  local name=$1 blame=$2 status=0
  shift 2
  "$finrig" diff --engine model "$@" --corpus "$src/corpus" --programs $((programs / 2)) \
    --seed 1 --no-minimize --replay-runs 0 -q -o "$work/$name" > "$work/$name.txt" || status=$?
  [ "$status" -eq 1 ] || { cat "$work/$name.txt"; fail "$name: exit $status, expected 1"; }
  grep -q "^  engine: $blame" "$work/$name.txt" ||
    { cat "$work/$name.txt"; fail "$name: the engine was not blamed ($blame)"; }
  if grep -q "^  finrig:" "$work/$name.txt"; then
    cat "$work/$name.txt"; fail "$name: finrig was blamed"
  fi
  echo "$name: $(tail -n 1 "$work/$name.txt")"
}

# Faults that no legal choice explains, as the checker judges them: the replay, which
# the correct model fails on a broken engine's trace, is left out (it is the checker
# that is under test here, and the replays would take most of the time). token-held-strongly, lost-cleanup-job,
# collected-registry-delivers and async-rejection-ends-job only keep things longer or
# deliver less, which an engine may always do: acceptor mode cannot see them (the
# model's strict run does).
echo "== a broken engine is blamed"
for fault in callback-after-unregister callback-while-reachable double-delivery \
             wrong-held-value missing-same-value-check registered-symbol-accepted \
             held-value-held-weakly unregister-wrong-result unregister-other-registry \
             throw-drops-cells kept-alive-ignored synchronous-callback weakref-not-cleared; do
  engine_blamed "$fault" "" --engine-fault "$fault" --generator lookalike
done
# Faults that only deliver less, where the engine promises completeness (--strict): on
# the corpus's mutants, which have the async callbacks.
echo "== a broken engine is blamed by completeness"
for fault in lost-cleanup-job async-rejection-ends-job; do
  engine_blamed "strict-$fault" "invariant 12" --engine-fault "$fault" --strict
done
echo "model_engine_test: ok"
