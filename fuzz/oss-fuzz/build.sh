#!/bin/bash -eu
# OSS-Fuzz / ClusterFuzzLite build script for finrig: builds every fuzz target with the
# infrastructure's compiler, flags and fuzzing engine, and puts it in $OUT with its
# seed corpus (<name>_seed_corpus.zip), dictionary (<name>.dict) and options
# (<name>.options).
#
# Environment (the base-builder image sets all of it; tests/oss_fuzz_build_test.sh
# sets it by hand to run this script without docker):
#   CXX CXXFLAGS         the compiler and its flags: sanitizers, -fsanitize=fuzzer-no-link,
#                        on OSS-Fuzz also -stdlib=libc++. Used for every compile and
#                        link, and for the dependencies built here. (finrig is C++ only:
#                        CC and CFLAGS are not used.)
#   LIB_FUZZING_ENGINE   link flags of the engine (-fsanitize=fuzzer for libFuzzer);
#                        only the fuzz targets link it.
#   SRC WORK OUT         sources ($SRC/finrig, and $SRC/fmt, $SRC/CLI11, $SRC/json when the
#                        Dockerfile cloned them), scratch space, the output.
#   FINRIG_SEEDS         (never set by OSS-Fuzz) a folder with the seeds already made
#                        (binary/ and text/, as fuzz/make-seeds.sh writes them): then
#                        only the fuzz targets are built, not the finrig command that
#                        makes the seeds, which is 40% of the build. The simulated
#                        build test sets it for its second and third sanitizers.
#
# Dependencies: fmt, CLI11 and nlohmann-json. When $SRC/fmt, $SRC/CLI11 or $SRC/json
# exists (the Dockerfile clones them) it is built with $CXX $CXXFLAGS and installed
# under $WORK: OSS-Fuzz compiles C++ against libc++, so a distribution's libfmt (built
# against libstdc++) would not link, and the fuzzers must not need shared libraries that
# the runner image lacks. Otherwise the installed packages are used (Debian 12:
# libfmt-dev, libcli11-dev, nlohmann-json3-dev), which is what the local simulation does.
set -euo pipefail

: "${SRC:?}" "${WORK:?}" "${OUT:?}" "${CXX:?}" "${LIB_FUZZING_ENGINE:?}"
CXXFLAGS=${CXXFLAGS:-}
finrig=${FINRIG_SRC:-$SRC/finrig}
build=$WORK/finrig-build
deps=$WORK/finrig-deps
jobs=$(nproc 2>/dev/null || echo 2)

generator=()
if command -v ninja >/dev/null 2>&1; then generator=(-G Ninja); fi
# fmt 9.1.0 and CLI11 2.1.2 declare old minimum CMake versions, which CMake 4 refuses
# unless told otherwise (older CMakes ignore this).
old_cmake_ok=-DCMAKE_POLICY_VERSION_MINIMUM=3.5

# An instrumented build of finrig's own tool runs at build time (to encode the seeds);
# in a coverage build it would drop .profraw files wherever it runs.
export LLVM_PROFILE_FILE=/dev/null

if [ -d "$SRC/fmt" ]; then
  # C++20, as finrig is compiled: fmt's library and headers then agree, and fmt 9 does
  # not fall back to its pre-C++20 char8_type enum, which newer libc++ rejects.
  cmake -S "$SRC/fmt" -B "$WORK/fmt-build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_CXX_STANDARD=20 "$old_cmake_ok" \
    -DCMAKE_INSTALL_PREFIX="$deps" -DBUILD_SHARED_LIBS=OFF \
    -DFMT_TEST=OFF -DFMT_DOC=OFF -DFMT_INSTALL=ON
  cmake --build "$WORK/fmt-build" -j "$jobs"
  cmake --install "$WORK/fmt-build"
fi
if [ -d "$SRC/CLI11" ]; then
  # Header-only: this only installs the headers and the CMake package.
  cmake -S "$SRC/CLI11" -B "$WORK/cli11-build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_INSTALL_PREFIX="$deps" "$old_cmake_ok" \
    -DCLI11_BUILD_TESTS=OFF -DCLI11_BUILD_EXAMPLES=OFF -DCLI11_BUILD_DOCS=OFF \
    -DCLI11_INSTALL=ON
  cmake --build "$WORK/cli11-build" -j "$jobs"
  cmake --install "$WORK/cli11-build"
fi
if [ -d "$SRC/json" ]; then
  # nlohmann-json (the finrig command's reports), header-only as CLI11.
  cmake -S "$SRC/json" -B "$WORK/json-build" "${generator[@]}" \
    -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_INSTALL_PREFIX="$deps" \
    -DJSON_BuildTests=OFF -DJSON_Install=ON
  cmake --install "$WORK/json-build"
fi

# finrig: no build type (the flags are $CXXFLAGS alone, asserts on), no tests, no
# -Werror (the infrastructure's clang is newer than the one finrig is tested with).
# FINRIG_LIBFUZZER stays off so that the top-level CMakeLists.txt adds no sanitizer
# flags of its own; FINRIG_FUZZ_ENGINE_FLAGS makes the targets engine targets. No
# SpiderMonkey: OSS-Fuzz's image has no libmozjs (and it is built against libstdc++).
cmake -S "$finrig" -B "$build" "${generator[@]}" \
  -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$CXXFLAGS" -DCMAKE_BUILD_TYPE= \
  -DCMAKE_PREFIX_PATH="$deps" \
  -DFINRIG_TESTS=OFF -DFINRIG_BENCH=OFF -DFINRIG_WERROR=OFF -DFINRIG_SANITIZE=OFF -DFINRIG_LIBFUZZER=OFF \
  -DFINRIG_SPIDERMONKEY=OFF -DFINRIG_SPIDERMONKEY78=OFF -DFINRIG_FUZZ_ENGINE_FLAGS="$LIB_FUZZING_ENGINE"
# Everything: the fuzz targets, and the finrig tool that makes the seeds from corpus/
# (fuzz/make-seeds.sh, target fuzz_seeds) into $build/fuzz/seeds/{binary,text}. With
# FINRIG_SEEDS, the fuzz targets alone (CMake's list of targets names them).
if [ -n "${FINRIG_SEEDS:-}" ]; then
  mapfile -t targets < <(cmake --build "$build" --target help | grep -Eo '\b[a-z0-9_]+_fuzzer\b' | sort -u)
  [ ${#targets[@]} -gt 0 ] || { echo "build.sh: CMake lists no *_fuzzer target" >&2; exit 1; }
  cmake --build "$build" -j "$jobs" --target "${targets[@]}"
  seeds=$FINRIG_SEEDS
else
  cmake --build "$build" -j "$jobs"
  seeds=$build/fuzz/seeds
fi
if [ ! -d "$seeds/binary" ] || [ ! -d "$seeds/text" ]; then
  echo "build.sh: no seeds in $seeds" >&2
  exit 1
fi

# Which seeds and dictionary a target takes: parse_fuzzer reads .fr text, every other
# target the binary program form (model/binary.h).
input_kind() {
  case "$1" in
    parse_fuzzer) echo text ;;
    *) echo binary ;;
  esac
}

shipped=0
for target in "$build"/fuzz/*_fuzzer; do
  if [ ! -f "$target" ] || [ ! -x "$target" ]; then continue; fi
  name=$(basename "$target")
  kind=$(input_kind "$name")
  cp "$target" "$OUT/$name"

  zip=$OUT/${name}_seed_corpus.zip
  rm -f "$zip"
  (cd "$seeds/$kind" && zip -q -X -r "$zip" .)

  # Dictionary: the target's own, else the one for its input kind.
  if [ -f "$finrig/fuzz/$name.dict" ]; then
    cp "$finrig/fuzz/$name.dict" "$OUT/$name.dict"
  elif [ "$kind" = binary ] && [ -f "$finrig/fuzz/model_fuzzer.dict" ]; then
    cp "$finrig/fuzz/model_fuzzer.dict" "$OUT/$name.dict"
  fi
  if [ -f "$finrig/fuzz/$name.options" ]; then
    cp "$finrig/fuzz/$name.options" "$OUT/$name.options"
  fi
  shipped=$((shipped + 1))
  echo "build.sh: $name ($kind seeds: $(find "$seeds/$kind" -type f | wc -l))"
done
if [ "$shipped" -eq 0 ]; then
  echo "build.sh: no fuzz target was built in $build/fuzz" >&2
  exit 1
fi
