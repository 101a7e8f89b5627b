#!/usr/bin/env bash
# The test command: installs dependencies, then builds and runs every test under g++
# (default preset) and g++ with ASan (asan preset), replays the fuzz seeds in a libc++
# build (libcxx preset: OSS-Fuzz's library), builds the libFuzzer targets and the
# finrig command with clang 14, ASan and UBSan (fuzz preset), whose tests show every
# fault found, and checks that the g++ and clang builds print byte-identical traces for
# the corpus. What each preset leaves out to fit CI's 30 minutes: README, "Building by
# hand". Each step prints the time it started at.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
# Each preset's workflow (CMakePresets.json): configure, build, ctest.
for preset in default asan libcxx fuzz; do
  echo "== $preset (at ${SECONDS} s)"
  cmake --workflow --preset "$preset"
done
echo "== traces: g++ vs clang (at ${SECONDS} s)"
bash tools/compare-traces.sh build/tools/finrig build-fuzz/tools/finrig corpus
echo "== done in ${SECONDS} s"
