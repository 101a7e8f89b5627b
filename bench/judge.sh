#!/usr/bin/env bash
# judge.sh [--programs N] [--finrig PATH]: the judge's self-test as figures, for
# BENCHMARKS.md. The model plays an engine (finrig diff --engine model) on the corpus,
# its mutants and look-alike programs, plainly and with --strict: legal runs, so every
# discrepancy is a false alarm (must be 0). Then illegal runs: each corruption of a
# legal run's lines (bench/judge_corruptions, over look-alike programs), how many the
# judge rejects. Then each model fault injected into that engine: how many programs of
# the same set the judgement blames on the engine.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../tools/lib.sh"
cd "$(dirname "$0")/.."
programs=20000 finrig=build/tools/finrig
while (($#)); do
  case $1 in
    --programs) programs=$2; shift 2 ;;
    --finrig) finrig=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "bench/judge.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
summary() { tail -n 1 "$1" | sed 's/, written to .*//'; }

echo "== legal runs (false alarms must be 0), $programs generated programs each, seed 1"
for strict in "" --strict; do
  for generator in mutants lookalike; do
    status=0
    "$finrig" diff --engine model $strict --corpus corpus --generator "$generator" \
      --programs "$programs" --seed 1 --no-minimize -q -o "$work/legal" > "$work/legal.txt" || status=$?
    echo "${strict:-plain} $generator: $(summary "$work/legal.txt") (exit $status)"
  done
done

corruptions=$(dirname "$finrig")/../bench/judge_corruptions
corrupted=$((programs < 2000 ? programs : 2000))  # the witness search is slow
echo "== illegal runs: corrupted engine lines, $corrupted look-alike programs (seeds 1..N)"
"$corruptions" --programs "$corrupted" --witnesses 100 --show 0 ||
  echo "judge_corruptions: a corrupted run that no run of the model makes was accepted (a miss of the judge)"

echo "== engine faults: programs blamed on the engine, of corpus + 1000 look-alike (seed 1)"
for fault in $("$finrig" faults); do
  for strict in "" --strict; do
    status=0
    "$finrig" diff --engine model $strict --engine-fault "$fault" --corpus corpus \
      --generator lookalike --programs 1000 --seed 1 --no-minimize -q -o "$work/f" \
      > "$work/f.txt" || status=$?
    echo "$fault ${strict:-plain}: $(summary "$work/f.txt")"
  done
done
