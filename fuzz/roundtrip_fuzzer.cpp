// libFuzzer target: binary -> program -> text -> program and -> binary agree.
#include <cstddef>
#include <cstdint>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  finrig::fuzz::AbortOn(finrig::fuzz::FuzzRoundTrip({data, size}));
  return 0;
}
