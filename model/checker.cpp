#include "model/checker.h"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "model/text.h"

namespace finrig {
namespace {

// Unwinds the walk when the trace stops fitting the program; the violation is recorded.
struct TraceMismatch {};
// Unwinds the walk at the end of a partial trace.
struct TraceEnded {};

struct CellRecord {
  enum class State : std::uint8_t { Active, Unregistered, Delivered };
  Value target;
  Value held;
  std::optional<Value> token;  // nullopt: registered without a token
  State state = State::Active;
  int line;                    // of the register op, for messages
  // Its target was known dead when a callback of its registry threw: invariant 11
  // says the cell must survive that.
  bool outlivedThrow = false;
  // An unregister with its token has observed whether it was still registered, so it
  // can no longer trade places with an interchangeable cell (ReattributeDeliveries).
  bool pinned = false;
};

// The checker's view of a heap thing: only what the program did to it and what the
// trace says happened to it.
struct Thing {
  enum class Kind : std::uint8_t { Object, Symbol, Registry, WeakRef };
  Kind kind;
  bool dead = false;  // known collected: reported, or a callback or deref implied it
  std::vector<Value> refs = {};
  std::vector<CellRecord> cells = {};
  const std::vector<Op>* callback = nullptr;
  Value weakRefTarget = Undefined{};
};

// A registry owed a cleanup job, as the checker infers from collection reports.
struct PendingJob {
  std::uint64_t serial;
  HeapId registry;
};

// How a thing was first reached: from a root, or along an edge leaving another thing.
struct Step {
  enum class From : std::uint8_t {
    Handle, KeptAlive, CallbackArgument, RunningJob, PendingJob, KeptRegistry,  // roots
    Link, HeldValue, WeakRef,                                                    // edges
  };
  From from = From::Handle;
  std::uint32_t index = 0;  // the handle (Handle) or the thing the edge leaves (edges)
};

// What the roots reach, and for messages how: steps are recorded as the walk goes and
// spelled out as a path only when a report needs one (the walk runs on every gc and
// callback, reports are rare).
struct Reachability {
  std::vector<bool> reached;
  std::vector<Step> how;

  bool IsEdge(const Step& step) const { return step.from >= Step::From::Link; }

  const Step& RootStep(HeapId id) const {
    while (IsEdge(how[id])) id = how[id].index;
    return how[id];
  }

  // The path from a root to `id`, ending at the last edge: "h3 -> @5 heldValue".
  std::string Path(HeapId id) const {
    std::vector<const Step*> steps{&how[id]};  // back to the root
    while (IsEdge(*steps.back())) steps.push_back(&how[steps.back()->index]);
    std::string path;
    for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
      const Step& s = **step;
      switch (s.from) {
        case Step::From::Handle: path = fmt::format("h{}", s.index); break;
        case Step::From::KeptAlive: path = "KeptAlive"; break;
        case Step::From::CallbackArgument: path = "held"; break;
        case Step::From::RunningJob: path = "running job"; break;
        case Step::From::PendingJob: path = "pending job"; break;
        case Step::From::KeptRegistry: path = "a registry this gc keeps"; break;
        case Step::From::Link: path += fmt::format(" -> @{}", s.index); break;
        case Step::From::HeldValue: path += fmt::format(" -> @{} heldValue", s.index); break;
        case Step::From::WeakRef: path += fmt::format(" -> @{} WeakRef", s.index); break;
      }
    }
    return path;
  }
};

class Checker {
 public:
  Checker(const Trace& trace, const CheckOptions& options) : trace_(trace), options_(options) {
    handles_.fill(Undefined{});
  }

  std::vector<Violation> Run(const Program& program) {
    try {
      CheckOps(program.ops);
      if (next_ < trace_.events.size()) Mismatch(nullptr, "the trace goes on after the last op");
      if (options_.completeAtEnd) CheckCompleteAtEnd();
    } catch (const TraceMismatch&) {
    } catch (const TraceEnded&) {
    }
    return std::move(violations_);
  }

 private:
  // --- walking the trace along the program ---

  // Returns true if an op threw (only `throw` in a body can), which ends the body.
  bool CheckOps(const std::vector<Op>& ops) {
    for (const Op& op : ops) {
      if (CheckOp(op).type == Completion::Type::Throw) return true;
    }
    return false;
  }

  const Event& Next(const Op* op) {
    if (next_ >= trace_.events.size()) {
      if (options_.partial) throw TraceEnded{};
      Mismatch(op, "the trace ends before this op completes");
    }
    return trace_.events[next_++];
  }

  Completion CheckOp(const Op& op) {
    TurnState turn;
    if (op.kind == OpKind::Turn) BeginTurn(turn);
    // What a top-level full gc could collect: completeness at the end asks only for
    // these (a gc inside a callback may have no turn after it).
    if (options_.completeAtEnd && op.kind == OpKind::Gc && op.gcOnly.empty() &&
        callbackArguments_.empty()) {
      unreachableAtLastFullGc_ = Reach().reached;
      unreachableAtLastFullGc_.flip();
    }
    std::optional<std::vector<HeapId>> collected;
    for (;;) {
      const Event& event = Next(&op);
      if (const auto* done = std::get_if<OpDone>(&event)) {
        if (done->op != &op) Mismatch(&op, "the trace reports a different op here");
        const Completion result = done->result;
        Apply(op, result);
        if (op.kind == OpKind::Turn) EndTurn(op, turn);
        CheckExpectations(op, result, turn.calls, collected);
        return result;
      }
      if (const auto* c = std::get_if<Collected>(&event)) {
        if (op.kind != OpKind::Gc) Mismatch(&op, "a collection is reported outside a gc op");
        CheckCollected(op, c->ids);
        collected = c->ids;
      } else if (const auto* job = std::get_if<JobBegin>(&event)) {
        if (op.kind != OpKind::Turn) {
          Report(6, &op, fmt::format("a cleanup job for @{} ran synchronously inside '{}'",
                                     job->registry, PrintOpHead(op)));
        }
        CheckJob(op, job->registry, turn);
      } else {
        Mismatch(&op, "unexpected event before the op completes");
      }
    }
  }

  // --- turns, jobs and callbacks ---

  struct TurnState {
    std::vector<std::pair<HeapId, Value>> calls;  // in order, for `expect calls`
    std::vector<PendingJob> pendingAtStart;
    std::vector<bool> deadAtStart;
    std::vector<HeapId> threwIn;  // registries whose callback threw in this turn
  };

  void BeginTurn(TurnState& turn) {
    keptAlive_.clear();  // ClearKeptObjects: the synchronous run has ended
    turn.pendingAtStart = pendingJobs_;
    for (const Thing& thing : things_) turn.deadAtStart.push_back(thing.dead);
  }

  void CheckJob(const Op& op, HeapId registry, TurnState& turn) {
    if (registry >= things_.size() || things_[registry].kind != Thing::Kind::Registry) {
      Mismatch(&op, fmt::format("a cleanup job for @{}, which is not a registry", registry));
    }
    // Invariant 9 binds the model (SEMANTICS.md), not engines: ECMA-262's Execution
    // clause empties cells and may enqueue a job for "each FinalizationRegistry fg",
    // fg in S or not, and running fg's callback observes no identity. So an engine may
    // clean up for a registry it collected in the same step (SpiderMonkey 102 does).
    if (things_[registry].dead && options_.strict) {
      Report(9, &op, fmt::format("a cleanup job ran for registry @{} after it was collected",
                                 registry));
    }
    // The job the host runs for a registry is its oldest pending one.
    if (auto it = std::find_if(pendingJobs_.begin(), pendingJobs_.end(),
                               [&](const PendingJob& job) { return job.registry == registry; });
        it != pendingJobs_.end()) {
      pendingJobs_.erase(it);
    }
    runningJobs_.push_back(registry);
    bool threw = false;
    for (;;) {
      const Event& event = Next(&op);
      if (const auto* call = std::get_if<CallbackBegin>(&event)) {
        if (call->registry != registry) Mismatch(&op, "a callback of another registry inside a job");
        threw = CheckCallback(op, registry, call->held, turn);
        if (threw) {
          turn.threwIn.push_back(registry);
          for (CellRecord& cell : things_[registry].cells) {
            if (cell.state == CellRecord::State::Active && IsDead(cell.target)) {
              cell.outlivedThrow = true;
            }
          }
        }
      } else if (const auto* end = std::get_if<JobEnd>(&event)) {
        if (end->registry != registry || end->abrupt != threw) {
          Mismatch(&op, "the job's end does not match its callbacks");
        }
        break;
      } else {
        Mismatch(&op, "unexpected event inside a cleanup job");
      }
      if (threw) {
        // A throwing callback ends the job (CleanupFinalizationRegistry's `?`).
        const Event& end = Next(&op);
        const auto* jobEnd = std::get_if<JobEnd>(&end);
        if (jobEnd == nullptr || !jobEnd->abrupt) {
          Mismatch(&op, "the job goes on after its callback threw");
        }
        break;
      }
    }
    runningJobs_.pop_back();
    keptAlive_.clear();  // ClearKeptObjects: the job has ended
  }

  // Returns whether the callback threw.
  bool CheckCallback(const Op& op, HeapId registry, const Value& held, TurnState& turn) {
    turn.calls.emplace_back(registry, held);
    ++callbacks_;
    if (IsDead(held)) {
      Report(8, &op, fmt::format("callback @{}({}) received a heldValue that was collected",
                                 registry, ToText(held)));
    }
    const Match match = MatchCell(op, registry, held);
    if (match.cell != nullptr) {
      match.cell->state = CellRecord::State::Delivered;
      // A legal callback proves its target dead; after an illegal one, or when another
      // cell could have been the one delivered, that would be a guess, and a wrong guess
      // would report what follows from it too (node showed one: a heldValue "collected"
      // because the callback was booked to the wrong one of two cells).
      if (match.legal && !CouldBeAnother(*match.cell, things_[registry].cells)) {
        MarkDead(match.cell->target);
      }
    }
    callbackArguments_.push_back(held);
    const bool threw = CheckOps(*things_[registry].callback);
    callbackArguments_.pop_back();
    const Event& event = Next(&op);
    const auto* end = std::get_if<CallbackEnd>(&event);
    if (end == nullptr || end->threw != threw) Mismatch(&op, "the callback's end does not match");
    return threw;
  }

  // Which cell a callback (registry, heldValue) delivers. An observer sees no cell ids,
  // so the checker picks the cell that makes the callback legal if there is one
  // (oldest first; with two legal cells of equal heldValue an engine trace can still
  // be misattributed, which only reports collection facts about the wrong target),
  // and otherwise reports why none does and books the likeliest cell
  // as delivered, so one wrong callback is reported once.
  struct Match {
    CellRecord* cell = nullptr;
    bool legal = false;
  };

  Match MatchCell(const Op& op, HeapId registry, const Value& held) {
    std::vector<CellRecord>& cells = things_[registry].cells;
    const Reachability reach = Reach();
    CellRecord* dead = nullptr;
    CellRecord* unreachable = nullptr;
    CellRecord* reachable = nullptr;
    CellRecord* unregistered = nullptr;
    CellRecord* delivered = nullptr;
    for (CellRecord& cell : cells) {
      if (!SameValue(cell.held, held)) continue;
      switch (cell.state) {
        case CellRecord::State::Active:
          // A target known to be collected is the surest match (one merely unreachable
          // may not have been collected yet), and among those a cell no unregister can
          // name: if the guess is wrong, a later unregister shows it and
          // ReattributeDeliveries mends it, which it cannot when no answer differs.
          if (IsReachable(reach, cell.target)) {
            if (reachable == nullptr) reachable = &cell;
          } else if (IsDead(cell.target)) {
            if (!cell.token || IsDead(*cell.token)) return {&cell, true};
            if (dead == nullptr) dead = &cell;
          } else if (unreachable == nullptr) {
            unreachable = &cell;
          }
          break;
        case CellRecord::State::Unregistered:
          if (unregistered == nullptr) unregistered = &cell;
          break;
        case CellRecord::State::Delivered:
          if (delivered == nullptr) delivered = &cell;
          break;
      }
    }
    if (dead != nullptr) return {dead, true};
    // Where collections are reported, a cell whose target is merely unreachable cannot
    // have been emptied yet; an earlier delivery booked to the wrong cell (below) is
    // then the explanation, and the unreachable cell only the last guess.
    if (unreachable != nullptr && !reportsCollections_) return {unreachable, true};
    // A cell booked unregistered may have been the one delivered earlier, and an
    // interchangeable one booked delivered still active, where no unregister's answer
    // told them apart.
    for (CellRecord& u : cells) {
      if (u.state != CellRecord::State::Unregistered || u.pinned || !SameValue(u.held, held)) continue;
      for (CellRecord& d : cells) {
        if (d.state == CellRecord::State::Delivered && !d.pinned && Interchangeable(u, d, reach)) {
          u.state = CellRecord::State::Delivered;
          return {&d, true};
        }
      }
    }
    if (unreachable != nullptr) return {unreachable, true};
    const std::string call = fmt::format("callback @{}({})", registry, ToText(held));
    if (reachable != nullptr) {
      Report(4, &op, fmt::format("{} for the cell registered at line {} while its target {} is "
                                 "reachable ({})",
                                 call, reachable->line, ToText(reachable->target),
                                 WhyReachable(reach, reachable->target)));
      return {reachable, false};
    }
    if (unregistered != nullptr) {
      Report(1, &op, fmt::format("{} for the cell registered at line {}, which was unregistered",
                                 call, unregistered->line));
      return {unregistered, false};
    }
    if (delivered != nullptr) {
      Report(5, &op, fmt::format("{} a second time for the cell registered at line {}", call,
                                 delivered->line));
    } else {
      Report(5, &op, fmt::format("{}: no cell of @{} has that heldValue", call, registry));
    }
    return {};
  }

  void EndTurn(const Op& op, const TurnState& turn) {
    const bool allowsEverything = !op.turnJobs && !op.turnLimit && callbacks_ < kCallbackBudget;
    if (!options_.strict || !allowsEverything) return;
    // A turn that runs every job to the end delivers every cell whose target was dead
    // (and reported) before it, of each registry that had a job pending.
    for (const PendingJob& pending : turn.pendingAtStart) {
      const HeapId registry = pending.registry;
      if (std::count(turn.threwIn.begin(), turn.threwIn.end(), registry) > 0) continue;
      if (std::any_of(pendingJobs_.begin(), pendingJobs_.end(),
                      [&](const PendingJob& job) { return job.serial == pending.serial; })) {
        Report(12, &op, fmt::format("the cleanup job pending for registry @{} did not run",
                                    registry));
        continue;
      }
      if (things_[registry].dead) continue;
      for (const CellRecord& cell : things_[registry].cells) {
        const std::optional<HeapId> target = HeapIdOf(cell.target);
        if (cell.state == CellRecord::State::Active && target && *target < turn.deadAtStart.size() &&
            turn.deadAtStart[*target]) {
          Report(cell.outlivedThrow ? 11 : 12, &op, fmt::format("the cell registered at line {} (heldValue {}) of @{} was "
                                      "not delivered though its target {} was collected",
                                      cell.line, ToText(cell.held), registry, ToText(cell.target)));
        }
      }
    }
  }

  // After the program's last full gc (and the turns after it), every cell of a registry
  // still reachable whose target that gc could collect has been delivered. Targets that
  // died later (a callback registering garbage) had no gc to collect them.
  void CheckCompleteAtEnd() {
    if (callbacks_ >= kCallbackBudget) return;  // the model would have stopped too
    const Reachability reach = Reach();
    for (HeapId id = 0; id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind != Thing::Kind::Registry || registry.dead || !reach.reached[id]) continue;
      for (const CellRecord& cell : registry.cells) {
        const std::optional<HeapId> target = HeapIdOf(cell.target);
        // A callback booked to an interchangeable cell may have been this one's (the
        // other then gone to an unregister that answered true all the same).
        const bool mayHaveBeenDelivered =
            std::any_of(registry.cells.begin(), registry.cells.end(), [&](const CellRecord& other) {
              return &other != &cell && other.state != CellRecord::State::Active && !other.pinned &&
                     Interchangeable(cell, other, reach);
            });
        if (cell.state == CellRecord::State::Active && target && !mayHaveBeenDelivered &&
            *target < unreachableAtLastFullGc_.size() && unreachableAtLastFullGc_[*target]) {
          Report(12, nullptr, fmt::format("the cell registered at line {} (heldValue {}) of @{} "
                                          "was never delivered though nothing reached its "
                                          "target {} at the last full gc",
                                          cell.line, ToText(cell.held), id, ToText(cell.target)));
        }
      }
    }
  }

  // --- collection reports ---

  void CheckCollected(const Op& op, const std::vector<HeapId>& ids) {
    reportsCollections_ = true;
    std::vector<bool> inS(things_.size(), false);
    for (HeapId id : ids) {
      if (id >= things_.size() || things_[id].dead) {
        Mismatch(&op, fmt::format("@{} is reported collected but is not alive", id));
      }
      inS[id] = true;
    }
    // The reported set must not be live: nothing in it reachable from the roots, also
    // not through a WeakRef to a value outside it.
    const Reachability reach = Reach(&inS);
    for (HeapId id : ids) {
      if (reach.reached[id]) {
        const int invariant = reach.RootStep(id).from == Step::From::KeptAlive ? 10 : 8;
        Report(invariant, &op, fmt::format("@{} was collected while reachable ({})", id,
                                           WhyReachable(reach, ObjectRef{id})));
      }
    }
    if (options_.strict && op.gcOnly.empty()) {
      const Reachability strong = Reach();
      for (HeapId id = 0; id < things_.size(); ++id) {
        if (!things_[id].dead && !strong.reached[id] && !inS[id]) {
          Report(IsTokenOfActiveCell(id) ? 8 : 12, &op,
                 fmt::format("a full gc left @{} uncollected though nothing reaches it{}", id,
                             IsTokenOfActiveCell(id) ? " (it is an unregister token)" : ""));
        }
      }
    }
    for (HeapId id : ids) things_[id].dead = true;
    // The model's host enqueues a job for each registry that had a cell emptied.
    for (HeapId id = 0; id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind != Thing::Kind::Registry || registry.dead) continue;
      const bool affected = std::any_of(registry.cells.begin(), registry.cells.end(),
                                        [&](const CellRecord& cell) {
                                          const std::optional<HeapId> t = HeapIdOf(cell.target);
                                          return cell.state == CellRecord::State::Active && t &&
                                                 inS[*t];
                                        });
      if (affected) pendingJobs_.push_back(PendingJob{nextJobSerial_++, id});
    }
  }

  bool IsTokenOfActiveCell(HeapId id) const {
    for (const Thing& thing : things_) {
      for (const CellRecord& cell : thing.cells) {
        if (cell.state == CellRecord::State::Active && cell.token && HeapIdOf(*cell.token) == id) {
          return true;
        }
      }
    }
    return false;
  }

  // --- reachability, the checker's own ---

  // Roots: handles, KeptAlive, running jobs and callback arguments, registries with a
  // job pending. Edges: links and active cells' heldValues. With `weakCandidates` (a
  // collected set to judge), also what that set's collection leaves observable:
  // WeakRef targets outside it and registries outside it. Otherwise
  // WeakRefs never keep anything (an engine may have collected the target together
  // with its WeakRef's other holders).
  Reachability Reach(const std::vector<bool>* weakCandidates = nullptr) const {
    Reachability r{std::vector<bool>(things_.size(), false), std::vector<Step>(things_.size())};
    std::vector<HeapId> work;
    const auto reach = [&](const Value& v, Step::From from, std::uint32_t index) {
      const std::optional<HeapId> id = HeapIdOf(v);
      // Dead things are followed too: one that is reachable was collected wrongly, and
      // what it reaches is reachable all the same.
      if (id && *id < things_.size() && !r.reached[*id]) {
        r.reached[*id] = true;
        r.how[*id] = Step{from, index};
        work.push_back(*id);
      }
    };
    for (int h = 0; h < kHandleCount; ++h) reach(handles_[h], Step::From::Handle, h);
    for (const Value& v : keptAlive_) reach(v, Step::From::KeptAlive, 0);
    for (const Value& v : callbackArguments_) reach(v, Step::From::CallbackArgument, 0);
    for (HeapId id : runningJobs_) reach(ObjectRef{id}, Step::From::RunningJob, 0);
    for (const PendingJob& job : pendingJobs_) reach(ObjectRef{job.registry}, Step::From::PendingJob, 0);
    // A registry a gc leaves alive may still run its callback (see the model's MarkLive).
    for (HeapId id = 0; weakCandidates != nullptr && id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind == Thing::Kind::Registry && !registry.dead && !(*weakCandidates)[id]) {
        reach(ObjectRef{id}, Step::From::KeptRegistry, 0);
      }
    }
    while (!work.empty()) {
      const HeapId id = work.back();
      work.pop_back();
      const Thing& thing = things_[id];
      for (const Value& v : thing.refs) reach(v, Step::From::Link, id);
      for (const CellRecord& cell : thing.cells) {
        if (cell.state == CellRecord::State::Active) reach(cell.held, Step::From::HeldValue, id);
      }
      const std::optional<HeapId> target = HeapIdOf(thing.weakRefTarget);
      // A WeakRef whose target died is cleared: it leads nowhere.
      if (weakCandidates != nullptr && target && !(*weakCandidates)[*target] &&
          !things_[*target].dead) {
        reach(thing.weakRefTarget, Step::From::WeakRef, id);
      }
    }
    return r;
  }

  // Well-known symbols belong to every realm's intrinsics: always reachable.
  static bool IsReachable(const Reachability& r, const Value& v) {
    if (std::holds_alternative<WellKnownSymbol>(v)) return true;
    const std::optional<HeapId> id = HeapIdOf(v);
    return id && *id < r.reached.size() && r.reached[*id];
  }

  static std::string WhyReachable(const Reachability& r, const Value& v) {
    const std::optional<HeapId> id = HeapIdOf(v);
    if (!id) return "well-known symbols live forever";
    return "via " + r.Path(*id) + fmt::format(" -> @{}", *id);
  }

  bool IsDead(const Value& v) const {
    const std::optional<HeapId> id = HeapIdOf(v);
    return id && *id < things_.size() && things_[*id].dead;
  }

  void MarkDead(const Value& v) {
    const std::optional<HeapId> id = HeapIdOf(v);
    if (id && *id < things_.size()) things_[*id].dead = true;
  }

  // --- ops ---

  Value Evaluate(const Operand& operand) const {
    if (const auto* h = std::get_if<HandleRef>(&operand)) return handles_[h->handle];
    if (std::holds_alternative<HeldRef>(operand)) {
      return callbackArguments_.empty() ? Value{Undefined{}} : callbackArguments_.back();
    }
    return std::get<Value>(operand);
  }

  Value Arg(const Op& op, std::size_t i) const {
    return i < op.args.size() ? Evaluate(op.args[i]) : Value{Undefined{}};
  }

  Thing* ThingOf(const Value& v, Thing::Kind kind) {
    const auto* ref = std::get_if<ObjectRef>(&v);
    if (ref == nullptr || ref->id >= things_.size() || things_[ref->id].kind != kind) return nullptr;
    return &things_[ref->id];
  }

  bool Weak(const Value& v) const { return CanBeHeldWeakly(v, options_.profile); }

  // Checks the op's result against what the spec requires, then books its effects.
  void Apply(const Op& op, const Completion& result) {
    switch (op.kind) {
      case OpKind::NewObject:
        Allocated(op, result, Thing{.kind = Thing::Kind::Object}, false);
        break;
      case OpKind::NewSymbol:
        Allocated(op, result, Thing{.kind = Thing::Kind::Symbol}, true);
        break;
      case OpKind::NewRegistry:
        Allocated(op, result, Thing{.kind = Thing::Kind::Registry, .callback = &op.body}, false);
        break;
      case OpKind::NewWeakRef: {
        const Value target = Arg(op, 0);
        if (!Weak(target)) {
          RequireTypeError(op, result, 3, "new WeakRef(" + ToText(target) + ")");
          break;
        }
        keptAlive_.push_back(target);  // AddToKeptObjects
        Allocated(op, result, Thing{.kind = Thing::Kind::WeakRef, .weakRefTarget = target}, false);
        break;
      }
      case OpKind::Assign:
        if (result.type != Completion::Type::Normal || !SameValue(result.value, Arg(op, 0))) {
          Mismatch(&op, "an assignment produced another value");
        }
        break;
      case OpKind::Deref:
        CheckDeref(op, result);
        break;
      case OpKind::Register:
        CheckRegister(op, result);
        break;
      case OpKind::Unregister:
        CheckUnregister(op, result);
        break;
      case OpKind::Link:
      case OpKind::Unlink:
        CheckLink(op, result);
        break;
      case OpKind::Drop:
      case OpKind::Gc:
      case OpKind::Turn:
        if (result.type != Completion::Type::Normal) Mismatch(&op, "this op cannot fail");
        break;
      case OpKind::Throw: {
        const bool fires = op.args.empty() || SameValue(Arg(op, 0), Evaluate(HeldRef{}));
        if ((result.type == Completion::Type::Throw) != fires) Mismatch(&op, "throw misfired");
        break;
      }
    }
    if (op.dest && result.type == Completion::Type::Normal) handles_[*op.dest] = result.value;
  }

  void Allocated(const Op& op, const Completion& result, Thing thing, bool symbol) {
    const HeapId id = static_cast<HeapId>(things_.size());
    const Value expected = symbol ? Value{UniqueSymbol{id}} : Value{ObjectRef{id}};
    if (result.type != Completion::Type::Normal || !SameValue(result.value, expected)) {
      Mismatch(&op, fmt::format("expected the new value to be @{}, the trace says {}", id,
                                CompletionToText(result)));
    }
    things_.push_back(std::move(thing));
  }

  void CheckDeref(const Op& op, const Completion& result) {
    const Value weakRefValue = Arg(op, 0);
    Thing* weakRef = ThingOf(weakRefValue, Thing::Kind::WeakRef);
    if (weakRef == nullptr) {
      RequireTypeError(op, result, 3, ToText(weakRefValue) + ".deref()");
      return;
    }
    const Value target = weakRef->weakRefTarget;
    if (result.type == Completion::Type::Normal && SameValue(result.value, target)) {
      const std::optional<HeapId> id = HeapIdOf(target);
      if (id && things_[*id].dead) {
        Report(10, &op, fmt::format("deref returned {}, which was already collected (a callback "
                                    "ran or a WeakRef was cleared)",
                                    ToText(target)));
      }
      keptAlive_.push_back(target);  // AddToKeptObjects
    } else if (result.type == Completion::Type::Normal &&
               std::holds_alternative<Undefined>(result.value)) {
      const Reachability reach = Reach();
      if (IsReachable(reach, target)) {
        Report(10, &op, fmt::format("deref returned undefined while its target {} is reachable ({})",
                                    ToText(target), WhyReachable(reach, target)));
      }
      MarkDead(target);
    } else {
      Report(10, &op, fmt::format("deref returned {}, neither its target {} nor undefined",
                                  CompletionToText(result), ToText(target)));
    }
  }

  void CheckRegister(const Op& op, const Completion& result) {
    const Value registryValue = Arg(op, 0), target = Arg(op, 1), held = Arg(op, 2),
                token = Arg(op, 3);
    const std::string call = fmt::format("{}.register({}, {}, {})", ToText(registryValue),
                                         ToText(target), ToText(held), ToText(token));
    Thing* registry = ThingOf(registryValue, Thing::Kind::Registry);
    // The spec's checks, in its order (SEMANTICS.md, register steps 1-4).
    if (registry == nullptr || !Weak(target)) return RequireTypeError(op, result, 3, call);
    if (SameValue(target, held)) return RequireTypeError(op, result, 2, call);
    if (!Weak(token) && !std::holds_alternative<Undefined>(token)) {
      return RequireTypeError(op, result, 3, call);
    }
    if (result.type != Completion::Type::Normal) {
      return Report(3, &op, fmt::format("{} threw a TypeError; its arguments are valid", call));
    }
    registry->cells.push_back(CellRecord{.target = target,
                                         .held = held,
                                         .token = Weak(token) ? std::optional(token) : std::nullopt,
                                         .state = CellRecord::State::Active,
                                         .line = op.line});
  }

  void CheckUnregister(const Op& op, const Completion& result) {
    const Value registryValue = Arg(op, 0), token = Arg(op, 1);
    const std::string call =
        fmt::format("{}.unregister({})", ToText(registryValue), ToText(token));
    Thing* registry = ThingOf(registryValue, Thing::Kind::Registry);
    if (registry == nullptr || !Weak(token)) return RequireTypeError(op, result, 3, call);
    if (result.type == Completion::Type::Normal && std::holds_alternative<bool>(result.value)) {
      ReattributeDeliveries(*registry, token, std::get<bool>(result.value));
    }
    // Every cell still in [[Cells]] with that token goes, delivered or not yet.
    bool removed = false, allOutlivedThrow = true;
    std::vector<CellRecord*> removedCells;
    for (CellRecord& cell : registry->cells) {
      if (cell.state == CellRecord::State::Active && HasToken(cell, token)) {
        cell.state = CellRecord::State::Unregistered;
        removed = true;
        allOutlivedThrow = allOutlivedThrow && cell.outlivedThrow;
        removedCells.push_back(&cell);
      }
    }
    // Pin what the answer proved: the one cell a true depended on was still active, and
    // with a false, a cell with the token booked delivered was gone already (active, this
    // unregister would have removed it; with other cells removed, the answer is the same
    // either way). Which cells it removed is known only through the answer:
    // those stay free to have been delivered before it instead.
    if (removedCells.size() == 1) removedCells.front()->pinned = true;
    for (CellRecord& cell : registry->cells) {
      if (cell.state == CellRecord::State::Delivered && HasToken(cell, token) && !removed) {
        cell.pinned = true;
      }
    }
    if (result.type != Completion::Type::Normal || !SameValue(result.value, Value{removed})) {
      // Cells that a throwing callback should have left registered are gone.
      const bool lostToThrow = removed && allOutlivedThrow;
      Report(lostToThrow ? 11 : 7, &op, fmt::format("{} returned {}; {}", call, CompletionToText(result),
                                 removed ? "it had cells with that token to remove: true"
                                         : "no cell with that token was left: false"));
    }
  }

  // Whether a callback booked to `delivered` may have been another active cell's.
  bool CouldBeAnother(const CellRecord& delivered, const std::vector<CellRecord>& cells) const {
    const auto candidate = [&](const CellRecord& other) {
      return &other != &delivered && other.state == CellRecord::State::Active &&
             SameValue(other.held, delivered.held) && !SameValue(other.target, delivered.target);
    };
    if (std::none_of(cells.begin(), cells.end(), candidate)) return false;  // the usual case
    const Reachability reach = Reach();
    return std::any_of(cells.begin(), cells.end(), [&](const CellRecord& other) {
      return candidate(other) && Interchangeable(other, delivered, reach);
    });
  }

  // An observer cannot tell which of the two a callback delivered.
  bool Interchangeable(const CellRecord& a, const CellRecord& b, const Reachability& reach) const {
    return SameValue(a.held, b.held) &&
           (SameValue(a.target, b.target) ||
            (MayBeDead(a.target, reach) && MayBeDead(b.target, reach)));
  }

  // Known collected, or, where the trace reports no collections (an engine's), nothing
  // reaches it: the engine may have collected it at any time since.
  bool MayBeDead(const Value& target, const Reachability& reach) const {
    return IsDead(target) || (!reportsCollections_ && !IsReachable(reach, target));
  }

  static bool HasToken(const CellRecord& cell, const Value& token) {
    return cell.token && SameValue(*cell.token, token);
  }

  // Callbacks cannot tell apart cells of one registry with the same heldValue whose
  // targets are both dead (or the same), so MatchCell may have booked the delivery of
  // the wrong one; tokens are what tell them apart. Before judging unregister(token), swap delivered and active
  // cells within such a group so that `observed` becomes the expected answer, where
  // that is possible without contradicting an answer an earlier unregister gave
  // (`pinned` cells).
  void ReattributeDeliveries(Thing& registry, const Value& token, bool observed) {
    const Reachability reach = Reach();
    const auto interchangeable = [&](const CellRecord& a, const CellRecord& b) {
      return !a.pinned && !b.pinned && Interchangeable(a, b, reach);
    };
    const auto swapWith = [&](CellRecord& cell, CellRecord::State from, bool withToken) {
      for (CellRecord& other : registry.cells) {
        if (&other != &cell && other.state == from && HasToken(other, token) == withToken &&
            interchangeable(cell, other)) {
          std::swap(cell.state, other.state);
          return;
        }
      }
    };
    const auto hasActive = [&] {
      return std::any_of(registry.cells.begin(), registry.cells.end(), [&](const CellRecord& c) {
        return c.state == CellRecord::State::Active && HasToken(c, token);
      });
    };
    if (observed && !hasActive()) {
      // Some cell with this token was booked delivered; an interchangeable active cell
      // without it was the one delivered.
      for (CellRecord& cell : registry.cells) {
        if (cell.state == CellRecord::State::Delivered && HasToken(cell, token)) {
          swapWith(cell, CellRecord::State::Active, false);
          if (hasActive()) break;
        }
      }
    } else if (!observed) {
      for (CellRecord& cell : registry.cells) {
        if (cell.state == CellRecord::State::Active && HasToken(cell, token)) {
          swapWith(cell, CellRecord::State::Delivered, false);
        }
      }
    }
  }

  void CheckLink(const Op& op, const Completion& result) {
    const Value from = Arg(op, 0), to = Arg(op, 1);
    Thing* object = nullptr;
    if (const auto* ref = std::get_if<ObjectRef>(&from); ref && ref->id < things_.size()) {
      object = &things_[ref->id];
    }
    if ((object == nullptr) != (result.type == Completion::Type::TypeError)) {
      Mismatch(&op, "link/unlink throws exactly when its first operand is not an object");
    }
    if (object == nullptr) return;
    std::erase_if(object->refs, [&](const Value& v) { return SameValue(v, to); });
    if (op.kind == OpKind::Link) object->refs.push_back(to);
  }

  void RequireTypeError(const Op& op, const Completion& result, int invariant,
                       const std::string& call) {
    if (result.type != Completion::Type::TypeError) {
      Report(invariant, &op, fmt::format("{} returned {} instead of throwing a TypeError", call,
                                         CompletionToText(result)));
    }
  }

  // --- expectations ---

  Value ExpectedValue(const std::variant<Operand, HeapId>& v, const Value& actual) const {
    if (const auto* operand = std::get_if<Operand>(&v)) return Evaluate(*operand);
    // @N matches whatever thing has that id, object or symbol.
    const HeapId id = std::get<HeapId>(v);
    if (HeapIdOf(actual) == id) return actual;
    return ObjectRef{id};
  }

  static std::string ExpectedText(const std::variant<Operand, HeapId>& v, const Value& expected) {
    if (const auto* operand = std::get_if<Operand>(&v);
        operand && std::holds_alternative<HandleRef>(*operand)) {
      return fmt::format("h{} ({})", std::get<HandleRef>(*operand).handle, ToText(expected));
    }
    return ToText(expected);
  }

  void CheckExpectations(const Op& op, const Completion& result,
                         const std::vector<std::pair<HeapId, Value>>& calls,
                         const std::optional<std::vector<HeapId>>& collected) {
    for (const Expectation& e : op.expects) {
      std::string failure;
      if (std::holds_alternative<ExpectOk>(e.what)) {
        if (result.IsAbrupt()) failure = "expected ok, got " + CompletionToText(result);
      } else if (std::holds_alternative<finrig::ExpectTypeError>(e.what)) {
        if (result.type != Completion::Type::TypeError) {
          failure = "expected TypeError, got " + CompletionToText(result);
        }
      } else if (const auto* value = std::get_if<ExpectValue>(&e.what)) {
        const Value expected = ExpectedValue(value->value, result.value);
        if (result.IsAbrupt() || !SameValue(result.value, expected)) {
          failure = fmt::format("expected {}, got {}", ExpectedText(value->value, expected),
                                CompletionToText(result));
        }
      } else if (const auto* expectCalls = std::get_if<ExpectCalls>(&e.what)) {
        failure = CompareCalls(*expectCalls, calls);
      } else if (const auto* expectCollected = std::get_if<ExpectCollected>(&e.what)) {
        if (!collected || *collected != expectCollected->ids) {
          failure = fmt::format("expected collected {}, got {}", IdsText(expectCollected->ids),
                                collected ? IdsText(*collected) : "no report");
        }
      }
      if (!failure.empty()) {
        violations_.push_back(Violation{kExpectationFailed, failure, &op, e.line});
      }
    }
  }

  std::string CompareCalls(const ExpectCalls& expected,
                           const std::vector<std::pair<HeapId, Value>>& actual) const {
    const auto callsText = [](const std::vector<std::pair<HeapId, Value>>& calls) {
      if (calls.empty()) return std::string("none");
      std::string text;
      for (const auto& [registry, held] : calls) {
        text += fmt::format("{}@{}({})", text.empty() ? "" : " ", registry, ToText(held));
      }
      return text;
    };
    std::vector<std::pair<HeapId, Value>> wanted;
    bool matches = expected.calls.size() == actual.size();
    for (std::size_t i = 0; i < expected.calls.size(); ++i) {
      const Value actualRegistry =
          i < actual.size() ? Value{ObjectRef{actual[i].first}} : Value{Undefined{}};
      const Value actualHeld = i < actual.size() ? actual[i].second : Value{Undefined{}};
      const Value registry = ExpectedValue(expected.calls[i].registry, actualRegistry);
      const Value held = ExpectedValue(expected.calls[i].held, actualHeld);
      const std::optional<HeapId> registryId = HeapIdOf(registry);
      wanted.emplace_back(registryId.value_or(kNoHeapId), held);
      matches = matches && SameValue(registry, actualRegistry) && SameValue(held, actualHeld);
    }
    if (matches) return "";
    return fmt::format("expected calls {}, got {}", callsText(wanted), callsText(actual));
  }

  static constexpr HeapId kNoHeapId = ~HeapId{0};

  static std::string IdsText(const std::vector<HeapId>& ids) {
    if (ids.empty()) return "none";
    std::string text;
    for (HeapId id : ids) text += fmt::format("{}@{}", text.empty() ? "" : " ", id);
    return text;
  }

  // --- reporting ---

  void Report(int invariant, const Op* op, std::string message) {
    violations_.push_back(Violation{invariant, std::move(message), op, op ? op->line : 0});
  }

  [[noreturn]] void Mismatch(const Op* op, const std::string& message) {
    Report(kTraceMismatch, op, message);
    throw TraceMismatch{};
  }

  const Trace& trace_;
  const CheckOptions& options_;
  std::size_t next_ = 0;
  std::array<Value, kHandleCount> handles_{};
  std::vector<Thing> things_;
  std::vector<Value> keptAlive_;
  std::vector<Value> callbackArguments_;
  std::vector<HeapId> runningJobs_;
  std::vector<PendingJob> pendingJobs_;  // from collection reports, oldest first
  std::uint64_t nextJobSerial_ = 0;
  int callbacks_ = 0;  // past kCallbackBudget the model stops jobs: no completeness
  // The trace reports what each gc collected (the model's do; an engine's cannot), so
  // a target not reported collected is alive.
  bool reportsCollections_ = false;
  std::vector<bool> unreachableAtLastFullGc_;  // with completeAtEnd
  std::vector<Violation> violations_;
};

}  // namespace

std::vector<Violation> CheckTrace(const Program& program, const Trace& trace,
                                  const CheckOptions& options) {
  return Checker(trace, options).Run(program);
}

std::string_view InvariantName(int invariant) {
  switch (invariant) {
    case kTraceMismatch: return "trace mismatch";
    case kExpectationFailed: return "expectation";
    case 1: return "no callback for an unregistered cell";
    case 2: return "register rejects target === heldValue";
    case 3: return "TypeError exactly for bad arguments";
    case 4: return "no callback while the target is reachable";
    case 5: return "one callback per cell, with its heldValue";
    case 6: return "callbacks only from cleanup jobs";
    case 7: return "unregister's result and reach";
    case 8: return "tokens and targets weak, heldValues strong";
    case 9: return "a collected registry delivers nothing";
    case 10: return "WeakRef consistency and KeptAlive";
    case 11: return "a throwing callback loses no cell";
    case 12: return "completeness";
  }
  return "unknown invariant";
}

}  // namespace finrig
