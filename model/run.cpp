// The op interpreter: maps each program op onto the spec operations in model.cpp,
// evaluates operands and writes the trace.
#include <array>
#include <utility>

#include "model/model.h"
#include "model/search.h"

namespace finrig {

Trace RunProgram(const Program& program, FaultSet faults, std::optional<Profile> profile) {
  model::ProgramHost host;
  return RunProgram(program, host, faults, profile);
}

Trace RunProgram(const Program& program, model::Host& host, FaultSet faults,
                 std::optional<Profile> profile) {
  Trace trace;
  model::Agent agent(profile.value_or(program.profile), faults, trace, host, program.callbackBudget);
  agent.RunTopLevel(program.ops);
  return trace;
}

namespace model {

std::uint64_t Agent::Fingerprint() const {
  StateHash hash;
  const auto addOptional = [&](const std::optional<Value>& v) {
    hash.Add(v.has_value());
    if (v) hash.Add(*v);
  };
  hash.Add(handles_);
  hash.Add(heap_.size());
  for (const HeapThing& thing : heap_) {
    hash.Add(thing.collected);
    hash.Add(thing.refs);
    hash.Add(thing.captures);
    hash.Add(thing.cells.size());
    for (const Cell& cell : thing.cells) {
      addOptional(cell.weakRefTarget);
      hash.Add(cell.heldValue);
      addOptional(cell.unregisterToken);
    }
    addOptional(thing.weakRefTarget);
    hash.Add(thing.entries.size());
    for (const WeakEntry& entry : thing.entries) {
      hash.Add(entry.key);
      hash.Add(entry.value);
    }
  }
  hash.Add(keptAlive_);
  hash.Add(jobQueue_.size());
  for (const Job& job : jobQueue_) hash.Add(job.registry * 2 + job.holdsRegistry);
  hash.Add(promiseJobs_.size());
  for (const Op* then : promiseJobs_) hash.Add(reinterpret_cast<std::uintptr_t>(then));
  hash.Add(static_cast<std::uint64_t>(callbacksLeft_));
  for (HeapId id : runningJobs_) hash.Add(id);
  hash.Add(callbackArguments_);
  hash.Add(iteration_.value_or(kMaxRepeat));
  return hash.Get();
}

void Agent::Record(Event event) { trace_.events.push_back(std::move(event)); }

Value Agent::Evaluate(const Operand& operand) const {
  if (const auto* h = std::get_if<HandleRef>(&operand)) return handles_[h->handle];
  if (std::holds_alternative<HeldRef>(operand)) {
    return callbackArguments_.empty() ? Value{Undefined{}} : callbackArguments_.back();
  }
  if (std::holds_alternative<IterationRef>(operand)) {
    return iteration_ ? Value{static_cast<double>(*iteration_)} : Value{Undefined{}};
  }
  return std::get<Value>(operand);
}

void Agent::RunTopLevel(const std::vector<Op>& ops) {
  // A top-level `throw` cannot be written; ExecuteAll's result is always normal here.
  ExecuteAll(ops);
  if (ops.empty()) return;
  // The synchronous run is over: the promise jobs still waiting run (every host drains
  // its microtasks), and a host may still run cleanup jobs before the program is done.
  // The program's handles ended with it (the emitted script's are its locals). Back
  // after it: what a program's end still owes is judged with what its last op left
  // reachable (OwesCleanup, as the checker's completeness).
  static const Op kHostsTurn{.kind = OpKind::Turn};
  Handles handles = std::exchange(handles_, {});
  if (host_.TurnAfterTheLastOp()) Turn(kHostsTurn);
  RunMicrotasks(/*inTurn=*/false);
  ClearKeptObjects();
  handles_ = std::move(handles);
}

Completion Agent::ExecuteAll(const std::vector<Op>& ops) {
  for (const Op& op : ops) {
    Completion completion = Execute(op);
    if (completion.type == Completion::Type::Throw) return completion;
  }
  return Completion::Normal();
}

void Agent::CollectIfTheHostChooses() {
  if (std::optional<Collection> collection = host_.Spontaneous(heap_.size())) {
    CollectGarbage(*collection);
  }
}

Completion Agent::Execute(const Op& op) {
  CollectIfTheHostChooses();
  const auto arg = [&](std::size_t i) {
    return i < op.args.size() ? Evaluate(op.args[i]) : Value{Undefined{}};
  };
  Completion completion;
  switch (op.kind) {
    case OpKind::NewObject:
      completion = Completion::Normal(ObjectRef{Allocate(HeapThing{})});
      break;
    case OpKind::NewSymbol:
      completion = Completion::Normal(UniqueSymbol{Allocate(HeapThing{
          .kind = HeapThing::Kind::Symbol, .description = op.description.value_or("")})});
      break;
    case OpKind::Assign:
      completion = Completion::Normal(arg(0));
      break;
    case OpKind::NewRegistry: {
      Closure closure{.body = &op.body, .async = op.registryAsync, .captures = {}};
      for (const Operand& capture : op.args) closure.captures.push_back(Evaluate(capture));
      completion = FinalizationRegistryConstructor(
          op.registryNewTarget,
          op.registryCallbackArg ? CleanupCallback{arg(0)} : CleanupCallback{std::move(closure)});
      break;
    }
    case OpKind::NewWeakRef:
      completion = WeakRefConstructor(arg(0));
      break;
    case OpKind::Deref:
      completion = WeakRefPrototypeDeref(arg(0));
      break;
    case OpKind::Register:
      completion = FinalizationRegistryRegister(arg(0), arg(1), arg(2), arg(3));
      break;
    case OpKind::Unregister:
      completion = FinalizationRegistryUnregister(arg(0), arg(1));
      break;
    case OpKind::Link:
    case OpKind::Unlink:
      completion = Link(arg(0), arg(1), op.kind == OpKind::Link);
      break;
    case OpKind::Drop:
      completion = Completion::Normal();
      break;
    case OpKind::Gc:
      CollectGarbage(host_.GcOp(op, heap_.size()));
      completion = Completion::Normal();
      break;
    case OpKind::Turn:
      completion = Turn(op);
      break;
    case OpKind::Throw:
      completion = op.args.empty() || SameValue(arg(0), Evaluate(HeldRef{}))
                       ? Completion::Throw()
                       : Completion::Normal();
      break;
    case OpKind::NewWeakMap:
      completion = Completion::Normal(ObjectRef{Allocate(HeapThing{.kind = HeapThing::Kind::WeakMap})});
      break;
    case OpKind::NewWeakSet:
      completion = Completion::Normal(ObjectRef{Allocate(HeapThing{.kind = HeapThing::Kind::WeakSet})});
      break;
    case OpKind::WeakMapSet:
      completion = WeakMapPrototypeSet(arg(0), arg(1), arg(2));
      break;
    case OpKind::WeakMapGet:
      completion = WeakMapPrototypeGet(arg(0), arg(1));
      break;
    case OpKind::WeakHas:
      completion = IsWeakSet(arg(0)) ? WeakSetPrototypeHas(arg(0), arg(1))
                                     : WeakMapPrototypeHas(arg(0), arg(1));
      break;
    case OpKind::WeakDelete:
      completion = IsWeakSet(arg(0)) ? WeakSetPrototypeDelete(arg(0), arg(1))
                                     : WeakMapPrototypeDelete(arg(0), arg(1));
      break;
    case OpKind::WeakSetAdd:
      completion = WeakSetPrototypeAdd(arg(0), arg(1));
      break;
    case OpKind::Then:
      // HostEnqueuePromiseJob: the body runs once no code runs (sec-jobs), after the
      // promise jobs queued before it.
      promiseJobs_.push_back(&op);
      completion = Completion::Normal();
      break;
    case OpKind::Repeat:
      // A `for` loop of the program's own code: its ops run where it stands (never a
      // throw), N times, each seeing its iteration as `i`.
      for (std::uint32_t i = 0; i < op.repeatCount; ++i) {
        iteration_ = i;
        ExecuteAll(op.body);
      }
      iteration_.reset();
      completion = Completion::Normal();
      break;
  }
  // `hN = ...` assigns only a normal completion's value; `drop hN` assigns undefined.
  if (op.dest && completion.type == Completion::Type::Normal) {
    handles_.Set(*op.dest, completion.value);
  }
  Record(OpDone{.op = &op, .result = completion});
  return completion;
}

// The end of a synchronous run of ECMAScript code, then the host's event loop running
// the cleanup jobs it chooses, each a job of its own.
Completion Agent::Turn(const Op& op) {
  // The microtask checkpoint ends the synchronous run, and ClearKeptObjects ends the
  // checkpoint (HTML's "perform a microtask checkpoint"; V8 and SpiderMonkey hosts do
  // the same): what the run kept alive lives through its promise jobs. A host may
  // clear it first (choice 6), or run cleanup jobs before them (RunMicrotasks).
  // Fault: a program's host clears it first.
  // (Asked only when a promise job waits: without one, before and after are alike.)
  if (!promiseJobs_.empty() && (faults_.Has(Fault::KeptAliveClearedBeforeMicrotasks) ||
                                host_.ClearKeptObjectsBeforePromiseJobs())) {
    ClearKeptObjects();
  }
  RunMicrotasks(/*inTurn=*/true);
  ClearKeptObjects();
  host_.BeginTurn(op, jobQueue_);
  for (;;) {
    CollectIfTheHostChooses();
    const std::optional<std::size_t> position = host_.NextJob(jobQueue_);
    if (!position) break;
    // A job stays a root (in the queue) until it starts.
    const Job job = jobQueue_[*position];
    jobQueue_.erase(jobQueue_.begin() + static_cast<std::ptrdiff_t>(*position));
    RunJob(job);
  }
  return Completion::Normal();
}

void Agent::RunJob(const Job& job) {
  // Choice 3: the registry died while its job waited (the Execution note: callbacks may
  // be omitted "if the FinalizationRegistry itself becomes dead"); the job is dropped.
  // Fault: it runs all the same.
  if (Thing(job.registry).collected && !faults_.Has(Fault::CollectedRegistryDelivers)) return;
  Record(JobBegin{.registry = job.registry});
  runningJobs_.push_back(job.registry);
  // A callback that throws ends its job; the host reports the error and goes on.
  const Completion completion = CleanupFinalizationRegistry(job.registry);
  runningJobs_.pop_back();
  Record(JobEnd{.registry = job.registry, .abrupt = completion.IsAbrupt()});
  // A cleanup job is a task of its own, with its own checkpoint.
  RunMicrotasks(/*inTurn=*/true);
  ClearKeptObjects();
  // The cells the throw left wait for another collection, or for a job the host posts.
  if (completion.IsAbrupt() && HasEmptyCell(Thing(job.registry).cells) &&
      host_.RepostAfterThrow(job.registry)) {
    HostEnqueueFinalizationRegistryCleanupJob(job.registry);
  }
}

void Agent::RunMicrotasks(bool inTurn) {
  while (!promiseJobs_.empty()) {
    // The rest wait for the cleanup job the host runs first, after which they run.
    if (inTurn && !jobQueue_.empty() && host_.CleanupJobBeforePromiseJobs()) return;
    CollectIfTheHostChooses();
    const Op* then = promiseJobs_.front();
    promiseJobs_.erase(promiseJobs_.begin());
    Record(PromiseJobBegin{.then = then});
    // A throw rejects the job's promise; nobody handles it, and the next job runs.
    const Completion completion = ExecuteAll(then->body);
    Record(PromiseJobEnd{.threw = completion.IsAbrupt()});
  }
}

}  // namespace model
}  // namespace finrig
