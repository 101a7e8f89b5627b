#include "model/faults.h"

#include <array>

namespace finrig {
namespace {

struct FaultInfo {
  std::string_view name;
  std::string_view summary;
};

// Indexed by Fault.
constexpr std::array<FaultInfo, kFaultCount> kFaults = {{
    {"callback-after-unregister",
     "unregister skips cells whose target is already collected; their callbacks still run"},
    {"callback-while-reachable", "collection ignores links between objects"},
    {"double-delivery", "a cleanup job calls the callback twice for each cell"},
    {"wrong-held-value", "the callback gets the heldValue of the oldest cell still registered"},
    {"missing-same-value-check", "register accepts target === heldValue"},
    {"registered-symbol-accepted", "CanBeHeldWeakly accepts Symbol.for symbols"},
    {"token-held-strongly", "cells hold their unregister token strongly"},
    {"held-value-held-weakly", "cells hold their heldValue weakly"},
    {"unregister-wrong-result", "unregister returns false even when it removed cells"},
    {"unregister-other-registry", "unregister removes cells with that token from every registry"},
    {"throw-drops-cells", "when a callback throws, the job drops the cells still to deliver"},
    {"kept-alive-ignored", "[[KeptAlive]] is not a root: deref'd targets die within the turn"},
    {"synchronous-callback", "gc runs cleanup callbacks at once, inside the gc"},
    {"lost-cleanup-job", "gc empties cells but never enqueues a cleanup job"},
    {"weakref-not-cleared", "gc empties cells but leaves WeakRefs to collected targets set"},
    {"collected-registry-delivers",
     "a pending job does not keep its registry alive, and runs after it is collected"},
}};

}  // namespace

std::string_view FaultName(Fault fault) { return kFaults[static_cast<std::size_t>(fault)].name; }

std::string_view FaultSummary(Fault fault) {
  return kFaults[static_cast<std::size_t>(fault)].summary;
}

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
