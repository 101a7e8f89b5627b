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
for generator in mutants lookalike; do
  "$finrig" diff --engine model --corpus "$src/corpus" --generator "$generator" --programs "$programs" \
    --seed 1 --no-minimize -q -o "$work/clean-$generator" > "$work/clean-$generator.txt" ||
    { cat "$work/clean-$generator.txt"; fail "false alarms on legal runs ($generator)"; }
  tail -n 1 "$work/clean-$generator.txt"
done

# Faults that no legal choice explains, as the checker judges them: the replay, which
# the correct model fails on a broken engine's trace, is left out (it is the checker
# that is under test here, and the replays would take most of the time). token-held-strongly, lost-cleanup-job and
# collected-registry-delivers only keep things longer or deliver less, which an
# engine may always do: acceptor mode cannot see them (the model's strict run does).
echo "== a broken engine is blamed"
for fault in callback-after-unregister callback-while-reachable double-delivery \
             wrong-held-value missing-same-value-check registered-symbol-accepted \
             held-value-held-weakly unregister-wrong-result unregister-other-registry \
             throw-drops-cells kept-alive-ignored synchronous-callback weakref-not-cleared; do
  status=0
  "$finrig" diff --engine model --engine-fault "$fault" --corpus "$src/corpus" \
    --generator lookalike --programs $((programs / 2)) --seed 1 --no-minimize --replay-runs 0 -q \
    -o "$work/fault-$fault" \
    > "$work/fault-$fault.txt" || status=$?
  [ "$status" -eq 1 ] || { cat "$work/fault-$fault.txt"; fail "$fault: exit $status, expected 1"; }
  grep -q "^  engine:" "$work/fault-$fault.txt" ||
    { cat "$work/fault-$fault.txt"; fail "$fault: the engine was not blamed"; }
  if grep -q "^  finrig:" "$work/fault-$fault.txt"; then
    cat "$work/fault-$fault.txt"; fail "$fault: finrig was blamed"
  fi
  echo "$fault: $(tail -n 1 "$work/fault-$fault.txt")"
done
echo "model_engine_test: ok"
