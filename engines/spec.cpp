#include "engines/spec.h"

#include <array>

namespace finrig::engines {
namespace {

constexpr Section kCanBeHeldWeakly{std::nullopt, "sec-canbeheldweakly", R"(CanBeHeldWeakly ( v )
  1. If v is an Object, return true.
  2. If v is a Symbol and KeyForSymbol(v) is undefined, return true.
  3. Return false.
)"};

constexpr std::array<Section, 7> kSections = {{
    {OpKind::Unregister, "sec-finalization-registry.prototype.unregister",
     R"(FinalizationRegistry.prototype.unregister ( unregisterToken )
  1. Let finalizationRegistry be the this value.
  2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  3. If CanBeHeldWeakly(unregisterToken) is false, throw a TypeError exception.
  4. Let removed be false.
  5. For each Record { [[WeakRefTarget]], [[HeldValue]], [[UnregisterToken]] } cell of
     finalizationRegistry.[[Cells]], do
    a. If cell.[[UnregisterToken]] is not empty and SameValue(cell.[[UnregisterToken]],
       unregisterToken) is true, then
      i. Remove cell from finalizationRegistry.[[Cells]].
      ii. Set removed to true.
  6. Return removed.
)"},
    {OpKind::Gc, "sec-weakref-execution",
     R"(Execution
  At any time, if a set of objects and/or symbols S is not live, an ECMAScript
  implementation may perform the following steps atomically:
  1. For each element value of S, do
    a. For each WeakRef ref such that ref.[[WeakRefTarget]] is value, do
      i. Set ref.[[WeakRefTarget]] to empty.
    b. For each FinalizationRegistry fg such that fg.[[Cells]] contains a Record cell
       such that cell.[[WeakRefTarget]] is value, do
      i. Set cell.[[WeakRefTarget]] to empty.
      ii. Optionally, perform HostEnqueueFinalizationRegistryCleanupJob(fg).
    ...
)"},
    {OpKind::Turn, "sec-cleanup-finalization-registry",
     R"(CleanupFinalizationRegistry ( finalizationRegistry )
  1. Assert: finalizationRegistry has [[Cells]] and [[CleanupCallback]] internal slots.
  2. Let callback be finalizationRegistry.[[CleanupCallback]].
  3. While finalizationRegistry.[[Cells]] contains a Record cell such that
     cell.[[WeakRefTarget]] is empty, an implementation may perform the following steps:
    a. Choose any such cell.
    b. Remove cell from finalizationRegistry.[[Cells]].
    c. Perform ? HostCallJobCallback(callback, undefined, « cell.[[HeldValue]] »).
  4. Return unused.
)"},
    {OpKind::Deref, "sec-weak-ref.prototype.deref", R"(WeakRef.prototype.deref ( )
  1. Let weakRef be the this value.
  2. Perform ? RequireInternalSlot(weakRef, [[WeakRefTarget]]).
  3. Return WeakRefDeref(weakRef).

WeakRefDeref ( weakRef )
  1. Let target be weakRef.[[WeakRefTarget]].
  2. If target is not empty, then
    a. Perform AddToKeptObjects(target).
    b. Return target.
  3. Return undefined.
)"},
    {OpKind::Register, "sec-finalization-registry.prototype.register",
     R"(FinalizationRegistry.prototype.register ( target, heldValue [ , unregisterToken ] )
  1. Let finalizationRegistry be the this value.
  2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  3. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  4. If SameValue(target, heldValue) is true, throw a TypeError exception.
  5. If CanBeHeldWeakly(unregisterToken) is false, then
    a. If unregisterToken is not undefined, throw a TypeError exception.
    b. Set unregisterToken to empty.
  6. Let cell be the Record { [[WeakRefTarget]]: target, [[HeldValue]]: heldValue,
     [[UnregisterToken]]: unregisterToken }.
  7. Append cell to finalizationRegistry.[[Cells]].
  8. Return undefined.
)"},
    {OpKind::NewWeakRef, "sec-weak-ref-target", R"(WeakRef ( target )
  1. If NewTarget is undefined, throw a TypeError exception.
  2. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  3. Let weakRef be ? OrdinaryCreateFromConstructor(NewTarget, "%WeakRef.prototype%",
     « [[WeakRefTarget]] »).
  4. Perform AddToKeptObjects(target).
  5. Set weakRef.[[WeakRefTarget]] to target.
  6. Return weakRef.
)"},
    {OpKind::NewRegistry, "sec-finalization-registry-cleanup-callback",
     R"(FinalizationRegistry ( cleanupCallback )
  1. If NewTarget is undefined, throw a TypeError exception.
  2. If IsCallable(cleanupCallback) is false, throw a TypeError exception.
  3. Let finalizationRegistry be ? OrdinaryCreateFromConstructor(NewTarget,
     "%FinalizationRegistry.prototype%", « [[Realm]], [[CleanupCallback]], [[Cells]] »).
  ...
  6. Set finalizationRegistry.[[CleanupCallback]] to HostMakeJobCallback(cleanupCallback).
  7. Set finalizationRegistry.[[Cells]] to a new empty List.
  8. Return finalizationRegistry.
)"},
}};

// Invariants 1-12, as docs/SEMANTICS.md section 7 derives each.
constexpr std::array<Rule, 12> kRules = {{
    {"sec-finalization-registry.prototype.unregister", "FinalizationRegistry.prototype.unregister",
     "step 5.a.i; CleanupFinalizationRegistry step 3",
     "unregister removes every cell with the token, whatever its [[WeakRefTarget]]: \"Remove "
     "cell from finalizationRegistry.[[Cells]].\" Cleanup only chooses cells still in "
     "[[Cells]], so a removed cell is never called back."},
    {"sec-finalization-registry.prototype.register", "FinalizationRegistry.prototype.register",
     "step 4; steps 6-7",
     "\"If SameValue(target, heldValue) is true, throw a TypeError exception.\" The only "
     "append of a cell is step 7, after every check."},
    {"sec-finalization-registry.prototype.register", "FinalizationRegistry.prototype.register",
     "steps 2, 3, 5.a; unregister steps 2, 3; WeakRef ( target ) steps 1, 2; deref step 2",
     "Each throws a TypeError exactly when CanBeHeldWeakly (sec-canbeheldweakly) is false "
     "for the argument (or `this` lacks the internal slot): \"If CanBeHeldWeakly(target) is "
     "false, throw a TypeError exception.\""},
    {"sec-weakref-execution", "Execution", "step 1.b.i; CleanupFinalizationRegistry step 3",
     "Only a set of values that is not live may have its cells emptied (\"At any time, if a "
     "set of objects and/or symbols S is not live ...\"), and cleanup only delivers cells "
     "whose [[WeakRefTarget]] is empty: no callback while its target is reachable."},
    {"sec-cleanup-finalization-registry", "CleanupFinalizationRegistry", "steps 3.b, 3.c",
     "\"Remove cell from finalizationRegistry.[[Cells]].\" then \"Perform ? "
     "HostCallJobCallback(callback, undefined, « cell.[[HeldValue]] »).\": at most one call "
     "per cell, with that cell's heldValue."},
    {"sec-host-cleanup-finalization-registry", "HostEnqueueFinalizationRegistryCleanupJob",
     "step 1; sec-jobs; sec-weakref-invariants",
     "Callbacks run only from a cleanup job, when the execution context stack is empty: "
     "\"Neither of these actions (ClearKeptObjects or CleanupFinalizationRegistry) may "
     "interrupt synchronous ECMAScript execution.\""},
    {"sec-finalization-registry.prototype.unregister", "FinalizationRegistry.prototype.unregister",
     "steps 4-6",
     "unregister walks this registry's [[Cells]] only, removes each cell whose "
     "[[UnregisterToken]] is the token, and \"Return removed.\": true iff it removed one."},
    {"sec-liveness", "Liveness", "its note; the register note",
     "[[WeakRefTarget]] and [[UnregisterToken]] do not make a value live; \"cell.[[HeldValue]] "
     "is live when finalizationRegistry.[[Cells]] contains cell\"."},
    {"sec-weakref-execution", "Execution", "its note",
     "finrig's model rule: a collected registry delivers nothing. ECMA-262 allows it "
     "(\"Implementations may omit FinalizationRegistry callbacks for any reason, e.g., if the "
     "FinalizationRegistry itself becomes dead\") but does not require it."},
    {"sec-weak-ref-target", "WeakRef ( target )",
     "step 4; WeakRefDeref step 2.a; Execution steps 1.a, 1.b",
     "\"Perform AddToKeptObjects(target).\": a new or derefed target stays alive until the "
     "job ends (ClearKeptObjects), and a collection empties a value's WeakRefs and cells "
     "together, atomically."},
    {"sec-cleanup-finalization-registry", "CleanupFinalizationRegistry", "steps 3.b, 3.c",
     "A throwing callback ends the job (the ? of step 3.c) with only its own cell removed "
     "(step 3.b): every other emptied cell stays in [[Cells]]."},
    {"sec-weakref-invariants", "Objectives", "its first sentence",
     "\"This specification does not make any guarantees that any object or symbol will be "
     "garbage collected.\" finrig's --strict completeness (after a full gc and some tasks, "
     "every cell of a live registry whose target died is delivered) is what engines that "
     "collect everything promise, not what ECMA-262 requires."},
}};

}  // namespace

std::span<const Section> OpSections() { return kSections; }
const Section& CanBeHeldWeaklySection() { return kCanBeHeldWeakly; }

const Rule& RuleOf(Invariant invariant) {
  return kRules.at(static_cast<std::size_t>(InvariantNumber(invariant) - 1));
}

}  // namespace finrig::engines
