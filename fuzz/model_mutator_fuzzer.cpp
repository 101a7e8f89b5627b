// libFuzzer target: model_fuzzer's check (any bytes decode to a program; the model's
// trace must keep every invariant; FINRIG_FAULTS=name,... breaks the model on purpose),
// with gen/'s structure-aware mutator, which edits the decoded program's ops instead of
// its bytes and splices programs for cross-over: this file is its libFuzzer glue.
// Byte-level edits still happen now and then, through libFuzzer's own LLVMFuzzerMutate.
#include <cstddef>
#include <cstdint>

#include "fuzz/harness.h"
#include "gen/mutator.h"

// libFuzzer's; weak, so the replay build (g++, no libFuzzer) links without it.
extern "C" __attribute__((weak)) std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size,
                                                              std::size_t maxSize);

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const finrig::FaultSet faults = finrig::fuzz::FaultsOrAbort();
  finrig::fuzz::AbortOn(finrig::fuzz::FuzzModel({data, size}, faults));
  return 0;
}

extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size,
                                               std::size_t maxSize, unsigned int seed) {
  return finrig::gen::MutateProgram(data, size, maxSize, seed, LLVMFuzzerMutate);
}

extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,
                                                 const std::uint8_t* data2, std::size_t size2,
                                                 std::uint8_t* out, std::size_t maxOutSize,
                                                 unsigned int seed) {
  return finrig::gen::CrossOver(data1, size1, data2, size2, out, maxOutSize, seed);
}
