// The reference model: an executable reading of ECMA-262's WeakRef and
// FinalizationRegistry semantics (docs/SEMANTICS.md). Spec operations keep their spec
// names and carry the spec's step comments (model.cpp); the op interpreter that drives
// them and writes the trace is in run.cpp. Every choice the spec leaves to an
// implementation is asked of a Host (host.h), so an execution is a function of
// (program, host, profile, faults); with the program's own host, of the program.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/faults.h"
#include "model/handles.h"
#include "model/host.h"
#include "model/program.h"
#include "model/trace.h"
#include "model/value.h"

namespace finrig {

// Runs `program` under `profile` (its own unless given) with `faults` injected, making
// the choices the program writes (model::ProgramHost).
Trace RunProgram(const Program& program, FaultSet faults = {},
                 std::optional<Profile> profile = std::nullopt);
// The same with another host's choices (model::RandomHost: the model as an engine).
Trace RunProgram(const Program& program, model::Host& host, FaultSet faults = {},
                 std::optional<Profile> profile = std::nullopt);

namespace model {

// A cleanupCallback argument: the program's function (its body, a closure over its
// captures), or a value the program names, which is never callable.
struct Closure {
  const std::vector<Op>* body;
  bool async;  // an async function: its body's throw rejects the promise it returns
  std::vector<Value> captures;
};
using CleanupCallback = std::variant<Closure, Value>;

// A FinalizationRegistry cell Record.
struct Cell {
  std::optional<Value> weakRefTarget;   // [[WeakRefTarget]]; nullopt is ~empty~
  Value heldValue;                      // [[HeldValue]]
  std::optional<Value> unregisterToken; // [[UnregisterToken]]; nullopt is ~empty~
};

// Whether [[Cells]] contains a Record cell such that cell.[[WeakRefTarget]] is empty:
// the condition of CleanupFinalizationRegistry step 3, so of a registry owing a callback.
bool HasEmptyCell(const std::vector<Cell>& cells);

// A Record { [[Key]], [[Value]] } of a WeakMap's [[WeakMapData]]; a WeakSet's
// [[WeakSetData]] element is a key alone. An emptied one (delete, or Execution step 1.c
// and 1.d) is erased: no operation can tell it from one never there.
struct WeakEntry {
  Value key;
  Value value = Undefined{};
};

// Everything with identity on the heap. One struct for all kinds keeps the collector
// a single loop; the kind says which slots mean something.
struct HeapThing {
  enum class Kind : std::uint8_t { Object, Symbol, Registry, WeakRef, WeakMap, WeakSet };
  Kind kind = Kind::Object;
  bool collected = false;
  std::vector<Value> refs = {};                // Object*: strong edges made by `link`
  std::string description = {};                // Symbol
  std::vector<Cell> cells = {};                // Registry: [[Cells]]
  const std::vector<Op>* cleanupCallback = {}; // Registry: [[CleanupCallback]]'s body
  bool asyncCallback = false;                  // Registry: that function is async
  std::vector<Value> captures = {};            // Registry: what that function closes over
  std::optional<Value> weakRefTarget = {};     // WeakRef: [[WeakRefTarget]]
  std::vector<WeakEntry> entries = {};         // WeakMap, WeakSet: their data
};

class Agent {
 public:
  Agent(Profile profile, FaultSet faults, Trace& trace, Host& host,
        int callbackBudget = kDefaultCallbackBudget);

  // run.cpp: the op interpreter.
  void RunTopLevel(const std::vector<Op>& ops);
  // Everything the rest of a run depends on besides the program and the host's choices,
  // hashed: two runs at the same point of the program with the same fingerprint go on
  // alike under the same choices (engines/replay.h prunes its search with it).
  std::uint64_t Fingerprint() const;
  // model.cpp: for a host that collects only what something will observe. The values
  // whose collection something can observe now: targets of a WeakRef or of a cell, not
  // live, not yet collected.
  std::vector<HeapId> ObservablyCollectable() const;
  // The least candidates with which a collection takes `value` (one of the above): it
  // and whatever would keep it alive by surviving (a WeakRef's target that reaches it,
  // a dead registry whose cells hold it).
  std::vector<HeapId> SmallestCollectionWith(HeapId value) const;
  // For a host that collects all it can: the values nothing reaches, not yet collected,
  // oldest first; and whether one is a registry with a cell whose target lives.
  std::vector<HeapId> Unreachable() const;
  bool IsRegistryOfLiveTargets(HeapId id) const;
  // For a host that promised to deliver everything: a cleanup job is still pending (a
  // dead registry's would be dropped, so running it costs a correct model nothing), or
  // a registry something reaches holds a cell whose target was collected. Nothing is
  // owed once the callback budget is spent.
  bool OwesCleanup() const;

 private:
  // --- run.cpp ---
  Completion Execute(const Op& op);
  // Runs ops until one completes abruptly with a throw; returns that completion.
  Completion ExecuteAll(const std::vector<Op>& ops);
  Completion Turn(const Op& op);
  void RunJob(const Job& job);
  // The host's microtask checkpoint: every promise job, in the order queued, those they
  // queue included; in a turn, until the host runs a waiting cleanup job first.
  void RunMicrotasks(bool inTurn);
  // "At any time": a collection the host chooses to make here, if any.
  void CollectIfTheHostChooses();
  Value Evaluate(const Operand& operand) const;
  void Record(Event event);

  // --- model.cpp: spec operations ---
  bool CanBeHeldWeakly(const Value& v) const;
  HeapThing* RequireInternalSlot(const Value& v, HeapThing::Kind kind);
  static bool IsCallable(const CleanupCallback& argument);
  Completion FinalizationRegistryConstructor(RegistryNewTarget newTarget,
                                             CleanupCallback cleanupCallback);
  Completion FinalizationRegistryRegister(const Value& thisValue, const Value& target,
                                          const Value& heldValue, const Value& unregisterToken);
  Completion FinalizationRegistryUnregister(const Value& thisValue, const Value& unregisterToken);
  Completion WeakRefConstructor(const Value& target);
  Completion WeakRefPrototypeDeref(const Value& thisValue);
  Value WeakRefDeref(HeapThing& weakRef);
  void AddToKeptObjects(const Value& value);
  void ClearKeptObjects();
  void HostEnqueueFinalizationRegistryCleanupJob(HeapId registry);
  Completion CleanupFinalizationRegistry(HeapId registry);
  // The completion of the Call, and whether it is an async function's normal return of
  // a promise its body's throw rejected.
  struct CallbackCompletion {
    Completion completion;
    bool rejected;
  };
  CallbackCompletion HostCallJobCallback(HeapId registry, const Value& heldValue);
  // The "Execution" clause's atomic step, for the largest non-live subset of the
  // collection's candidates.
  void CollectGarbage(const Collection& collection);
  std::vector<bool> MarkLive(const std::vector<bool>& candidates) const;
  Completion Link(const Value& from, const Value& to, bool add);
  // WeakMap and WeakSet (#sec-weakmap-objects, #sec-weakset-objects).
  Completion WeakMapPrototypeSet(const Value& thisValue, const Value& key, const Value& value);
  Completion WeakMapPrototypeGet(const Value& thisValue, const Value& key);
  Completion WeakMapPrototypeHas(const Value& thisValue, const Value& key);
  Completion WeakMapPrototypeDelete(const Value& thisValue, const Value& key);
  Completion WeakSetPrototypeAdd(const Value& thisValue, const Value& value);
  Completion WeakSetPrototypeHas(const Value& thisValue, const Value& value);
  Completion WeakSetPrototypeDelete(const Value& thisValue, const Value& value);
  // `has` and `delete` call the receiver's own method: WeakSet's on a WeakSet, else
  // WeakMap's (whose RequireInternalSlot throws for anything else).
  bool IsWeakSet(const Value& v) const;

  HeapId Allocate(HeapThing thing);
  HeapThing& Thing(HeapId id) { return heap_[id]; }

  Profile profile_;
  FaultSet faults_;
  Trace& trace_;
  Host& host_;
  Handles handles_;
  std::vector<HeapThing> heap_;
  // Every registry and every WeakRef, in allocation order: the collector's walks over
  // "each FinalizationRegistry" and "each WeakRef" then need not visit the whole heap.
  std::vector<HeapId> registries_;
  std::vector<HeapId> weakRefs_;
  std::vector<HeapId> weakCollections_;  // every WeakMap and WeakSet: Execution 1.c, 1.d
  std::vector<Value> keptAlive_;  // [[KeptAlive]]
  std::vector<Job> jobQueue_;     // pending cleanup jobs, oldest first
  std::vector<const Op*> promiseJobs_;  // the `then` ops whose promise jobs wait, oldest first
  std::uint64_t nextJobSerial_ = 0;
  int callbacksLeft_;
  // Roots held by the execution context stack: the registries of running cleanup jobs
  // and the heldValue arguments of running callbacks, innermost last.
  std::vector<HeapId> runningJobs_;
  std::vector<Value> callbackArguments_;
  std::optional<std::uint32_t> iteration_;  // of the repeat running, if one is
};

}  // namespace model
}  // namespace finrig
