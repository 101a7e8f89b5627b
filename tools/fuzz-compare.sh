#!/usr/bin/env bash
# fuzz-compare.sh [options]: model_fuzzer (libFuzzer's byte mutations) against
# model_mutator_fuzzer (the structure-aware mutator, gen/mutator.h), one fuzzer at a
# time, each from the same start:
#   coverage  from the seed corpus (BUILD/fuzz/seeds/binary, a fresh copy per run), for
#             --seconds each: final cov and ft (the last status line), executions, exec/s;
#   faults    for each fault of `finrig faults`, with FINRIG_FAULTS=<fault>, from an
#             empty corpus and/or from the seeds (less corpus/faults/, the programs
#             written to show each fault, which would hand over the answer): seconds
#             and executions until a finding, or none within --fault-seconds; the
#             median over the seeds.
# A run that stops on a finding the clean model shares (a bug of the model or checker,
# not the fault), on a timeout (a program that does not terminate) or an out-of-memory
# is restarted on the corpus it has built, with the clock running; the tables count
# those as `other`, and the artifacts are kept in the work directory.
#
# Options:
#   --build DIR          a FINRIG_LIBFUZZER build (default: build-fuzz)
#   --seconds T          coverage run length (default 60)
#   --fault-seconds L    time limit per fault run (default 30)
#   --seeds "1 2 3"      libFuzzer -seed values; each variant runs once per seed
#   --faults "a b"       only these faults (default: all of `finrig faults`)
#   --from "empty seeds" where the fault runs start (default: empty)
#   --no-coverage        skip the coverage runs     --no-faults   skip the fault runs
#   --timeout S          libFuzzer -timeout per input (default 3)
#   --args "-dict=F ..." more libFuzzer flags, for every run of both fuzzers
#   --variants "V ..."   only these fuzzers (default: model_fuzzer model_mutator_fuzzer)
#   --work DIR           keep the runs' corpora, logs and artifacts here
#
# Example (about 20 minutes on a busy 2-core machine):
#   tools/fuzz-compare.sh --build /tmp/build-mut --seconds 60 --fault-seconds 20 --seeds "1 2"
set -uo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

build=build-fuzz seconds=60 fault_seconds=30 seeds="1 2 3" faults="" timeout=3 work="" from=empty
args="" variants="model_fuzzer model_mutator_fuzzer"
do_coverage=1 do_faults=1
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --fault-seconds) fault_seconds=$2; shift 2 ;;
    --seeds) seeds=$2; shift 2 ;;
    --faults) faults=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --args) args=$2; shift 2 ;;
    --variants) variants=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-coverage) do_coverage=0; shift ;;
    --no-faults) do_faults=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "fuzz-compare: unknown option $1" >&2; exit 2 ;;
  esac
done

for v in $variants; do
  [[ -x $build/fuzz/$v ]] || { echo "fuzz-compare: no $build/fuzz/$v (build with FINRIG_LIBFUZZER)" >&2; exit 2; }
done
finrig=$build/tools/finrig
seed_corpus=$build/fuzz/seeds/binary
[[ -x $finrig ]] || { echo "fuzz-compare: no $finrig" >&2; exit 2; }
[[ -d $seed_corpus ]] || { echo "fuzz-compare: no $seed_corpus" >&2; exit 2; }
[[ -n $faults ]] || faults=$("$finrig" faults)
if [[ -z $work ]]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

now_ms() { date +%s%3N; }

# run VARIANT CORPUS SECONDS SEED FAULT RUNDIR: fuzzes until SECONDS pass or (with a
# FAULT) a finding the clean model does not share. Sets: found (0/1), elapsed_ms (to
# the finding, or the whole run), execs, cov, ft, other (restarts).
run() {
  local variant=$1 corpus=$2 limit=$3 seed=$4 fault=$5 dir=$6
  local bin=$build/fuzz/$variant start deadline left segment=0 artifact n
  mkdir -p "$dir"
  found=0 execs=0 cov=0 ft=0 other=0
  start=$(now_ms)
  deadline=$((start + limit * 1000))
  while :; do
    left=$(((deadline - $(now_ms)) / 1000))
    ((left > 0)) || break
    segment=$((segment + 1))
    mkdir -p "$dir/artifacts-$segment"
    # shellcheck disable=SC2086  # $args: flags, split into words
    FINRIG_FAULTS=$fault "$bin" "$corpus" -max_len=4096 -max_total_time="$left" -seed=$((seed + 1000 * (segment - 1))) \
      -timeout="$timeout" -print_final_stats=1 -artifact_prefix="$dir/artifacts-$segment/" \
      $args >"$dir/log-$segment" 2>&1
    n=$(fuzz_stat number_of_executed_units "$dir/log-$segment" 0)
    execs=$((execs + n))
    fuzz_coverage "$dir/log-$segment"
    artifact=$(find "$dir/artifacts-$segment" -type f | head -n1)
    [[ -n $artifact ]] || break  # the time is up
    if [[ -n $fault && $(basename "$artifact") == crash-* ]] &&
       env -u FINRIG_FAULTS "$bin" "$artifact" -timeout="$timeout" >/dev/null 2>&1; then
      found=1
      break
    fi
    other=$((other + 1))
  done
  elapsed_ms=$(($(now_ms) - start))
}

# median of numbers (one per line; "inf" for none found): the middle one, or the mean
# of the two middle ones; "inf" when that involves one.
median() {
  sort -g | awk '{v[NR] = $1} END {
    if (NR == 0) { print "-"; exit }
    a = v[int((NR + 1) / 2)]; b = v[int(NR / 2) + 1]
    if (a == "inf" || b == "inf") print "inf"; else printf "%.1f\n", (a + b) / 2 }'
}

echo "fuzz-compare: build $build; seeds $seeds; coverage ${seconds}s from $(ls "$seed_corpus" | wc -l) seeds;" \
     "faults from: $from, ${fault_seconds}s limit; -timeout=$timeout${args:+; $args}; work $work"

if ((do_coverage)); then
  echo
  echo "== coverage from the seed corpus, ${seconds}s per run"
  printf '%-22s %5s %6s %7s %9s %7s %6s\n' variant seed cov ft execs exec/s other
  for seed in $seeds; do
    for v in $variants; do
      dir=$work/coverage/$v-$seed
      rm -rf "$dir"; mkdir -p "$dir/corpus"
      cp "$seed_corpus"/* "$dir/corpus/"
      run "$v" "$dir/corpus" "$seconds" "$seed" "" "$dir"
      printf '%-22s %5s %6s %7s %9s %7s %6s\n' "$v" "$seed" "$cov" "$ft" "$execs" \
        $((execs * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1))) "$other"
      echo "$v $cov $ft $((execs * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1)))" >>"$work/coverage.txt"
    done
  done
  for v in $variants; do
    awk -v v="$v" '$1 == v {c += $2; f += $3; e += $4; n++}
      END {if (n) printf "%-22s %5s %6d %7d %9s %7d\n", v, "mean", c / n, f / n, "", e / n}' "$work/coverage.txt"
  done
fi

for start in $from; do
  [[ $start == empty || $start == seeds ]] || { echo "fuzz-compare: --from takes empty and/or seeds" >&2; exit 2; }
done
for start in $from; do
  ((do_faults)) || break
  echo
  echo "== time to find each fault from $([[ $start == empty ]] && echo "an empty corpus" || echo "the seeds less corpus/faults/")" \
       "(limit ${fault_seconds}s; median over seeds $seeds)"
  head1=$(printf '%-28s' "") head2=$(printf '%-28s' fault)
  for v in $variants; do
    head1+=$(printf ' | %-34s' "$v") head2+=$(printf ' | %6s %9s %5s %11s' "s" execs found other)
  done
  printf '%s\n%s\n' "$head1" "$head2"
  : >"$work/faults-$start.txt"
  for fault in $faults; do
    : >"$work/fault-$fault.txt"
    for seed in $seeds; do
      for v in $variants; do
        dir=$work/faults-$start/$fault/$v-$seed
        rm -rf "$dir"; mkdir -p "$dir/corpus"
        if [[ $start == seeds ]]; then
          find "$seed_corpus" -maxdepth 1 -type f ! -name 'faults_*' -exec cp {} "$dir/corpus/" \;
        fi
        run "$v" "$dir/corpus" "$fault_seconds" "$seed" "$fault" "$dir"
        if ((found)); then
          echo "$v $(awk -v ms="$elapsed_ms" 'BEGIN {printf "%.1f", ms / 1000}') $execs 1 $other"
        else
          echo "$v inf inf 0 $other"
        fi >>"$work/fault-$fault.txt"
      done
    done
    row=$(printf '%-28s' "$fault")
    for v in $variants; do
      s=$(awk -v v="$v" '$1 == v {print $2}' "$work/fault-$fault.txt" | median)
      e=$(awk -v v="$v" '$1 == v {print $3}' "$work/fault-$fault.txt" | median)
      k=$(awk -v v="$v" '$1 == v {k += $4; n++} END {print k "/" n}' "$work/fault-$fault.txt")
      o=$(awk -v v="$v" '$1 == v {o += $5} END {print o + 0}' "$work/fault-$fault.txt")
      [[ $s == inf ]] && s=">$fault_seconds"
      [[ $e == inf ]] && e="-"
      row+=$(printf ' | %6s %9s %5s %11s' "$s" "${e%.0}" "$k" "$o")
    done
    echo "$row"
    sed "s/^/$fault /" "$work/fault-$fault.txt" >>"$work/faults-$start.txt"
  done
  echo
  for v in $variants; do
    awk -v v="$v" -v L="$fault_seconds" '$2 == v {n++; k += $5; s += ($5 ? $3 : L)}
      END {if (n) printf "%-22s found %d of %d runs; mean seconds (a miss counted as %ss): %.1f\n", v, k, n, L, s / n}' \
      "$work/faults-$start.txt"
  done
done
