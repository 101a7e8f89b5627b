#!/usr/bin/env bash
# finrig diff against JavaScriptCore's own shell (jsc): the shipped corpus shows its one
# known bug and nothing else, the programs whose callbacks throw end where the shell
# exits (no crash reported), and a fault injected into the model is blamed on finrig.
#   jsc_test.sh FINRIG SOURCE_DIR
set -euo pipefail
finrig=$1
cd "$2"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
. tests/lib.sh
this_bug="a cleanup callback was called with 1 arguments and this of type function"

echo "== the corpus: every discrepancy is jsc's known bug (its callbacks' this)"
status=0
"$finrig" diff --engine jsc --corpus corpus --no-minimize -q -o "$work/corpus" \
  > "$work/corpus.txt" || status=$?
[ "$status" -eq 1 ] || { cat "$work/corpus.txt"; fail "exit status $status, not 1"; }
findings=$(grep -c '^  engine: ' "$work/corpus.txt" || true)
[ "$findings" -gt 0 ] || fail "no finding: has jsc fixed its cleanup callbacks' this?"
others=$(grep '^  \(engine\|finrig\|disagree\): ' "$work/corpus.txt" | grep -vF "$this_bug" || true)
[ -z "$others" ] || { echo "$others"; fail "findings other than the known bug"; }
echo "$findings findings, all the known bug"

# A callback's throw ends the shell: the program's trace is a prefix, and the next
# program runs in a fresh shell. Known bad: read as a crash, it would be a finding.
echo "== a program whose callback throws ends there, without a finding"
"$finrig" js --flavor jsc corpus/callback-throws-every-time.fr -o "$work/throws.js"
jsc "$work/throws.js" > "$work/throws.out" 2>&1 || true
grep -q '^Exception: finrig throw' "$work/throws.out" ||
  { cat "$work/throws.out"; fail "jsc did not end at the callback's throw (does it go on now?)"; }
# throws.fr: a callback that throws, then a second program for a fresh shell to run.
cat > "$work/throws.fr" <<'FR'
h0 = registry {
  throw
}
h1 = object
register h0 h1 "x"
drop h1
gc
turn
h2 = object
FR
"$finrig" diff --engine jsc --corpus "$work/throws.fr" --corpus "$work/throws.fr" --no-minimize \
  -o "$work/t" > "$work/t.txt" 2>&1 || true
grep -q "crashed" "$work/t.txt" && { cat "$work/t.txt"; fail "the shell's end at a throw read as a crash"; }
grep -qF "$this_bug" "$work/t.txt" || { cat "$work/t.txt"; fail "the program did not reach its callback"; }
grep -q "2 programs, 2 discrepancies" "$work/t.txt" ||
  { cat "$work/t.txt"; fail "the second program did not run in a fresh shell"; }

echo "== a fault injected into the model is blamed on finrig"
expect_output 1 '^  finrig: ' "$finrig" diff --engine jsc --fault lost-cleanup-job \
  --corpus corpus/faults/lost-cleanup-job.fr --no-minimize -q -o "$work/fault"
echo "jsc: ok"
