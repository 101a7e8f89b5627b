// libFuzzer target: any bytes decode to a program; the model's trace must keep every
// invariant. FINRIG_FAULTS=name,... runs it against a deliberately broken model.
#include <cstddef>
#include <cstdint>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const finrig::FaultSet faults = finrig::fuzz::FaultsOrAbort();
  finrig::fuzz::AbortOn(finrig::fuzz::FuzzModel({data, size}, faults));
  return 0;
}
