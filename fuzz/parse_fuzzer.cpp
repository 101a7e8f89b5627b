// libFuzzer target: arbitrary text through the .fr parser; never a crash, and the
// canonical printing of what parses is stable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  finrig::fuzz::AbortOn(
      finrig::fuzz::FuzzParse(std::string_view(reinterpret_cast<const char*>(data), size)));
  return 0;
}
