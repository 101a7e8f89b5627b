#!/usr/bin/env bash
# finrig diff against a real engine: the shipped corpus runs clean, and a fault
# injected into the model (the oracle) is blamed on finrig for each fault's program.
# For node also: a fault injected into the engine (tests/engine-faults/*.js, preloaded)
# is blamed on the engine, and --strict finds V8's cleanup stall (corpus/engines/).
#   engine_diff_test.sh FINRIG SOURCE_DIR node|spidermonkey|spidermonkey@78 [corpus-only]
set -euo pipefail
finrig=$1
src=$2
engine=$3
scope=${4:-all}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

if [ "$engine" = node ]; then
  major=$(node --version | sed 's/^v\([0-9]*\).*/\1/')
  [ "$major" -ge 20 ] || fail "node 20 or later is needed (the node profile is es2023: symbols as WeakMap keys); found $(node --version)"
fi

# The programs an engine's known bug trips (corpus/engines/), by what it shows: judged
# apart from the clean corpus, each must show it.
known_bug_programs() {
  case $engine in
    spidermonkey)  # 102 reads NewTarget.prototype before IsCallable; 78 does not
      echo corpus/registry-constructor-check-order.fr corpus/registry-constructor-checks-in-callback.fr \
           corpus/engines/spidermonkey-registry-prototype-before-callable.fr \
           corpus/faults/prototype-before-callable.fr ;;
  esac
}
known=" $(known_bug_programs) "

echo "== the corpus: every program's trace agrees with the model"
clean=()
while IFS= read -r -d '' program; do
  [[ $known == *" ${program#"$src/"} "* ]] || clean+=(--corpus "$program")
done < <(find "$src/corpus" -name '*.fr' -print0 | sort -z)
"$finrig" diff --engine "$engine" "${clean[@]}" --no-minimize -q -o "$work/clean" \
  > "$work/clean.txt" || { cat "$work/clean.txt"; fail "discrepancies on the shipped corpus"; }
grep -q "0 discrepancies" "$work/clean.txt" || fail "no summary line"
for program in $known; do
  status=0
  "$finrig" diff --engine "$engine" --corpus "$src/$program" --no-minimize -q -o "$work/known" \
    > "$work/known.txt" || status=$?
  [ "$status" -eq 1 ] && grep -q "^  engine: .*invariant 3" "$work/known.txt" ||
    { cat "$work/known.txt"; fail "$program: the engine's known bug did not show"; }
done
# A value only the emitted script holds is one the engine cannot collect, and --strict
# would blame the engine for it. Both programs once kept one: on SpiderMonkey 102 a
# closure per call in the runtime, kept by a warm call IC, held a target (the chain of
# callbacks stopped at 20); on V8 and SpiderMonkey a registry made in a callback closed
# over the callback's environment, which held the heldValue its ops read.
echo "== --strict: the emitted script keeps nothing the program does not"
for program in corpus/regressions/runaway-cleanup-job.fr corpus/regressions/harness-keeps-no-held-value.fr; do
  "$finrig" diff --engine "$engine" --strict --corpus "$src/$program" --no-minimize -q \
    -o "$work/kept" > "$work/kept.txt" || { cat "$work/kept.txt"; fail "$program: --strict found something"; }
done
# SpiderMonkey 102's trace of this program needs more than one walk of the search.
if [ "$engine" = spidermonkey ]; then
  echo "== an undecided judgement is named and kept, and --search-runs 0 decides it"
  program=$src/corpus/throw-operand-same-value.fr
  "$finrig" diff --engine "$engine" --strict --corpus "$program" --no-minimize --search-runs 1 \
    --replay-runs 0 -q -o "$work/undecided" > "$work/undecided.txt" || true
  grep -q "note: for 1 program(s) .* gave up after 1 runs.*throw-operand-same-value" "$work/undecided.txt" ||
    { cat "$work/undecided.txt"; fail "no undecided program named with --search-runs 1"; }
  [ "$(find "$work/undecided/undecided" -name '*.fr' | wc -l)" -eq 1 ] || fail "the undecided program was not kept"
  "$finrig" diff --engine "$engine" --strict --corpus "$work/undecided/undecided" --no-minimize \
    --search-runs 0 --replay-runs 0 -q -o "$work/decided" > "$work/decided.txt" || true
  grep -q "programs," "$work/decided.txt" && ! grep -q "note: for .* gave up" "$work/decided.txt" ||
    { cat "$work/decided.txt"; fail "still undecided with --search-runs 0"; }
fi
if [ "$scope" = corpus-only ]; then
  echo "engine_diff_test $engine (corpus only): ok"
  exit 0
fi

echo "== oracle-side faults: the diff blames finrig"
for fault in $("$finrig" faults); do
  [[ $known != *" corpus/faults/$fault.fr "* ]] || continue  # the engine's own bug
  status=0
  "$finrig" diff --engine "$engine" --corpus "$src/corpus/faults/$fault.fr" --fault "$fault" \
    --no-minimize -q -o "$work/oracle-$fault" > "$work/oracle-$fault.txt" || status=$?
  [ "$status" -eq 1 ] || { cat "$work/oracle-$fault.txt"; fail "$fault: exit $status, expected 1"; }
  grep -Eq "^  (finrig|disagree):" "$work/oracle-$fault.txt" ||
    { cat "$work/oracle-$fault.txt"; fail "$fault: not blamed on finrig"; }
  if grep -q "^  engine:" "$work/oracle-$fault.txt"; then
    cat "$work/oracle-$fault.txt"; fail "$fault: the correct engine was blamed"
  fi
  echo "$fault: $(grep -Ec '^  (finrig|disagree):' "$work/oracle-$fault.txt") findings"
done

# A fault that shows in what a correct engine does: its trace, which the checker
# accepts, is one the broken model cannot produce under any choice (engines/replay.h).
# corpus/faults/compare/NAME.fr observes what NAME.fr leaves unseen from outside. The
# faults that only let the model do more come after. prototype-before-callable is
# SpiderMonkey 102's own bug (corpus/engines/): there the engine is blamed first (78
# has it right).
echo "== oracle-side faults by comparison alone: the replay disagrees"
compare_faults="double-delivery wrong-held-value missing-same-value-check
  registered-symbol-accepted unregister-wrong-result unregister-other-registry
  lost-cleanup-job weakref-not-cleared token-held-strongly throw-drops-cells
  synchronous-callback async-rejection-ends-job"
[ "$engine" = spidermonkey ] || compare_faults="$compare_faults prototype-before-callable"
for fault in $compare_faults; do
  program=$src/corpus/faults/compare/$fault.fr
  [ -f "$program" ] || program=$src/corpus/faults/$fault.fr
  "$finrig" diff --engine "$engine" --corpus "$program" --fault "$fault" --no-minimize -q \
    -o "$work/compare-$fault" > "$work/compare-$fault.txt" || true
  grep -q "^  disagree: .*no choice the model can make produces that" "$work/compare-$fault.txt" ||
    { cat "$work/compare-$fault.txt"; fail "$fault: the comparison did not show it"; }
done

echo "== faults that take or deliver too much: by comparison, with what --strict promises"
# Without the promises an engine may keep anything and put off every job, and so may the
# model. collected-registry-delivers needs an engine whose pending job keeps its registry
# alive (SpiderMonkey); node 20's V8 lets the registry die and then stalls (corpus/engines/).
strict_faults="callback-after-unregister callback-while-reachable held-value-held-weakly kept-alive-ignored
  captures-ignored weakmap-values-untraced"
[ "$engine" = node ] || strict_faults="$strict_faults collected-registry-delivers"
for fault in $strict_faults; do
  program=$src/corpus/faults/compare/$fault.fr
  [ -f "$program" ] || program=$src/corpus/faults/$fault.fr
  "$finrig" diff --engine "$engine" --strict --corpus "$program" --fault "$fault" --no-minimize -q \
    -o "$work/strict-$fault" > "$work/strict-$fault.txt" || true
  grep -q "^  disagree: .*no choice the model can make produces that" "$work/strict-$fault.txt" ||
    { cat "$work/strict-$fault.txt"; fail "$fault: the comparison under --strict did not show it"; }
done

if [ "$engine" != node ]; then
  echo "engine_diff_test $engine: ok"
  exit 0
fi

echo "== engine-side faults: the diff blames the engine"
check_engine_fault() {  # NAME EXPECTED-TEXT
  local status=0
  FINRIG_NODE="$src/tests/engine-faults/node-with-fault.sh" \
  FINRIG_ENGINE_FAULT="$src/tests/engine-faults/$1.js" \
    "$finrig" diff --engine node --corpus "$src/corpus" --no-minimize -q -o "$work/engine-$1" \
    > "$work/engine-$1.txt" || status=$?
  [ "$status" -eq 1 ] || { cat "$work/engine-$1.txt"; fail "$1: exit $status, expected 1"; }
  grep -q "^  engine: .*$2" "$work/engine-$1.txt" ||
    { cat "$work/engine-$1.txt"; fail "$1: no engine finding with '$2'"; }
  if grep -q "^  finrig:" "$work/engine-$1.txt"; then
    cat "$work/engine-$1.txt"; fail "$1: finrig was blamed"
  fi
  echo "$1: $(tail -n 1 "$work/engine-$1.txt")"
}
check_engine_fault double-callback "invariant 5"
check_engine_fault unregister-answers-false "invariant 7"
check_engine_fault wrong-held-value "invariant 5"
check_engine_fault register-swallows-typeerror "invariant 2"
check_engine_fault callback-before-collection "invariant 4"
check_engine_fault callback-this-and-arguments "a cleanup callback was called with 2 arguments and this of type object"

# V8 re-posts the job after each throwing callback, one callback per task: the settling
# turns must wait for 70 of them (the script's last turn goes on while callbacks come).
echo "== --strict: an engine that runs one callback per task is not blamed for the ones still due"
program=$src/corpus/regressions/strict-one-callback-per-task-after-throws.fr
"$finrig" diff --engine node --strict --corpus "$program" --no-minimize -q -o "$work/per-task" \
  > "$work/per-task.txt" || { cat "$work/per-task.txt"; fail "$program: --strict found something"; }

echo "== --strict finds V8's cleanup stall"
status=0
"$finrig" diff --engine node --strict --corpus "$src/corpus/engines/v8-stall-after-dirty-registry-dies.fr" \
  -q -o "$work/strict" > "$work/strict.txt" || status=$?
[ "$status" -eq 1 ] && grep -q "engine ran no cleanup callback at all" "$work/strict.txt" ||
  { cat "$work/strict.txt"; fail "the stall was not reported (fixed in this node? then update corpus/engines/)"; }
echo "engine_diff_test node: ok"
