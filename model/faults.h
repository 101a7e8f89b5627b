// Named, injectable deviations from the spec in the model. Each exists to prove the
// checker catches it: corpus/faults/NAME.fr is a program the checker flags with the
// fault on and passes with it off.
#pragma once

#include <bitset>
#include <optional>
#include <string_view>
#include <vector>

#include "model/invariant.h"

namespace finrig {

enum class Fault : std::uint8_t {
  CallbackAfterUnregister,     // unregister leaves cells whose target is already empty
  CallbackWhileReachable,      // collection ignores link edges between objects
  DoubleDelivery,              // a cleanup job calls the callback twice per cell
  WrongHeldValue,              // callback gets the heldValue of the oldest other cell still in [[Cells]]
  MissingSameValueCheck,       // register skips step 3, SameValue(target, heldValue)
  RegisteredSymbolAccepted,    // CanBeHeldWeakly accepts registered symbols
  TokenHeldStrongly,           // cells hold their unregister token strongly
  HeldValueHeldWeakly,         // cells do not hold their heldValue strongly
  UnregisterWrongResult,       // unregister returns false even when it removed cells
  UnregisterOtherRegistry,     // unregister removes matching cells of every registry
  ThrowDropsCells,             // a throwing callback's job discards the remaining empty cells
  KeptAliveIgnored,            // [[KeptAlive]] is not a root
  SynchronousCallback,         // gc runs the cleanup jobs it enqueues at once, inside gc
  LostCleanupJob,              // gc empties cells but enqueues no cleanup job
  WeakRefNotCleared,           // gc empties cells but leaves WeakRefs to collected targets
  CollectedRegistryDelivers,   // pending jobs do not keep their registry alive, yet run
  CapturesIgnored,             // a registry's callback keeps nothing it captures alive
  PrototypeBeforeCallable,     // the constructor reads NewTarget.prototype before IsCallable
  AsyncRejectionEndsJob,       // a job stops at an async callback's rejected promise, as at a throw
  CellsPast64Lost,             // register loses the cell once its registry holds 64
  WeakMapValuesUntraced,       // a WeakMap entry's value is not kept by its live map and key
  KeptAliveClearedBeforeMicrotasks,  // ClearKeptObjects before the checkpoint's promise jobs
};
inline constexpr int kFaultCount = 22;

std::string_view FaultName(Fault fault);     // "callback-after-unregister", ...
std::string_view FaultSummary(Fault fault);  // one line, for `finrig faults --verbose`
// The invariant (docs/SEMANTICS.md numbering) whose check corpus/faults/NAME.fr and the
// fault-kill properties show tripping; together the faults cover all twelve.
Invariant InvariantItBreaks(Fault fault);
std::optional<Fault> FaultFromName(std::string_view name);
std::vector<Fault> AllFaults();

class FaultSet {
 public:
  FaultSet() = default;
  void Add(Fault f) { bits_.set(static_cast<std::size_t>(f)); }
  bool Has(Fault f) const { return bits_.test(static_cast<std::size_t>(f)); }
  bool Empty() const { return bits_.none(); }

 private:
  std::bitset<kFaultCount> bits_;
};

}  // namespace finrig
