#!/usr/bin/env bash
# make-seeds.sh FINRIG CORPUS_DIR OUT_DIR: the fuzzers' seed corpora, made from the
# shipped .fr programs (nothing binary is committed): OUT_DIR/binary/ holds each
# program's binary form (model_fuzzer, roundtrip_fuzzer), OUT_DIR/text/ the .fr files
# themselves (parse_fuzzer).
set -euo pipefail
finrig=$1 corpus=$2 out=$3
rm -rf "$out.tmp"
mkdir -p "$out.tmp/binary" "$out.tmp/text"
while IFS= read -r -d '' program; do
  name=$(realpath --relative-to="$corpus" "$program" | tr '/' '_')
  "$finrig" encode "$program" -o "$out.tmp/binary/${name%.fr}.bin"
  cp "$program" "$out.tmp/text/$name"
done < <(find "$corpus" -name '*.fr' -print0 | sort -z)
rm -rf "$out"
mv "$out.tmp" "$out"
