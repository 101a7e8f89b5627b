#!/usr/bin/env bash
# oss_fuzz_build_test.sh SOURCE_DIR: an OSS-Fuzz build without docker. Sets the
# environment that base-builder gives build.sh (SRC WORK OUT in a temporary folder, CC
# CXX = clang 14, the libFuzzer + ASan flags of an OSS-Fuzz address build), puts the
# source tree at $SRC/finrig, runs fuzz/oss-fuzz/build.sh and checks what it left in
# $OUT: every fuzz target, its seed corpus zip, its .options and .dict where the
# project ships them, and that each target runs its whole seed corpus (with its
# options and dictionary, as ClusterFuzz would) without a crash.
#
# SANITIZER=undefined uses OSS-Fuzz's UBSan flags instead; CXXFLAGS_EXTRA is added to
# CXXFLAGS as on OSS-Fuzz (there: -stdlib=libc++); OSS_FUZZ_TEST_CXX and
# OSS_FUZZ_TEST_CC choose other compilers; KEEP=1 keeps the temporary folder.
set -euo pipefail
root=$(cd "${1:?usage: oss_fuzz_build_test.sh SOURCE_DIR}" && pwd)

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
sanitizer=${SANITIZER:-address}
case "$sanitizer" in
  address)
    sanitizer_flags="-fsanitize=address -fsanitize-address-use-after-scope" ;;
  undefined)
    checks=array-bounds,bool,builtin,enum,float-divide-by-zero,function,integer-divide-by-zero,null,object-size,return,returns-nonnull-attribute,shift,signed-integer-overflow,unreachable,vla-bound,vptr
    sanitizer_flags="-fsanitize=$checks,unsigned-integer-overflow -fno-sanitize-recover=$checks"
    export UBSAN_OPTIONS=print_stacktrace=1:print_summary=1:silence_unsigned_overflow=1 ;;
  *) echo "oss-fuzz-build: SANITIZER must be address or undefined" >&2; exit 2 ;;
esac
export CFLAGS="-O1 -fno-omit-frame-pointer -gline-tables-only -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $sanitizer_flags -fsanitize=fuzzer-no-link"
export CXXFLAGS="$CFLAGS${CXXFLAGS_EXTRA:+ $CXXFLAGS_EXTRA}"
export LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SANITIZER=$sanitizer

failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

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
  if ! "$target" -runs=0 "${flags[@]}" "$seeds" >"$log" 2>&1; then
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
  echo "ok: $name: $count seeds ran (flags: ${flags[*]})"
done

if [ "$failures" -gt 0 ]; then
  echo "oss-fuzz-build: $failures failure(s)"
  exit 1
fi
echo "oss-fuzz-build: ${#shipped[@]} targets built, shipped and run on their seeds"
