#!/usr/bin/env bash
# finrig diff against QuickJS (quickjs@0.32.0: QuickJS 2025-09-13 as a wasm build, run by
# engines/quickjs-host.js in the system node), from the engines cache FINRIG_ENGINES_DIR
# (ctest's fixture installs it there): the shipped corpus shows QuickJS's two known bugs
# and nothing else, each known-bug program shows its own, and a fault injected into the
# model is blamed on finrig.
#   quickjs_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
cd "$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. tests/lib.sh
engine=quickjs@0.32.0
# What its two bugs show first (corpus/engines/quickjs-*.fr): unregister missing a dead
# target's cell (invariant 7, then its callback: invariant 1), and a new WeakRef not
# keeping its target (invariant 10, or the script's own check of the deref).
known='^  engine: (line [0-9]+: invariant (1|7|10) \(|error: the program threw "op [0-9]+ gave undefined, where every engine gives @)'

echo "== the corpus: every finding is one of QuickJS's known bugs"
status=0
"$finrig" diff --engine "$engine" --corpus corpus --no-minimize -q -o "$work/corpus" \
  > "$work/corpus.txt" || status=$?
[ "$status" -eq 1 ] || { cat "$work/corpus.txt"; fail "exit status $status, not 1"; }
others=$(grep -E '^  (engine|finrig|disagree): ' "$work/corpus.txt" | grep -Ev "$known" || true)
[ -z "$others" ] || { echo "$others"; fail "findings other than the known bugs"; }
echo "$(grep -c '^  engine: ' "$work/corpus.txt") findings, all the known bugs"

echo "== each known-bug program shows its bug"
for bug in "quickjs-unregister-misses-dead-cell:invariant 7 " "quickjs-weakref-target-not-kept-alive:invariant 10 "; do
  # Its bug fixed? Then update corpus/engines/.
  expect_output 1 "^  engine: line [0-9]*: ${bug#*:}" "$finrig" diff --engine "$engine" \
    --corpus "corpus/engines/${bug%%:*}.fr" --no-minimize -q -o "$work/known"
done

echo "== a fault injected into the model is blamed on finrig"
expect_output 1 '^  finrig: ' "$finrig" diff --engine "$engine" --fault lost-cleanup-job \
  --corpus corpus/faults/lost-cleanup-job.fr --no-minimize -q -o "$work/fault"
echo "quickjs: ok"
