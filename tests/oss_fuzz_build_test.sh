#!/usr/bin/env bash
# oss_fuzz_build_test.sh SOURCE_DIR: an OSS-Fuzz build without docker. Sets the
# environment that base-builder gives build.sh (SRC WORK OUT in a temporary folder, CC
# CXX = clang 14, the flags of an OSS-Fuzz build with $SANITIZER), puts the source tree
# at $SRC/finrig, runs fuzz/oss-fuzz/build.sh and checks what it left in $OUT: every
# fuzz target, its seed corpus zip, its .options and .dict where the project ships
# them, that each target runs its whole seed corpus (with its options and dictionary,
# as ClusterFuzz would) without a crash, and the rules of OSS-Fuzz's check_build
# (infra/base-images/base-runner/bad_build_check) for that sanitizer:
#   address, undefined  the target starts and runs 4 inputs from no corpus; libFuzzer
#                       sees >= 100 instrumented edges; calls into the sanitizer's
#                       runtime are there (>= 1000 __asan_*, >= 168 __ubsan_*) and
#                       no other sanitizer's are (an ASan build may call UBSan's
#                       runtime up to 200 times, as check_build allows);
#   coverage            (what ClusterFuzzLite's `mode: coverage` and OSS-Fuzz's coverage
#                       job run) the target carries the profile runtime
#                       (__llvm_profile_*), counters for >= 100 functions (__profc_*)
#                       and no sanitizer; running its seeds writes a profile that
#                       llvm-cov reads back with lines of model/ covered.
# The rules are then applied to a target known to be bad (tests/tiny_fuzzer.cpp built
# with -fsanitize=fuzzer alone: no sanitizer, no profile, a dozen edges), and must
# reject it: a rule that passes everything would fail the test.
#
# SANITIZER=address (default), undefined or coverage. OSS_FUZZ_TEST_FINRIG=PATH makes
# the seeds with that finrig command (fuzz/make-seeds.sh) and passes them to build.sh
# as FINRIG_SEEDS, which then builds the fuzz targets alone: ctest does that for
# address and coverage (tests/CMakeLists.txt says why). CXXFLAGS_EXTRA is
# added to CXXFLAGS as on OSS-Fuzz (there: -stdlib=libc++); OSS_FUZZ_TEST_CXX and
# OSS_FUZZ_TEST_CC choose other compilers; KEEP=1 keeps the temporary folder.
set -euo pipefail
root=$(cd "${1:?usage: oss_fuzz_build_test.sh SOURCE_DIR}" && pwd)
export LC_ALL=C

tmp=$(mktemp -d)
if [ "${KEEP:-0}" = 1 ]; then
  echo "oss-fuzz-build: keeping $tmp"
else
  trap 'rm -rf "$tmp"' EXIT
fi
export SRC=$tmp/src WORK=$tmp/work OUT=$tmp/out
mkdir -p "$SRC" "$WORK" "$OUT"
ln -s "$root" "$SRC/finrig"

export CC=${OSS_FUZZ_TEST_CC:-clang-14} CXX=${OSS_FUZZ_TEST_CXX:-clang++-14}
llvm_suffix=${CXX##*clang++}  # "-14" for clang++-14: llvm-profdata-14, llvm-cov-14
sanitizer=${SANITIZER:-address}
# base-clang's SANITIZER_FLAGS_$sanitizer and COVERAGE_FLAGS[_coverage]: the coverage
# build has no sanitizer and no libFuzzer instrumentation, only the profile's.
coverage_flags=-fsanitize=fuzzer-no-link
case "$sanitizer" in
  address)
    sanitizer_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  undefined)
    checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
    sanitizer_flags="-fsanitize=$checks,unsigned-integer-overflow -fno-sanitize-recover=$checks"
    export UBSAN_OPTIONS=print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1 ;;
  coverage)
    sanitizer_flags=
    coverage_flags="-fprofile-instr-generate -fcoverage-mapping -pthread -Wl,--no-as-needed -Wl,-ldl -Wl,-lm -Wno-unused-command-line-argument" ;;
  *) echo "oss-fuzz-build: SANITIZER must be address, undefined or coverage" >&2; exit 2 ;;
esac
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION${sanitizer_flags:+ $sanitizer_flags} $coverage_flags"
export CXXFLAGS="$CFLAGS${CXXFLAGS_EXTRA:+ $CXXFLAGS_EXTRA}"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SANITIZER=$sanitizer
if [ "$sanitizer" = coverage ]; then
  for tool in "llvm-profdata$llvm_suffix" "llvm-cov$llvm_suffix"; do
    command -v "$tool" >/dev/null || { echo "oss-fuzz-build: coverage needs $tool" >&2; exit 2; }
  done
fi

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

if [ -n "${OSS_FUZZ_TEST_FINRIG:-}" ]; then
  bash "$root/fuzz/make-seeds.sh" "$OSS_FUZZ_TEST_FINRIG" "$root/corpus" "$tmp/made-seeds"
  export FINRIG_SEEDS=$tmp/made-seeds
fi

# check_build_rules TARGET LOG_DIR: check_build's rules for $sanitizer (header); prints
# "BAD BUILD: ..." for each broken one. Status: the number of broken rules.
check_build_rules() {
  local target=$1 logs=$2 name bad=0
  name=$(basename "$target")
  mkdir -p "$logs"
  if ! file -L "$target" | grep -q 'x86-64'; then
    echo "BAD BUILD: $name is not built for x86-64"; bad=$((bad + 1))
  fi
  # Calls into each sanitizer's runtime, counted as check_build counts them.
  local asan ubsan msan dfsan
  objdump -d --no-show-raw-insn "$target" |
    grep -Eo 'call[q]?\s+[0-9a-f]+ <__(asan|ubsan|msan|dfsan)' |
    grep -Eo '__[a-z]+$' | sort | uniq -c >"$logs/$name.calls" || true
  calls_to() { awk -v s="__$1" '$2 == s { print $1 }' "$logs/$name.calls" | grep . || echo 0; }
  asan=$(calls_to asan) ubsan=$(calls_to ubsan) msan=$(calls_to msan) dfsan=$(calls_to dfsan)
  local ubsan_min=0 ubsan_max=200 asan_min=0 asan_max=0
  case "$sanitizer" in
    address) asan_min=1000 asan_max=999999999 ;;
    undefined) ubsan_min=168 ubsan_max=999999999 ;;
  esac
  if [ "$asan" -lt "$asan_min" ]; then echo "BAD BUILD: $name does not seem to be compiled with ASan ($asan calls)"; bad=$((bad + 1)); fi
  if [ "$asan" -gt "$asan_max" ]; then echo "BAD BUILD: $sanitizer build of $name seems to be compiled with ASan ($asan calls)"; bad=$((bad + 1)); fi
  if [ "$ubsan" -lt "$ubsan_min" ]; then echo "BAD BUILD: $name does not seem to be compiled with UBSan ($ubsan calls)"; bad=$((bad + 1)); fi
  if [ "$ubsan" -gt "$ubsan_max" ]; then echo "BAD BUILD: $sanitizer build of $name seems to be compiled with UBSan ($ubsan calls)"; bad=$((bad + 1)); fi
  if [ "$msan" -gt 3 ] || [ "$dfsan" -gt 0 ]; then echo "BAD BUILD: $name calls MSan ($msan) or DFSan ($dfsan)"; bad=$((bad + 1)); fi

  if [ "$sanitizer" = coverage ]; then
    # The profile runtime, and counters for at least as many functions as check_build
    # wants edges (one __profc_ symbol per instrumented function).
    # (nm into a file: `nm | grep -q` fails under pipefail when grep stops reading.)
    local functions
    nm "$target" >"$logs/$name.nm" 2>/dev/null || true
    functions=$(grep -c ' __profc_' "$logs/$name.nm" || true)
    if ! grep -q ' __llvm_profile_begin_counters$' "$logs/$name.nm"; then
      echo "BAD BUILD: $name has no profile runtime (__llvm_profile_*): not built with -fprofile-instr-generate"
      bad=$((bad + 1))
    elif [ "$functions" -lt 100 ]; then
      echo "BAD BUILD: $name has profile counters for only $functions functions"
      bad=$((bad + 1))
    fi
    return "$bad"
  fi
  # check_engine and check_startup_crash: 4 inputs from no corpus, in a folder of its
  # own (a crash artifact lands there, not in the caller's).
  local log=$logs/$name.engine.log edges
  mkdir -p "$logs/$name.cwd"
  if ! (cd "$logs/$name.cwd" && "$target" -seed=1337 -runs=4) >"$log" 2>&1 ||
     ! grep -q 'Done 4 runs' "$log"; then
    echo "BAD BUILD: $name seems to have either startup crash or exit:"; tail -n 20 "$log"
    bad=$((bad + 1))
  fi
  if grep -q 'ERROR: no interesting inputs were found. Is the code instrumented' "$log"; then
    echo "BAD BUILD: $name does not seem to have coverage instrumentation"; bad=$((bad + 1))
  fi
  edges=$(grep -Po 'INFO: Loaded [[:digit:]]+ module.*\(.*(counters|guards)\):[[:space:]]+\K[[:digit:]]+' "$log" | head -n 1)
  if [ "${edges:-0}" -lt 100 ]; then
    echo "BAD BUILD: $name seems to have only partial coverage instrumentation (${edges:-0} edges)"
    bad=$((bad + 1))
  fi
  return "$bad"
}

# The rules must reject a target that is not instrumented for $sanitizer; checked first,
# as it takes seconds and the build minutes.
bad_target=$tmp/known-bad/tiny_fuzzer
mkdir -p "$(dirname "$bad_target")"
"$CXX" -std=c++20 -O1 -fsanitize=fuzzer "$root/tests/tiny_fuzzer.cpp" -o "$bad_target"
if check_build_rules "$bad_target" "$tmp/known-bad" >"$tmp/known-bad.log" 2>&1; then
  cat "$tmp/known-bad.log"
  fail "check_build's rules ($sanitizer) accept tiny_fuzzer built without $sanitizer instrumentation"
else
  echo "ok: check_build's rules ($sanitizer) reject an uninstrumented target: $(grep -m1 'BAD BUILD' "$tmp/known-bad.log")"
fi

start=$(date +%s)
if ! (cd "$SRC/finrig" && bash "$SRC/finrig/fuzz/oss-fuzz/build.sh") >"$tmp/build.log" 2>&1; then
  tail -n 40 "$tmp/build.log"
  echo "FAIL: build.sh failed (log above)"
  exit 1
fi
echo "oss-fuzz-build: build.sh ($sanitizer) took $(($(date +%s) - start)) s"

# The flags are the infrastructure's: no compile of the library may carry libFuzzer's
# main (-fsanitize=fuzzer) or FINRIG_LIBFUZZER's own sanitizer set.
commands=$WORK/finrig-build/compile_commands.json
if [ -f "$commands" ]; then
  if grep -Eq -- '-fsanitize=fuzzer( |")|fuzzer-no-link,address,undefined' "$commands"; then
    fail "a compile used flags other than \$CXXFLAGS: $(grep -Eo -- '-fsanitize=fuzzer( |")|-fsanitize=fuzzer-no-link,address,undefined' "$commands" | sort -u | tr '\n' ' ')"
  fi
else
  fail "no $commands"
fi

# Each target: binary, seed zip, options, dictionary; then one pass over its seeds.
expected=(model_fuzzer acceptor_fuzzer parse_fuzzer roundtrip_fuzzer)
mapfile -t shipped < <(find "$OUT" -maxdepth 1 -type f -name '*_fuzzer' -printf '%f\n' | sort)
for name in "${expected[@]}"; do
  [[ " ${shipped[*]} " == *" $name "* ]] || fail "$name is not in \$OUT"
done
for name in "${shipped[@]}"; do
  target=$OUT/$name
  [ -x "$target" ] || { fail "$name is not executable"; continue; }
  zip=$OUT/${name}_seed_corpus.zip
  [ -f "$zip" ] || { fail "no ${name}_seed_corpus.zip"; continue; }
  if [ -f "$root/fuzz/$name.options" ] && [ ! -f "$OUT/$name.options" ]; then
    fail "fuzz/$name.options was not shipped"
  fi
  if [ -f "$root/fuzz/$name.dict" ] && [ ! -f "$OUT/$name.dict" ]; then
    fail "fuzz/$name.dict was not shipped"
  fi
  case "$name" in
    model_fuzzer|roundtrip_fuzzer|parse_fuzzer)
      [ -f "$OUT/$name.dict" ] || fail "$name has no dictionary"
      [ -f "$OUT/$name.options" ] || fail "$name has no options" ;;
  esac

  if ! check_build_rules "$target" "$tmp/rules" >"$tmp/$name.rules.log" 2>&1; then
    cat "$tmp/$name.rules.log"
    fail "$name breaks check_build's rules for $sanitizer"
  fi

  seeds=$tmp/seeds/$name
  mkdir -p "$seeds"
  unzip -q "$zip" -d "$seeds"
  count=$(find "$seeds" -type f | wc -l)
  [ "$count" -gt 0 ] || { fail "${name}_seed_corpus.zip is empty"; continue; }
  # Seed kinds: parse_fuzzer reads text, the others the binary form.
  if [ "$name" = parse_fuzzer ]; then
    other=$(find "$seeds" -type f ! -name '*.fr' -print -quit)
  else
    other=$(find "$seeds" -type f ! -name '*.bin' -print -quit)
  fi
  [ -z "$other" ] || fail "$name has a seed of the wrong kind: ${other#"$seeds"/}"

  # [libfuzzer] options become flags, as ClusterFuzz passes them.
  flags=()
  if [ -f "$OUT/$name.options" ]; then
    while IFS= read -r line; do
      flags+=("-$line")
    done < <(sed -n '/^\[libfuzzer\]/,/^\[/{/^[a-z_]* *=/p}' "$OUT/$name.options" | sed 's/ *= */=/')
  fi
  [ -f "$OUT/$name.dict" ] && flags+=("-dict=$OUT/$name.dict")
  log=$tmp/$name.log
  profile=$tmp/profiles/$name.profraw
  if ! LLVM_PROFILE_FILE=$profile "$target" -runs=0 "${flags[@]}" "$seeds" >"$log" 2>&1; then
    tail -n 30 "$log"
    fail "$name did not run its $count seeds cleanly"
    continue
  fi
  read_count=$(grep -o 'seed corpus: files: [0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  if [ "$read_count" != "$count" ]; then
    fail "$name read $read_count of its $count seeds"
  fi
  if [ -f "$OUT/$name.dict" ] && ! grep -q 'Dictionary: [1-9][0-9]* entries' "$log"; then
    fail "$name did not load $name.dict"
  fi
  # The coverage job's step: the seeds' profile, read back against the binary.
  if [ "$sanitizer" = coverage ]; then
    if [ ! -s "$profile" ]; then
      fail "$name wrote no profile running its seeds"
      continue
    fi
    "llvm-profdata$llvm_suffix" merge -sparse "$profile" -o "$tmp/profiles/$name.profdata"
    "llvm-cov$llvm_suffix" report "$target" -instr-profile="$tmp/profiles/$name.profdata" \
      >"$tmp/$name.coverage.txt" 2>&1 || true
    covered=$(awk '$1 ~ /model\/[a-z_]+\.cpp$/ && $8 != $9 { n++ } END { print n + 0 }' "$tmp/$name.coverage.txt")
    if [ "$covered" -eq 0 ]; then
      tail -n 20 "$tmp/$name.coverage.txt"
      fail "$name's seeds cover no line of model/ in its coverage report"
    fi
  fi
  echo "ok: $name: $count seeds ran, check_build's rules hold (flags: ${flags[*]})"
done

if [ "$failures" -gt 0 ]; then
  echo "oss-fuzz-build: $failures failure(s)"
  exit 1
fi
echo "oss-fuzz-build ($sanitizer): ${#shipped[@]} targets built, shipped, run on their seeds and checked"
