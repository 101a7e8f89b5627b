// Spec operations of the reference model. Each function is one abstract operation or
// built-in of ECMA-262 (anchors name the sections of https://tc39.es/ecma262/) and each
// numbered comment is the spec step that the lines under it implement. Fault hooks are
// marked `Fault:` so that a reader can tell the spec from the planted deviations.
#include <algorithm>

#include "model/model.h"

namespace finrig::model {
namespace {

// The positions in [[Cells]] of the cells whose target is empty, oldest first: those
// CleanupFinalizationRegistry step 3.a chooses among.
std::vector<std::size_t> EmptyCells(const std::vector<Cell>& cells) {
  std::vector<std::size_t> empty;
  for (std::size_t i = 0; i < cells.size(); ++i) {
    if (!cells[i].weakRefTarget) empty.push_back(i);
  }
  return empty;
}

}  // namespace

bool HasEmptyCell(const std::vector<Cell>& cells) {
  return std::any_of(cells.begin(), cells.end(),
                     [](const Cell& cell) { return !cell.weakRefTarget; });
}

Agent::Agent(Profile profile, FaultSet faults, Trace& trace, Host& host, int callbackBudget)
    : profile_(profile), faults_(faults), trace_(trace), host_(host), callbacksLeft_(callbackBudget) {
}

HeapId Agent::Allocate(HeapThing thing) {
  const auto id = static_cast<HeapId>(heap_.size());
  if (thing.kind == HeapThing::Kind::Registry) registries_.push_back(id);
  if (thing.kind == HeapThing::Kind::WeakRef) weakRefs_.push_back(id);
  if (thing.kind == HeapThing::Kind::WeakMap || thing.kind == HeapThing::Kind::WeakSet) {
    weakCollections_.push_back(id);
  }
  heap_.push_back(std::move(thing));
  return id;
}

// #sec-canbeheldweakly
bool Agent::CanBeHeldWeakly(const Value& v) const {
  // Fault: Symbol.for symbols pass, as if KeyForSymbol(v) were undefined.
  if (faults_.Has(Fault::RegisteredSymbolAccepted) && std::holds_alternative<RegisteredSymbol>(v)) {
    return true;
  }
  return finrig::CanBeHeldWeakly(v, profile_);
}

// #sec-requireinternalslot: the thing `v` denotes if it is an object of `kind`, else
// nullptr (the caller throws the TypeError).
HeapThing* Agent::RequireInternalSlot(const Value& v, HeapThing::Kind kind) {
  const auto* ref = std::get_if<ObjectRef>(&v);
  if (ref == nullptr || Thing(ref->id).kind != kind) return nullptr;
  return &Thing(ref->id);
}

// #sec-iscallable: only functions are; the program's callback is the one function a
// program makes (objects are `{}`, registries and WeakRefs have no [[Call]]).
bool Agent::IsCallable(const CleanupCallback& argument) {
  return std::holds_alternative<Closure>(argument);
}

// #sec-finalization-registry-cleanup-callback: FinalizationRegistry ( cleanupCallback ),
// with the NewTarget the op states.
Completion Agent::FinalizationRegistryConstructor(RegistryNewTarget newTarget,
                                                  CleanupCallback cleanupCallback) {
  // 1. If NewTarget is undefined, throw a TypeError exception.
  if (newTarget == RegistryNewTarget::Undefined) return Completion::TypeError();
  // Fault: step 3 reads NewTarget.prototype before step 2 looks at the callback.
  if (faults_.Has(Fault::PrototypeBeforeCallable) && newTarget == RegistryNewTarget::Throwing) {
    return Completion::NewTargetError();
  }
  // 2. If IsCallable(cleanupCallback) is false, throw a TypeError exception.
  if (!IsCallable(cleanupCallback)) return Completion::TypeError();
  // 3. Let finalizationRegistry be ? OrdinaryCreateFromConstructor(NewTarget,
  //    "%FinalizationRegistry.prototype%", « [[Realm]], [[CleanupCallback]], [[Cells]] »).
  //    Its GetPrototypeFromConstructor does ? Get(constructor, "prototype"), which the
  //    throwing NewTarget's getter ends.
  if (newTarget == RegistryNewTarget::Throwing) return Completion::NewTargetError();
  HeapThing registry{.kind = HeapThing::Kind::Registry};
  // 4-5. [[Realm]]: the model has one realm.
  // 6. Set finalizationRegistry.[[CleanupCallback]] to HostMakeJobCallback(cleanupCallback).
  //    The function's environment holds what it closes over (#sec-liveness: the
  //    registry keeps its callback, and the callback its captures, alive).
  Closure& closure = std::get<Closure>(cleanupCallback);
  registry.cleanupCallback = closure.body;
  registry.asyncCallback = closure.async;
  registry.captures = std::move(closure.captures);
  // 7. Set finalizationRegistry.[[Cells]] to a new empty List.
  // 8. Return finalizationRegistry.
  return Completion::Normal(ObjectRef{Allocate(std::move(registry))});
}

// #sec-finalization-registry.prototype.register
Completion Agent::FinalizationRegistryRegister(const Value& thisValue, const Value& target,
                                               const Value& heldValue,
                                               const Value& unregisterToken) {
  // 1. Let finalizationRegistry be the this value.
  // 2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  HeapThing* finalizationRegistry = RequireInternalSlot(thisValue, HeapThing::Kind::Registry);
  if (finalizationRegistry == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  if (!CanBeHeldWeakly(target)) return Completion::TypeError();
  // 4. If SameValue(target, heldValue) is true, throw a TypeError exception.
  if (!faults_.Has(Fault::MissingSameValueCheck) && SameValue(target, heldValue)) {
    return Completion::TypeError();
  }
  // 5. If CanBeHeldWeakly(unregisterToken) is false, then
  std::optional<Value> token = unregisterToken;
  if (!CanBeHeldWeakly(unregisterToken)) {
    //  a. If unregisterToken is not undefined, throw a TypeError exception.
    if (!std::holds_alternative<Undefined>(unregisterToken)) return Completion::TypeError();
    //  b. Set unregisterToken to empty.
    token.reset();
  }
  // 6. Let cell be the Record { [[WeakRefTarget]]: target, [[HeldValue]]: heldValue,
  //    [[UnregisterToken]]: unregisterToken }.
  // 7. Append cell to finalizationRegistry.[[Cells]].
  // Fault: a registry's cells live in a table of 64; past that, the cell is lost.
  if (faults_.Has(Fault::CellsPast64Lost) && finalizationRegistry->cells.size() >= 64) {
    return Completion::Normal();
  }
  finalizationRegistry->cells.push_back(
      Cell{.weakRefTarget = target, .heldValue = heldValue, .unregisterToken = token});
  // 8. Return undefined.
  return Completion::Normal();
}

// #sec-finalization-registry.prototype.unregister
Completion Agent::FinalizationRegistryUnregister(const Value& thisValue,
                                                 const Value& unregisterToken) {
  // 1. Let finalizationRegistry be the this value.
  // 2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  HeapThing* finalizationRegistry = RequireInternalSlot(thisValue, HeapThing::Kind::Registry);
  if (finalizationRegistry == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(unregisterToken) is false, throw a TypeError exception.
  if (!CanBeHeldWeakly(unregisterToken)) return Completion::TypeError();
  // 4. Let removed be false.
  bool removed = false;
  // 5. For each Record { [[WeakRefTarget]], [[HeldValue]], [[UnregisterToken]] } cell
  //    of finalizationRegistry.[[Cells]], do
  //  a. If cell.[[UnregisterToken]] is not empty and SameValue(cell.[[UnregisterToken]],
  //     unregisterToken) is true, then
  //    i. Remove cell from finalizationRegistry.[[Cells]].
  //    ii. Set removed to true.
  const auto matches = [&](const Cell& cell) {
    // Fault: cells whose target is already empty are skipped, so they are delivered.
    if (faults_.Has(Fault::CallbackAfterUnregister) && !cell.weakRefTarget) return false;
    return cell.unregisterToken && SameValue(*cell.unregisterToken, unregisterToken);
  };
  const auto removeFrom = [&](HeapThing& registry) {
    removed |= std::erase_if(registry.cells, matches) > 0;
  };
  removeFrom(*finalizationRegistry);
  if (faults_.Has(Fault::UnregisterOtherRegistry)) {
    // Fault: every registry's cells with this token go, not just this one's.
    for (HeapThing& other : heap_) {
      if (other.kind == HeapThing::Kind::Registry && &other != finalizationRegistry) {
        std::erase_if(other.cells, matches);
      }
    }
  }
  // Fault: the answer is false whatever was removed.
  if (faults_.Has(Fault::UnregisterWrongResult)) removed = false;
  // 6. Return removed.
  return Completion::Normal(removed);
}

// #sec-weak-ref-target: WeakRef ( target ), called with `new`.
Completion Agent::WeakRefConstructor(const Value& target) {
  // 1. If NewTarget is undefined, throw a TypeError exception. (It is not.)
  // 2. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  if (!CanBeHeldWeakly(target)) return Completion::TypeError();
  // 3. Let weakRef be ? OrdinaryCreateFromConstructor(NewTarget, ...).
  HeapThing weakRef{.kind = HeapThing::Kind::WeakRef};
  // 4. Perform AddToKeptObjects(target).
  AddToKeptObjects(target);
  // 5. Set weakRef.[[WeakRefTarget]] to target.
  weakRef.weakRefTarget = target;
  // 6. Return weakRef.
  return Completion::Normal(ObjectRef{Allocate(std::move(weakRef))});
}

// #sec-weak-ref.prototype.deref
Completion Agent::WeakRefPrototypeDeref(const Value& thisValue) {
  // 1. Let weakRef be the this value.
  // 2. Perform ? RequireInternalSlot(weakRef, [[WeakRefTarget]]).
  HeapThing* weakRef = RequireInternalSlot(thisValue, HeapThing::Kind::WeakRef);
  if (weakRef == nullptr) return Completion::TypeError();
  // 3. Return WeakRefDeref(weakRef).
  return Completion::Normal(WeakRefDeref(*weakRef));
}

// #sec-weakrefderef
Value Agent::WeakRefDeref(HeapThing& weakRef) {
  // 1. Let target be weakRef.[[WeakRefTarget]].
  // 2. If target is not empty, then
  if (weakRef.weakRefTarget) {
    //  a. Perform AddToKeptObjects(target).
    AddToKeptObjects(*weakRef.weakRefTarget);
    //  b. Return target.
    return *weakRef.weakRefTarget;
  }
  // 3. Return undefined.
  return Undefined{};
}

// #sec-addtokeptobjects
void Agent::AddToKeptObjects(const Value& value) {
  // 1. Let agentRecord be the surrounding agent's Agent Record.
  // 2. Append value to agentRecord.[[KeptAlive]].
  keptAlive_.push_back(value);
}

// #sec-clear-kept-objects
void Agent::ClearKeptObjects() {
  // 1. Let agentRecord be the surrounding agent's Agent Record.
  // 2. Set agentRecord.[[KeptAlive]] to a new empty List.
  keptAlive_.clear();
}

// #sec-host-cleanup-finalization-registry: the model's host queues the job; a turn
// runs it when the host chooses (Host::NextJob).
void Agent::HostEnqueueFinalizationRegistryCleanupJob(HeapId registry) {
  jobQueue_.push_back(Job{.registry = registry,
                          .serial = nextJobSerial_++,
                          .holdsRegistry = host_.JobHoldsRegistry(registry)});
}

// #sec-cleanup-finalization-registry, with the implementation's choices ("may",
// "choose any such cell") made by the host (Host::ChooseCell).
Completion Agent::CleanupFinalizationRegistry(HeapId registry) {
  // 1. Assert: finalizationRegistry has [[Cells]] and [[CleanupCallback]] internal slots.
  // 2. Let callback be finalizationRegistry.[[CleanupCallback]].
  // 3. While finalizationRegistry.[[Cells]] contains a Record cell such that
  //    cell.[[WeakRefTarget]] is empty, an implementation may perform the following steps:
  // (The program's callback budget, `# budget:`, is one more reason to stop.)
  for (std::uint32_t delivered = 0; callbacksLeft_ > 0; ++delivered) {
    // A collection between two callbacks may empty more cells for this job.
    CollectIfTheHostChooses();
    // Looked up afresh each time: a callback may allocate (moving the heap) or
    // register and unregister cells.
    std::vector<Cell>& cells = Thing(registry).cells;
    const std::vector<std::size_t> empty = EmptyCells(cells);
    if (empty.empty()) break;
    //  a. Choose any such cell.
    const std::optional<std::size_t> choice = host_.ChooseCell(empty, delivered);
    if (!choice) break;
    const auto chosen = cells.begin() + static_cast<std::ptrdiff_t>(empty[*choice]);
    Value heldValue = chosen->heldValue;
    //  b. Remove cell from finalizationRegistry.[[Cells]].
    cells.erase(chosen);
    // Fault: the callback gets the heldValue of the oldest cell still in [[Cells]].
    if (faults_.Has(Fault::WrongHeldValue) && !cells.empty()) heldValue = cells.front().heldValue;
    //  c. Perform ? HostCallJobCallback(callback, undefined, « cell.[[HeldValue]] »).
    auto [completion, rejected] = HostCallJobCallback(registry, heldValue);
    // Fault: the same cell is delivered a second time.
    if (faults_.Has(Fault::DoubleDelivery) && !completion.IsAbrupt()) {
      completion = HostCallJobCallback(registry, heldValue).completion;
    }
    if (completion.IsAbrupt()) {
      // Fault: the cells that were still to be delivered are lost with the exception.
      if (faults_.Has(Fault::ThrowDropsCells)) {
        std::erase_if(Thing(registry).cells, [](const Cell& cell) { return !cell.weakRefTarget; });
      }
      return completion;
    }
    // Fault: the job looks at what the callback returned and stops at a rejected promise,
    // as if the async callback had thrown (the cells stay, and no host re-posts).
    if (faults_.Has(Fault::AsyncRejectionEndsJob) && rejected) break;
  }
  // 4. Return unused.
  return Completion::Normal();
}

// #sec-hostcalljobcallback: calls the registry's callback with one argument; the
// trace shows the call, then the body's ops.
Agent::CallbackCompletion Agent::HostCallJobCallback(HeapId registry, const Value& heldValue) {
  --callbacksLeft_;
  Record(CallbackBegin{.registry = registry, .held = heldValue});
  callbackArguments_.push_back(heldValue);
  const HeapThing& callback = Thing(registry);
  const bool async = callback.asyncCallback;
  const Completion body = ExecuteAll(*callback.cleanupCallback);
  callbackArguments_.pop_back();
  // An async function's [[Call]] returns its promise normally whatever the body does:
  // AsyncBlockStart (#sec-asyncblockstart) step 2.g rejects the promise with a throw
  // completion's value, and EvaluateAsyncFunctionBody
  // (#sec-runtime-semantics-evaluateasyncfunctionbody) step 5 returns the promise. Nothing
  // reads it: CleanupFinalizationRegistry step 3.c's `?` sees a normal completion.
  const bool rejected = async && body.IsAbrupt();
  Record(CallbackEnd{.threw = body.IsAbrupt() && !async});
  return {rejected ? Completion::Normal() : body, rejected};
}

// #sec-weakref-execution: "At any time, if a set of objects and/or symbols S is not
// live, an ECMAScript implementation may perform the following steps atomically".
// S is every candidate of the host's collection that MarkLive leaves unmarked, so S is
// not live; O(heap + cells).
void Agent::CollectGarbage(const Collection& collection) {
  std::vector<bool> inS(heap_.size(), collection.everything);
  for (HeapId id : collection.only) {
    if (id < heap_.size()) inS[id] = true;
  }
  const std::vector<bool> live = MarkLive(inS);
  std::vector<HeapId> collected;
  for (HeapId id = 0; id < heap_.size(); ++id) {
    inS[id] = inS[id] && !live[id] && !heap_[id].collected;
    if (inS[id]) collected.push_back(id);
  }
  const auto isInS = [&](const std::optional<Value>& v) {
    const std::optional<HeapId> id = v ? HeapIdOf(*v) : std::nullopt;
    return id && inS[*id];
  };
  // 1. For each element value of S, do
  for (HeapId id : collected) heap_[id].collected = true;
  //  a. For each WeakRef ref such that ref.[[WeakRefTarget]] is value, do
  //    i. Set ref.[[WeakRefTarget]] to empty.
  //  b. For each FinalizationRegistry fg such that fg.[[Cells]] contains a Record cell
  //     such that cell.[[WeakRefTarget]] is value, do
  //    i. Set cell.[[WeakRefTarget]] to empty.
  //    ii. Optionally, perform HostEnqueueFinalizationRegistryCleanupJob(fg).
  //  c. For each WeakMap map such that map.[[WeakMapData]] contains a Record r such that
  //     r.[[Key]] is value, set r.[[Key]] and r.[[Value]] to empty.
  //  d. For each WeakSet set such that set.[[WeakSetData]] contains value, replace that
  //     element with empty.
  //  (Tokens in S are unobservable afterwards; clearing them changes nothing.)
  // Walking each WeakRef and registry once instead of once per value keeps this linear;
  // the host says how many of the optional jobs it enqueues (with the program's host:
  // as the gc's `enqueue` says, one per registry without it).
  for (HeapId id : weakRefs_) {
    HeapThing& weakRef = heap_[id];
    // Fault: WeakRefs keep answering with what the gc took.
    if (!weakRef.collected && isInS(weakRef.weakRefTarget) &&
        !faults_.Has(Fault::WeakRefNotCleared)) {
      weakRef.weakRefTarget.reset();
    }
  }
  for (HeapId id : weakCollections_) {
    std::erase_if(heap_[id].entries, [&](const WeakEntry& entry) { return isInS(entry.key); });
  }
  // Each registry with cells emptied, and how many distinct values emptied them.
  std::vector<std::pair<HeapId, std::uint32_t>> affectedRegistries;
  for (HeapId id : registries_) {
    HeapThing& thing = heap_[id];
    if (thing.collected) continue;
    std::vector<HeapId> values;
    for (Cell& cell : thing.cells) {
      if (isInS(cell.weakRefTarget)) {
        values.push_back(*HeapIdOf(*cell.weakRefTarget));
        cell.weakRefTarget.reset();
      }
    }
    std::sort(values.begin(), values.end());
    const auto distinct = std::unique(values.begin(), values.end()) - values.begin();
    if (distinct > 0) affectedRegistries.emplace_back(id, static_cast<std::uint32_t>(distinct));
  }
  Record(Collected{.ids = collected});
  // Fault: no job is ever enqueued, so the emptied cells wait forever.
  if (faults_.Has(Fault::LostCleanupJob)) return;
  for (const auto& [registry, values] : affectedRegistries) {
    for (std::uint32_t n = host_.JobsToEnqueue(registry, values); n > 0; --n) {
      HostEnqueueFinalizationRegistryCleanupJob(registry);
      // Fault: the job runs now, inside the gc, instead of in a later turn.
      if (faults_.Has(Fault::SynchronousCallback)) {
        const Job job = jobQueue_.back();
        jobQueue_.pop_back();
        RunJob(job);
      }
    }
  }
}

std::vector<HeapId> Agent::ObservablyCollectable() const {
  const std::vector<bool> live = MarkLive(std::vector<bool>(heap_.size(), true));
  std::vector<bool> observable(heap_.size(), false);
  const auto target = [&](const std::optional<Value>& v) {
    if (const std::optional<HeapId> id = v ? HeapIdOf(*v) : std::nullopt) observable[*id] = true;
  };
  for (HeapId id : weakRefs_) {
    if (!heap_[id].collected) target(heap_[id].weakRefTarget);
  }
  for (HeapId id : registries_) {
    if (heap_[id].collected) continue;
    for (const Cell& cell : heap_[id].cells) target(cell.weakRefTarget);
  }
  std::vector<HeapId> values;
  for (HeapId id = 0; id < heap_.size(); ++id) {
    if (observable[id] && !live[id] && !heap_[id].collected) values.push_back(id);
  }
  return values;
}

std::vector<HeapId> Agent::Unreachable() const {
  const std::vector<bool> live = MarkLive(std::vector<bool>(heap_.size(), true));
  std::vector<HeapId> ids;
  for (HeapId id = 0; id < heap_.size(); ++id) {
    if (!live[id] && !heap_[id].collected) ids.push_back(id);
  }
  return ids;
}

bool Agent::IsRegistryOfLiveTargets(HeapId id) const {
  const std::vector<Cell>& cells = heap_[id].cells;
  return heap_[id].kind == HeapThing::Kind::Registry &&
         std::any_of(cells.begin(), cells.end(),
                     [](const Cell& cell) { return cell.weakRefTarget.has_value(); });
}

bool Agent::OwesCleanup() const {
  if (callbacksLeft_ == 0) return false;
  if (!jobQueue_.empty()) return true;
  const std::vector<bool> live = MarkLive(std::vector<bool>(heap_.size(), true));
  return std::any_of(registries_.begin(), registries_.end(), [&](HeapId id) {
    return !heap_[id].collected && live[id] && HasEmptyCell(heap_[id].cells);
  });
}

// Every non-live value as candidate takes `value`; leaving out each other candidate in
// turn that it still takes ends at the least such set (what must go with it is forced:
// a survivor that reaches it keeps it). MarkLive reads the candidates only at registries
// and WeakRefs' targets, so leaving out anything else keeps `value` dead: no mark is
// needed for it (the mark per candidate made this most of a replay's time).
std::vector<HeapId> Agent::SmallestCollectionWith(HeapId value) const {
  std::vector<bool> candidates(heap_.size(), false);
  for (HeapId id : Unreachable()) candidates[id] = true;
  std::vector<bool> read(heap_.size(), false);  // where MarkLive reads the candidates
  for (HeapId id : registries_) read[id] = true;
  for (const HeapThing& thing : heap_) {
    const std::optional<HeapId> target =
        thing.weakRefTarget ? HeapIdOf(*thing.weakRefTarget) : std::nullopt;
    if (target) read[*target] = true;
  }
  for (HeapId id = 0; id < heap_.size(); ++id) {
    if (id == value || !candidates[id]) continue;
    candidates[id] = false;
    if (read[id] && MarkLive(candidates)[value]) candidates[id] = true;
  }
  std::vector<HeapId> ids;
  for (HeapId id = 0; id < heap_.size(); ++id) {
    if (candidates[id]) ids.push_back(id);
  }
  return ids;
}

// Liveness, approximated by reachability (#sec-liveness). Roots: the handles,
// [[KeptAlive]], running cleanup jobs and the pending ones that hold their registry
// (choice 3), and the running callbacks' arguments. Strong edges: links, every cell's
// [[HeldValue]], and a registry's callback's captures. Two things outlive plain
// reachability, because what a gc leaves behind can still show its values to the
// program: a WeakRef's edge to its target counts when the target is not a candidate
// (deref could hand it out), and every registry that is not a candidate is a root even
// when unreachable (a later gc may empty one of its cells; the job that follows calls
// its callback with the heldValue, and a callback may well close over its registry
// and read its properties).
std::vector<bool> Agent::MarkLive(const std::vector<bool>& candidates) const {
  std::vector<bool> live(heap_.size(), false);
  std::vector<HeapId> work;
  const auto reach = [&](const Value& v) {
    const std::optional<HeapId> id = HeapIdOf(v);
    if (id && !live[*id] && !heap_[*id].collected) {
      live[*id] = true;
      work.push_back(*id);
    }
  };
  for (const Value& v : handles_.Assigned()) reach(v);
  // Fault: what deref or new WeakRef kept alive this turn is not a root.
  if (!faults_.Has(Fault::KeptAliveIgnored)) {
    for (const Value& v : keptAlive_) reach(v);
  }
  // Choice 3: a pending job keeps its registry alive, or lets it die and is dropped.
  // Fault: no job keeps its registry, and the job of a collected one runs all the same.
  if (!faults_.Has(Fault::CollectedRegistryDelivers)) {
    for (const Job& job : jobQueue_) {
      if (job.holdsRegistry) reach(ObjectRef{job.registry});
    }
  }
  for (HeapId registry : runningJobs_) reach(ObjectRef{registry});
  for (const Value& v : callbackArguments_) reach(v);
  for (HeapId id : registries_) {
    if (!candidates[id]) reach(ObjectRef{id});
  }

  // An entry's value is live once its map and its key both are (the ephemeron of the
  // Liveness note: "if a key in a WeakMap is not live, then its corresponding value is
  // not necessarily live either"): when the work runs out, the entries of live maps
  // whose key became live since are followed, until none is left.
  // Fault: entries' values are held by nothing, not even while their map and key live.
  const auto reachEntries = [&] {
    if (faults_.Has(Fault::WeakMapValuesUntraced)) return;
    for (HeapId id : weakCollections_) {
      if (!live[id]) continue;
      for (const WeakEntry& entry : heap_[id].entries) {
        // A key without a heap id is a well-known symbol: always live.
        const std::optional<HeapId> key = HeapIdOf(entry.key);
        if (!key || live[*key]) reach(entry.value);
      }
    }
  };
  do {
    while (!work.empty()) {
      const HeapThing& thing = heap_[work.back()];
      work.pop_back();
      // Fault: links between objects do not count, only roots and registries' cells.
      if (!faults_.Has(Fault::CallbackWhileReachable)) {
        for (const Value& v : thing.refs) reach(v);
      }
      for (const Cell& cell : thing.cells) {
        // Fault: heldValues are held weakly.
        if (!faults_.Has(Fault::HeldValueHeldWeakly)) reach(cell.heldValue);
        // Fault: unregister tokens are held strongly.
        if (faults_.Has(Fault::TokenHeldStrongly) && cell.unregisterToken) {
          reach(*cell.unregisterToken);
        }
      }
      // Fault: a registry's callback keeps nothing it closes over alive.
      if (!faults_.Has(Fault::CapturesIgnored)) {
        for (const Value& v : thing.captures) reach(v);
      }
      if (thing.weakRefTarget) {
        const std::optional<HeapId> target = HeapIdOf(*thing.weakRefTarget);
        if (target && !candidates[*target]) reach(*thing.weakRefTarget);
      }
    }
    reachEntries();
  } while (!work.empty());
  return live;
}

// `link` / `unlink`: from.refs.add(to) / from.refs.delete(to) on a Set-like property.
Completion Agent::Link(const Value& from, const Value& to, bool add) {
  const auto* object = std::get_if<ObjectRef>(&from);
  if (object == nullptr) return Completion::TypeError();  // a property of a primitive
  std::vector<Value>& refs = Thing(object->id).refs;
  const auto same = [&](const Value& v) { return SameValue(v, to); };
  const bool present = std::any_of(refs.begin(), refs.end(), same);
  if (add && !present) refs.push_back(to);
  if (!add) std::erase_if(refs, same);
  return Completion::Normal();
}

bool Agent::IsWeakSet(const Value& v) const {
  const auto* ref = std::get_if<ObjectRef>(&v);
  return ref != nullptr && heap_[ref->id].kind == HeapThing::Kind::WeakSet;
}

namespace {

// The entry whose [[Key]] is SameValue to `key`, if any (empty ones are erased).
std::vector<WeakEntry>::iterator FindEntry(std::vector<WeakEntry>& entries, const Value& key) {
  return std::find_if(entries.begin(), entries.end(),
                      [&](const WeakEntry& entry) { return SameValue(entry.key, key); });
}

}  // namespace

// #sec-weakmap.prototype.set
Completion Agent::WeakMapPrototypeSet(const Value& thisValue, const Value& key, const Value& value) {
  // 1. Let M be the this value.
  // 2. Perform ? RequireInternalSlot(M, [[WeakMapData]]).
  HeapThing* map = RequireInternalSlot(thisValue, HeapThing::Kind::WeakMap);
  if (map == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(key) is false, throw a TypeError exception.
  if (!CanBeHeldWeakly(key)) return Completion::TypeError();
  // 4. For each Record { [[Key]], [[Value]] } p of M.[[WeakMapData]], do
  //   a. If p.[[Key]] is not empty and SameValue(p.[[Key]], key) is true, then
  //     i. Set p.[[Value]] to value.
  //     ii. Return M.
  if (const auto entry = FindEntry(map->entries, key); entry != map->entries.end()) {
    entry->value = value;
    return Completion::Normal(thisValue);
  }
  // 5. Let p be the Record { [[Key]]: key, [[Value]]: value }.
  // 6. Append p to M.[[WeakMapData]].
  map->entries.push_back(WeakEntry{.key = key, .value = value});
  // 7. Return M.
  return Completion::Normal(thisValue);
}

// #sec-weakmap.prototype.get
Completion Agent::WeakMapPrototypeGet(const Value& thisValue, const Value& key) {
  // 1. Let M be the this value.
  // 2. Perform ? RequireInternalSlot(M, [[WeakMapData]]).
  HeapThing* map = RequireInternalSlot(thisValue, HeapThing::Kind::WeakMap);
  if (map == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(key) is false, return undefined.
  if (!CanBeHeldWeakly(key)) return Completion::Normal();
  // 4. For each Record { [[Key]], [[Value]] } p of M.[[WeakMapData]], do
  //   a. If p.[[Key]] is not empty and SameValue(p.[[Key]], key) is true, return p.[[Value]].
  if (const auto entry = FindEntry(map->entries, key); entry != map->entries.end()) {
    return Completion::Normal(entry->value);
  }
  // 5. Return undefined.
  return Completion::Normal();
}

// #sec-weakmap.prototype.has
Completion Agent::WeakMapPrototypeHas(const Value& thisValue, const Value& key) {
  // 1. Let M be the this value.
  // 2. Perform ? RequireInternalSlot(M, [[WeakMapData]]).
  HeapThing* map = RequireInternalSlot(thisValue, HeapThing::Kind::WeakMap);
  if (map == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(key) is false, return false.
  if (!CanBeHeldWeakly(key)) return Completion::Normal(false);
  // 4. For each Record { [[Key]], [[Value]] } p of M.[[WeakMapData]], do
  //   a. If p.[[Key]] is not empty and SameValue(p.[[Key]], key) is true, return true.
  // 5. Return false.
  return Completion::Normal(FindEntry(map->entries, key) != map->entries.end());
}

// #sec-weakmap.prototype.delete
Completion Agent::WeakMapPrototypeDelete(const Value& thisValue, const Value& key) {
  // 1. Let M be the this value.
  // 2. Perform ? RequireInternalSlot(M, [[WeakMapData]]).
  HeapThing* map = RequireInternalSlot(thisValue, HeapThing::Kind::WeakMap);
  if (map == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(key) is false, return false.
  if (!CanBeHeldWeakly(key)) return Completion::Normal(false);
  // 4. For each Record { [[Key]], [[Value]] } p of M.[[WeakMapData]], do
  //   a. If p.[[Key]] is not empty and SameValue(p.[[Key]], key) is true, then
  //     i. Set p.[[Key]] to empty.
  //     ii. Set p.[[Value]] to empty.
  //     iii. Return true.
  if (const auto entry = FindEntry(map->entries, key); entry != map->entries.end()) {
    map->entries.erase(entry);
    return Completion::Normal(true);
  }
  // 5. Return false.
  return Completion::Normal(false);
}

// #sec-weakset.prototype.add
Completion Agent::WeakSetPrototypeAdd(const Value& thisValue, const Value& value) {
  // 1. Let S be the this value.
  // 2. Perform ? RequireInternalSlot(S, [[WeakSetData]]).
  HeapThing* set = RequireInternalSlot(thisValue, HeapThing::Kind::WeakSet);
  if (set == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(value) is false, throw a TypeError exception.
  if (!CanBeHeldWeakly(value)) return Completion::TypeError();
  // 4. For each element e of S.[[WeakSetData]], do
  //   a. If e is not empty and SameValue(e, value) is true, then
  //     i. Return S.
  // 5. Append value to S.[[WeakSetData]].
  if (FindEntry(set->entries, value) == set->entries.end()) {
    set->entries.push_back(WeakEntry{.key = value});
  }
  // 6. Return S.
  return Completion::Normal(thisValue);
}

// #sec-weakset.prototype.has
Completion Agent::WeakSetPrototypeHas(const Value& thisValue, const Value& value) {
  // 1. Let S be the this value.
  // 2. Perform ? RequireInternalSlot(S, [[WeakSetData]]).
  HeapThing* set = RequireInternalSlot(thisValue, HeapThing::Kind::WeakSet);
  if (set == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(value) is false, return false.
  if (!CanBeHeldWeakly(value)) return Completion::Normal(false);
  // 4. For each element e of S.[[WeakSetData]], do
  //   a. If e is not empty and SameValue(e, value) is true, return true.
  // 5. Return false.
  return Completion::Normal(FindEntry(set->entries, value) != set->entries.end());
}

// #sec-weakset.prototype.delete
Completion Agent::WeakSetPrototypeDelete(const Value& thisValue, const Value& value) {
  // 1. Let S be the this value.
  // 2. Perform ? RequireInternalSlot(S, [[WeakSetData]]).
  HeapThing* set = RequireInternalSlot(thisValue, HeapThing::Kind::WeakSet);
  if (set == nullptr) return Completion::TypeError();
  // 3. If CanBeHeldWeakly(value) is false, return false.
  if (!CanBeHeldWeakly(value)) return Completion::Normal(false);
  // 4. For each element e of S.[[WeakSetData]], do
  //   a. If e is not empty and SameValue(e, value) is true, then
  //     i. Replace the element of S.[[WeakSetData]] whose value is e with an element
  //        whose value is empty.
  //     ii. Return true.
  if (const auto entry = FindEntry(set->entries, value); entry != set->entries.end()) {
    set->entries.erase(entry);
    return Completion::Normal(true);
  }
  // 5. Return false.
  return Completion::Normal(false);
}

}  // namespace finrig::model
