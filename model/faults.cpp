#include "model/faults.h"

#include <array>

namespace finrig {
namespace {

struct FaultInfo {
  std::string_view name;
  std::string_view summary;
  Invariant invariant;
};

// Indexed by Fault.
constexpr std::array<FaultInfo, kFaultCount> kFaults = {{
    {"callback-after-unregister",
     "unregister skips cells whose target is already collected; their callbacks still run",
     Invariant::NoCallbackForUnregisteredCell},
    {"callback-while-reachable", "collection ignores links between objects",
     Invariant::NoCallbackWhileTargetReachable},
    {"double-delivery", "a cleanup job calls the callback twice for each cell",
     Invariant::OneCallbackPerCellWithItsHeldValue},
    {"wrong-held-value", "the callback gets the heldValue of the oldest cell still registered",
     Invariant::NoCallbackWhileTargetReachable},
    {"missing-same-value-check", "register accepts target === heldValue",
     Invariant::RegisterRejectsTargetEqualsHeldValue},
    {"registered-symbol-accepted", "CanBeHeldWeakly accepts Symbol.for symbols",
     Invariant::TypeErrorExactlyForBadArguments},
    {"token-held-strongly", "cells hold their unregister token strongly",
     Invariant::TokensTargetsWeakHeldValuesStrong},
    {"held-value-held-weakly", "cells hold their heldValue weakly",
     Invariant::TokensTargetsWeakHeldValuesStrong},
    {"unregister-wrong-result", "unregister returns false even when it removed cells",
     Invariant::UnregisterResultAndReach},
    {"unregister-other-registry", "unregister removes cells with that token from every registry",
     Invariant::UnregisterResultAndReach},
    {"throw-drops-cells", "when a callback throws, the job drops the cells still to deliver",
     Invariant::ThrowingCallbackLosesNoCell},
    {"kept-alive-ignored", "[[KeptAlive]] is not a root: deref'd targets die within the turn",
     Invariant::WeakRefConsistencyAndKeptAlive},
    {"synchronous-callback", "gc runs cleanup callbacks at once, inside the gc",
     Invariant::CallbacksOnlyFromCleanupJobs},
    {"lost-cleanup-job", "gc empties cells but never enqueues a cleanup job",
     Invariant::Completeness},
    {"weakref-not-cleared", "gc empties cells but leaves WeakRefs to collected targets set",
     Invariant::WeakRefConsistencyAndKeptAlive},
    {"collected-registry-delivers",
     "a pending job does not keep its registry alive, and runs after it is collected",
     Invariant::CollectedRegistryDeliversNothing},
    {"captures-ignored",
     "collection ignores what a registry's callback closes over: a captured target dies",
     Invariant::NoCallbackWhileTargetReachable},
    {"prototype-before-callable",
     "new FinalizationRegistry reads NewTarget.prototype before checking its callback is callable",
     Invariant::TypeErrorExactlyForBadArguments},
    {"async-rejection-ends-job",
     "a cleanup job stops when an async callback returns a rejected promise, as if it threw",
     Invariant::Completeness},
    {"cells-past-64-lost",
     "register returns normally but keeps no cell once its registry holds 64 (a fixed table)",
     Invariant::Completeness},
    {"weakmap-values-untraced",
     "a WeakMap's values are held by nothing, not even while the map and the key live",
     Invariant::NoCallbackWhileTargetReachable},
    {"kept-alive-cleared-before-microtasks",
     "[[KeptAlive]] is cleared as the synchronous run ends, before its promise jobs run",
     Invariant::WeakRefConsistencyAndKeptAlive},
}};

}  // namespace

std::string_view FaultName(Fault fault) { return kFaults[static_cast<std::size_t>(fault)].name; }

std::string_view FaultSummary(Fault fault) {
  return kFaults[static_cast<std::size_t>(fault)].summary;
}

Invariant InvariantItBreaks(Fault fault) {
  return kFaults[static_cast<std::size_t>(fault)].invariant;
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
