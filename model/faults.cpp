#include "model/faults.h"

#include <array>

namespace finrig {
namespace {

struct FaultInfo {
  std::string_view name;
  std::string_view summary;
  int invariant;
};

// Indexed by Fault.
constexpr std::array<FaultInfo, kFaultCount> kFaults = {{
    {"callback-after-unregister",
     "unregister skips cells whose target is already collected; their callbacks still run", 1},
    {"callback-while-reachable", "collection ignores links between objects", 4},
    {"double-delivery", "a cleanup job calls the callback twice for each cell", 5},
    {"wrong-held-value", "the callback gets the heldValue of the oldest cell still registered", 4},
    {"missing-same-value-check", "register accepts target === heldValue", 2},
    {"registered-symbol-accepted", "CanBeHeldWeakly accepts Symbol.for symbols", 3},
    {"token-held-strongly", "cells hold their unregister token strongly", 8},
    {"held-value-held-weakly", "cells hold their heldValue weakly", 8},
    {"unregister-wrong-result", "unregister returns false even when it removed cells", 7},
    {"unregister-other-registry", "unregister removes cells with that token from every registry", 7},
    {"throw-drops-cells", "when a callback throws, the job drops the cells still to deliver", 11},
    {"kept-alive-ignored", "[[KeptAlive]] is not a root: deref'd targets die within the turn", 10},
    {"synchronous-callback", "gc runs cleanup callbacks at once, inside the gc", 6},
    {"lost-cleanup-job", "gc empties cells but never enqueues a cleanup job", 12},
    {"weakref-not-cleared", "gc empties cells but leaves WeakRefs to collected targets set", 10},
    {"collected-registry-delivers",
     "a pending job does not keep its registry alive, and runs after it is collected", 9},
}};

}  // namespace

std::string_view FaultName(Fault fault) { return kFaults[static_cast<std::size_t>(fault)].name; }

std::string_view FaultSummary(Fault fault) {
  return kFaults[static_cast<std::size_t>(fault)].summary;
}

int InvariantItBreaks(Fault fault) { return kFaults[static_cast<std::size_t>(fault)].invariant; }

std::optional<Fault> FaultFromName(std::string_view name) {
  for (Fault fault : AllFaults()) {
    if (FaultName(fault) == name) return fault;
  }
  return std::nullopt;
}

std::vector<Fault> AllFaults() {
  std::vector<Fault> all;
  for (int i = 0; i < kFaultCount; ++i) all.push_back(static_cast<Fault>(i));
  return all;
}

}  // namespace finrig
