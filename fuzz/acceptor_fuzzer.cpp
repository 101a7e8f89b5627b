// libFuzzer target: the judge's self-test. Any bytes decode to a program, which the
// model runs as an engine making any allowed choice; the checker must accept the run.
// FINRIG_FAULTS=name,... breaks that engine instead, to show the target finds it.
#include <cstddef>
#include <cstdint>

#include "fuzz/harness.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const finrig::FaultSet faults = finrig::fuzz::FaultsOrAbort();
  finrig::fuzz::AbortOn(finrig::fuzz::FuzzAcceptor({data, size}, faults));
  return 0;
}
