#!/usr/bin/env bash
# plot-coverage.sh [DIR]: draws DIR/coverage.png (DIR: bench/results) from the
# coverage-<build>.tsv files bench/fuzz-speed.sh writes: model_fuzzer's edges (left
# axis) and features (right axis) over the seconds of its run, one line per build.
set -euo pipefail
dir=${1:-bench/results}
command -v gnuplot >/dev/null || { echo "plot-coverage: needs gnuplot (apt-get install gnuplot-nox)" >&2; exit 2; }
for build in fuzz fuzz-nosan; do
  [[ -s $dir/coverage-$build.tsv ]] || { echo "plot-coverage: no $dir/coverage-$build.tsv (run bench/fuzz-speed.sh)" >&2; exit 2; }
done
gnuplot <<GP
set terminal png size 960,540 font ",11"
set output "$dir/coverage.png"
set title "model\\\\_fuzzer from the seed corpus: coverage over time"
set xlabel "seconds"
set ylabel "edges (cov)"
set y2label "features (ft)"
set ytics nomirror
set y2tics
set key bottom right
set grid
set datafile separator "\t"
plot "$dir/coverage-fuzz.tsv" using 1:3 skip 1 with lines lw 2 title "edges, ASan+UBSan", \
     "$dir/coverage-fuzz-nosan.tsv" using 1:3 skip 1 with lines lw 2 title "edges, no sanitizer", \
     "$dir/coverage-fuzz.tsv" using 1:4 skip 1 axes x1y2 with lines dt 2 lw 2 title "features, ASan+UBSan", \
     "$dir/coverage-fuzz-nosan.tsv" using 1:4 skip 1 axes x1y2 with lines dt 2 lw 2 title "features, no sanitizer"
GP
echo "plot-coverage: wrote $dir/coverage.png"
