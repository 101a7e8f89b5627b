#include "model/checker.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "model/attribution.h"
#include "model/handles.h"
#include "model/search.h"
#include "model/text.h"

namespace finrig {
namespace {

// Unwinds the walk when the trace stops fitting the program; the violation is recorded.
struct TraceMismatch {};
// Unwinds the walk at the end of a partial trace.
struct TraceEnded {};

// Whether a violation can depend on the hidden choices. Argument checks (2, 3), a job
// inside a synchronous op (6), expectations and a trace that does not fit the program
// follow from the trace alone: every run meets them, so they end no run.
bool DependsOnChoices(Invariant invariant) {
  switch (invariant) {
    case Invariant::Expectation:
    case Invariant::TraceMismatch:
    case Invariant::RegisterRejectsTargetEqualsHeldValue:
    case Invariant::TypeErrorExactlyForBadArguments:
    case Invariant::CallbacksOnlyFromCleanupJobs: return false;
    default: return true;
  }
}

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
  // Unregistered while its target may already have died (nothing reached it): only
  // then can that death have enqueued a job for the registry (Execution step 1.b.ii).
  bool unregisteredAfterDeath = false;
};

// The checker's view of a heap thing: only what the program did to it and what the
// trace says happened to it.
struct Thing {
  enum class Kind : std::uint8_t { Object, Symbol, Registry, WeakRef, WeakMap, WeakSet };
  Kind kind;
  bool dead = false;  // known collected: reported, or a callback or deref implied it
  // A deref answered undefined for it: collected, by the trace alone (a callback implies
  // it only once the search has picked the cell).
  bool derefFoundCollected = false;
  std::vector<Value> refs = {};
  std::vector<CellRecord> cells = {};
  const std::vector<Op>* callback = nullptr;
  bool asyncCallback = false;        // a registry's: its callback is an async function
  std::vector<Value> captures = {};  // a registry's: what its callback closes over
  Value weakRefTarget = Undefined{};
  // A WeakMap's entries (key, value), a WeakSet's (key, undefined), as set, add and
  // delete left them: no choice of the engine changes them while their key lives.
  std::vector<std::pair<Value, Value>> entries = {};
};

// A registry owed a cleanup job, as the checker infers from collection reports and the
// program's stated choices (docs/SEMANTICS.md section 6, choices 2, 3 and 5).
struct PendingJob {
  std::uint64_t serial;
  HeapId registry;
  bool holdsRegistry;  // choice 3: false lets the registry die, and the job with it
};

// How a thing was first reached: from a root, or along an edge leaving another thing.
struct Step {
  enum class From : std::uint8_t {
    Handle, KeptAlive, CallbackArgument, RunningJob, PendingJob, KeptRegistry,  // roots
    Link, HeldValue, Capture, WeakRef, Entry,                                    // edges
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
        case Step::From::Capture: path += fmt::format(" -> @{} callback", s.index); break;
        case Step::From::WeakRef: path += fmt::format(" -> @{} WeakRef", s.index); break;
        case Step::From::Entry: path += fmt::format(" -> @{} entry", s.index); break;
      }
    }
    return path;
  }
};

// One run of the walk along the trace, making the hidden choices `choices` says
// (model/search.h): which of several look-alike cells a callback delivered, where one
// job ended and the next of the same registry began.
class Checker {
 public:
  enum class Mode : std::uint8_t {
    Search,          // end the run at the first violation that depends on the choices
    ReportAll,       // go on to the end, recording every violation
    ReportChoiceFree,  // go on to the end, recording only what no choice could change
  };

  // `ledger`: where to write the facts an attribution must fit (Attribution). A search
  // given `attribution` ends a run at the first callback whose cell leaves it no solution.
  Checker(const Trace& trace, const CheckOptions& options, Choices& choices, Mode mode,
          Attribution* ledger = nullptr, const Attribution* attribution = nullptr)
      : trace_(trace),
        options_(options),
        choices_(choices),
        mode_(mode),
        ledger_(ledger),
        attribution_(attribution) {}

  std::vector<Violation> Run(const Program& program) {
    callbackBudget_ = program.callbackBudget;
    try {
      CheckOps(program.ops);
      if (!program.ops.empty()) CheckJobsAfterTheLastOp(program.ops.back());
      if (next_ < trace_.events.size()) Mismatch(nullptr, "the trace goes on after the last op");
      // Every host drains its promise jobs before the program ends (sec-jobs: each runs
      // "at some future point in time"), and the scripts wait for them.
      if (!promiseJobs_.empty() && !options_.partial && callbacks_ < callbackBudget_) {
        Report(Invariant::CallbacksOnlyFromCleanupJobs, promiseJobs_.front(),
               "the promise job this `then` queued never ran");
      }
      if (options_.completeAtEnd) CheckCompleteAtEnd();
    } catch (const TraceMismatch&) {
    } catch (const TraceEnded&) {
    } catch (const BranchFailed&) {
      // A violation, or a state the search already saw fail.
      if (failedAt_ == SIZE_MAX) failedAt_ = next_;
    }
    return std::move(violations_);
  }

  // Where the run failed (events read), or SIZE_MAX if no choice-dependent violation.
  std::size_t FailedAt() const { return failedAt_; }

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
    if (op.kind == OpKind::Repeat) {
      for (std::uint32_t i = 0; i < op.repeatCount; ++i) {
        iteration_ = i;
        CheckOps(op.body);
      }
      iteration_.reset();
    }
    TurnState turn;
    if (op.kind == OpKind::Turn) {
      BeginTurn(turn);
      turn_ = &turn;
    }
    // What a top-level full gc must collect: completeness at the end asks only for
    // these (a gc inside a callback may have no turn after it). What --strict promises
    // leaves some registries aside (docs/SEMANTICS.md, invariant 12): a host may keep a
    // registry whose job runs after the gc (the model keeps a pending job's) and one
    // with a cell whose target may live (SpiderMonkey does), with all they hold.
    // Keeping more only keeps more, so what is owed whatever the host chose is what
    // the gc takes with each of them kept.
    if (options_.completeAtEnd && op.kind == OpKind::Gc && op.gcOnly.empty() &&
        callbackArguments_.empty()) {
      std::vector<HeapId> kept;
      for (std::size_t i = next_; i < trace_.events.size(); ++i) {
        if (const auto* call = std::get_if<CallbackBegin>(&trace_.events[i])) {
          kept.push_back(call->registry);
        }
      }
      for (HeapId id = 0; id < things_.size(); ++id) {
        const std::vector<CellRecord>& cells = things_[id].cells;
        if (std::any_of(cells.begin(), cells.end(), [](const CellRecord& cell) {
              return cell.state == CellRecord::State::Active;
            })) {
          kept.push_back(id);
        }
      }
      unreachableAtLastFullGc_ = Reach(nullptr, &kept).reached;
      unreachableAtLastFullGc_.flip();
    }
    std::optional<std::vector<HeapId>> collected;
    for (;;) {
      const Event& event = Next(&op);
      if (const auto* promise = std::get_if<PromiseJobBegin>(&event)) {
        if (op.kind != OpKind::Turn) {
          Report(Invariant::CallbacksOnlyFromCleanupJobs, &op,
                 fmt::format("a promise job ran synchronously inside '{}'", PrintOpHead(op)));
        }
        CheckPromiseJob(op, promise->then);
        continue;
      }
      if (op.kind == OpKind::Turn) EndCheckpoint(turn);
      if (const auto* done = std::get_if<OpDone>(&event)) {
        if (done->op != &op) Mismatch(&op, "the trace reports a different op here");
        const Completion result = done->result;
        Apply(op, result);
        if (op.kind == OpKind::Turn) {
          EndTurn(op, turn);
          turn_ = nullptr;
        }
        CheckExpectations(op, result, turn.calls, collected);
        return result;
      }
      if (const auto* c = std::get_if<Collected>(&event)) {
        if (op.kind != OpKind::Gc) Mismatch(&op, "a collection is reported outside a gc op");
        CheckCollected(op, c->ids);
        collected = c->ids;
      } else if (const auto* job = std::get_if<JobBegin>(&event)) {
        if (op.kind != OpKind::Turn) {
          Report(Invariant::CallbacksOnlyFromCleanupJobs, &op,
                 fmt::format("a cleanup job for @{} ran synchronously inside '{}'", job->registry,
                             PrintOpHead(op)));
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
    bool checkpointOver = false;  // the promise jobs that end the synchronous run have run
  };

  void BeginTurn(TurnState& turn) {
    turn.pendingAtStart = pendingJobs_;
    for (const Thing& thing : things_) turn.deadAtStart.push_back(thing.dead);
    // ClearKeptObjects: the synchronous run has ended. For the model, only once its
    // microtask checkpoint has (model/run.cpp, Turn); engines may clear it before their
    // promise jobs run (ECMA-262 leaves it to the host), so for them it goes now too.
    if (!options_.strict) keptAlive_.clear();
  }

  // The turn's first event that is no promise job: the checkpoint is over, and with it
  // [[KeptAlive]] (CheckPromiseJob clears it after a run of promise jobs).
  void EndCheckpoint(TurnState& turn) {
    if (!std::exchange(turn.checkpointOver, true)) keptAlive_.clear();
  }

  // A promise job: the body of the `then` that queued it, run only when no op or
  // callback runs (sec-jobs), in the order the thens queued them (HostEnqueuePromiseJob:
  // "Jobs must run in the same order as the HostEnqueuePromiseJob invocations that
  // scheduled them"). `op` is the op during which it ran.
  void CheckPromiseJob(const Op& op, const Op* then) {
    const auto queued = std::find(promiseJobs_.begin(), promiseJobs_.end(), then);
    if (queued == promiseJobs_.end()) {
      Mismatch(&op, "a promise job ran that no `then` queued, or it ran twice");
    }
    if (queued != promiseJobs_.begin()) {
      ReportChoiceFree(Invariant::CallbacksOnlyFromCleanupJobs, &op,
                       fmt::format("the promise job of the `then` at line {} ran before the one "
                                   "queued before it, at line {}",
                                   then->line, promiseJobs_.front()->line));
    }
    promiseJobs_.erase(queued);
    // Inside it no callback's heldValue is in reach: `held` is undefined.
    const std::vector<Value> arguments = std::exchange(callbackArguments_, {});
    const bool threw = CheckOps(then->body);
    callbackArguments_ = arguments;
    const Event& event = Next(&op);
    const auto* end = std::get_if<PromiseJobEnd>(&event);
    if (end == nullptr || end->threw != threw) Mismatch(&op, "the promise job's end does not match");
    // ClearKeptObjects ends the checkpoint, with the last promise job in a row.
    if (!PromiseJobNext()) keptAlive_.clear();
  }

  bool PromiseJobNext() const {
    return next_ < trace_.events.size() &&
           std::holds_alternative<PromiseJobBegin>(trace_.events[next_]);
  }

  // After the last op the synchronous run is over, and a host may run cleanup jobs
  // before the program is done (a QuickJS host drains its job queue then): a turn of
  // the host's own, which nothing obliges it to take, so no completeness is asked of it.
  // The program's handles ended with it (the emitted script's are its locals), so a
  // target only a handle held may have died. Its jobs are reported at the last op; the
  // handles are back for completeness, which is about the program's state at its end.
  void CheckJobsAfterTheLastOp(const Op& last) {
    Handles handles = std::exchange(handles_, {});
    TurnState turn;
    BeginTurn(turn);
    turn_ = &turn;
    while (next_ < trace_.events.size()) {
      if (const auto* promise = std::get_if<PromiseJobBegin>(&trace_.events[next_])) {
        ++next_;
        CheckPromiseJob(last, promise->then);
        continue;
      }
      const auto* job = std::get_if<JobBegin>(&trace_.events[next_]);
      if (job == nullptr) break;
      EndCheckpoint(turn);
      ++next_;
      CheckJob(last, job->registry, turn);
    }
    turn_ = nullptr;
    handles_ = std::move(handles);
  }

  void CheckJob(const Op& op, HeapId registry, TurnState& turn) {
    if (registry >= things_.size() || things_[registry].kind != Thing::Kind::Registry) {
      Mismatch(&op, fmt::format("a cleanup job for @{}, which is not a registry", registry));
    }
    // Invariant 9 binds the model (docs/SEMANTICS.md), not engines: ECMA-262's Execution
    // clause empties cells and may enqueue a job for "each FinalizationRegistry fg",
    // fg in S or not, and running fg's callback observes no identity. So an engine may
    // clean up for a registry it collected in the same step (SpiderMonkey 102 does).
    if (things_[registry].dead && options_.strict) {
      Report(Invariant::CollectedRegistryDeliversNothing, &op,
             fmt::format("a cleanup job ran for registry @{} after it was collected", registry));
    }
    // The job the host runs for a registry is one of its pending ones: which one only
    // matters where they differ in what they hold (a turn's `jobs` may pick any), and
    // then the search tries the oldest that holds its registry and the oldest that does
    // not, the older first.
    const auto oldest = [&](bool holds) {
      return std::find_if(pendingJobs_.begin(), pendingJobs_.end(), [&](const PendingJob& job) {
        return job.registry == registry && job.holdsRegistry == holds;
      });
    };
    auto ran = oldest(true), other = oldest(false);
    if (other < ran) std::swap(ran, other);  // the older first (end() is the greatest)
    if (other != pendingJobs_.end() && Choose(2) == 1) ran = other;
    if (ran != pendingJobs_.end()) {
      pendingJobs_.erase(ran);
    } else if (options_.strict && reportsCollections_) {
      // The model's books are complete: every job it runs was enqueued by a collection
      // (as its gc's `enqueue` says) or re-posted by a `turn … repost`.
      Report(Invariant::CallbacksOnlyFromCleanupJobs, &op,
             fmt::format("a cleanup job ran for registry @{}, but no collection or re-post "
                         "the program states enqueued one",
                         registry));
    }
    ++jobsRun_[registry];
    runningJobs_.push_back(registry);
    bool threw = false;
    bool first = true;  // the next callback is the first of a job
    for (;;) {
      const Event& event = Next(&op);
      if (const auto* call = std::get_if<CallbackBegin>(&event)) {
        if (call->registry != registry) Mismatch(&op, "a callback of another registry inside a job");
        const int throwsBefore = throwsIn_[registry];
        threw = CheckCallback(op, registry, call->held, turn);
        // A job seen only through an illegal callback has that reported instead.
        if (std::exchange(first, false) && delivered_.back()) {
          CheckJobWasEnqueued(op, registry, throwsBefore);
        }
        if (threw) {
          if (ledger_ != nullptr) ledger_->Threw(registry, next_ - 1);
          turn.threwIn.push_back(registry);
          ++throwsIn_[registry];
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
      // An engine's trace shows no job boundaries: the next callback of this registry
      // may be the same job's or the first of another, after ClearKeptObjects, which
      // counts as any other job.
      if (!options_.strict && next_ < trace_.events.size() &&
          std::holds_alternative<CallbackBegin>(trace_.events[next_]) && Choose(2) == 1) {
        keptAlive_.clear();
        ++jobsRun_[registry];
        first = true;
      }
    }
    runningJobs_.pop_back();
    // ClearKeptObjects: the job has ended. For the model, after the promise jobs it
    // queued (CheckPromiseJob clears it then), as at a turn's start.
    if (!options_.strict || !PromiseJobNext()) keptAlive_.clear();
    // Choice 5, as a turn with `repost` states it: a job ended by a throw with cells
    // still to deliver is posted again, holding its registry. (Engines run programs
    // without the option, engines::Approximate: theirs re-post as their profiles say.)
    if (threw && op.kind == OpKind::Turn && op.turnRepost &&
        std::any_of(things_[registry].cells.begin(), things_[registry].cells.end(),
                    [&](const CellRecord& cell) {
                      return cell.state == CellRecord::State::Active && IsDead(cell.target);
                    })) {
      pendingJobs_.push_back(PendingJob{nextJobSerial_++, registry, true});
    }
  }

  // Jobs come only from Execution step 1.b.ii, at most one per collected value and
  // registry, so a registry runs at most as many jobs as it has distinct targets that can
  // have died: not one that something other than a running job reaches now, alive all
  // along. Beyond the letter (CheckOptions::letter off), a host may also post a job again
  // after each throwing callback (docs/SEMANTICS.md, choice 5), and no more. Jobs the
  // trace shows (a job after a throw, in a later turn or after another registry's
  // callback is always a new one) and those the search splits off can only be more than
  // that by a job enqueued without a collection. Which targets something reaches depends
  // on which cells the search says went, so a run that breaks this fails, not the trace.
  void CheckJobWasEnqueued(const Op& op, HeapId registry, int throwsBefore) {
    const int jobs = jobsRun_[registry];
    const int reposts = options_.letter ? 0 : throwsBefore;
    const Reachability reach = ReachBeyondRunningJobs();
    // The distinct targets, counted until they are enough: by heap id, and the few
    // without one (well-known symbols) by SameValue.
    std::vector<bool> counted(things_.size(), false);
    std::vector<Value> targets;
    int distinct = 0;
    for (const CellRecord& cell : things_[registry].cells) {
      if (jobs <= distinct + reposts) return;
      const std::optional<HeapId> id = HeapIdOf(cell.target);
      if (id && !things_[*id].dead && reach.reached[*id]) continue;
      if (cell.state == CellRecord::State::Unregistered && !cell.unregisteredAfterDeath) continue;
      if (id && *id < counted.size()) {
        if (!counted[*id]) ++distinct;
        counted[*id] = true;
      } else if (std::none_of(targets.begin(), targets.end(),
                              [&](const Value& t) { return SameValue(t, cell.target); })) {
        targets.push_back(cell.target);
        ++distinct;
      }
    }
    if (jobs <= distinct + reposts) return;
    Record(Invariant::CallbacksOnlyFromCleanupJobs, &op,
           options_.letter
               ? fmt::format("registry @{} ran cleanup job {}, but only {} of its targets can "
                             "have died to enqueue one (ECMA-262 Execution step 1.b.ii); a job "
                             "re-posted after a throwing callback is beyond the letter of "
                             "ECMA-262",
                             registry, jobs, distinct)
               : fmt::format("registry @{} ran cleanup job {}, but only {} of its targets can "
                             "have died to enqueue one (ECMA-262 Execution step 1.b.ii) and {} "
                             "of its callbacks threw (after each, a host may post one again)",
                             registry, jobs, distinct, reposts),
           /*dependsOnChoices=*/true);
  }

  // Returns whether the callback threw, which ends its job; an async callback's body
  // throwing only rejects the promise the callback returns, and the job goes on
  // (docs/SEMANTICS.md, CleanupFinalizationRegistry).
  bool CheckCallback(const Op& op, HeapId registry, const Value& held, TurnState& turn) {
    turn.calls.emplace_back(registry, held);
    ++callbacks_;
    if (IsDead(held)) {
      Report(Invariant::TokensTargetsWeakHeldValuesStrong, &op,
             fmt::format("callback @{}({}) received a heldValue that was collected", registry,
                         ToText(held)));
    }
    if (ledger_ != nullptr) ledger_->Callback(registry, held, next_ - 1, &op);
    const Match match = MatchCell(op, registry, held);
    if (match.cell != nullptr) {
      match.cell->state = CellRecord::State::Delivered;
      // A legal callback proves its target dead (in this run's choice of the cell); an
      // illegal one proves nothing, and what a guess implied would be reported too.
      if (match.legal) MarkDead(match.cell->target);
    }
    const std::vector<CellRecord>& cells = things_[registry].cells;
    delivered_.push_back(match.legal ? std::optional(Attribution::CellRef{
                                           registry, static_cast<std::size_t>(
                                                         match.cell - cells.data())})
                                     : std::nullopt);
    if (mode_ == Mode::Search && attribution_ != nullptr && !attribution_->Solvable(delivered_)) {
      failedAt_ = next_;  // what this run chose leaves the later observations no explanation
      throw BranchFailed{};
    }
    callbackArguments_.push_back(held);
    const bool threw = CheckOps(*things_[registry].callback) && !things_[registry].asyncCallback;
    callbackArguments_.pop_back();
    const Event& event = Next(&op);
    const auto* end = std::get_if<CallbackEnd>(&event);
    if (end == nullptr || end->threw != threw) Mismatch(&op, "the callback's end does not match");
    return threw;
  }

  // Which cell a callback (registry, heldValue) delivers. An observer sees no cell ids:
  // any active cell with that heldValue whose target may have been collected by now
  // could be the one, and which it was is a hidden choice (one per group of cells no
  // later observation can tell apart). With none, the violation says why and the cell
  // that comes nearest is booked delivered, so one wrong callback is reported once.
  struct Match {
    CellRecord* cell = nullptr;
    bool legal = false;
  };

  Match MatchCell(const Op& op, HeapId registry, const Value& held) {
    std::vector<CellRecord>& cells = things_[registry].cells;
    const Reachability reach = Reach();
    std::vector<CellRecord*> candidates;
    std::vector<std::uint64_t> candidateKeys;  // TwinKey of each: Twins only where equal
    CellRecord* reachable = nullptr;
    CellRecord* unregistered = nullptr;
    CellRecord* delivered = nullptr;
    for (CellRecord& cell : cells) {
      if (!SameValue(cell.held, held)) continue;
      switch (cell.state) {
        case CellRecord::State::Active:
          // Where collections are reported (the model's traces), a target not reported
          // collected is alive; otherwise one nothing reaches may have been collected
          // at any time, up to just before this callback. A reachable one never was,
          // whatever a report says.
          if (!IsReachable(reach, cell.target) && (IsDead(cell.target) || !reportsCollections_)) {
            const std::uint64_t key = TwinKey(cell);
            bool twin = false;
            for (std::size_t i = 0; i < candidates.size() && !twin; ++i) {
              twin = candidateKeys[i] == key && Twins(*candidates[i], cell);
            }
            if (!twin) {
              candidates.push_back(&cell);
              candidateKeys.push_back(key);
            }
          } else if (reachable == nullptr) {
            reachable = &cell;
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
    if (candidates.size() > 1) OrderByLikelihood(registry, candidates);
    if (!candidates.empty()) {
      return {candidates[candidates.size() == 1 ? 0 : Choose(candidates.size())], true};
    }
    const std::string call = fmt::format("callback @{}({})", registry, ToText(held));
    if (reachable != nullptr) {
      Report(Invariant::NoCallbackWhileTargetReachable, &op,
             fmt::format("{} for the cell registered at line {} while its target {} is "
                         "reachable ({})",
                         call, reachable->line, ToText(reachable->target),
                         WhyReachable(reach, reachable->target)));
      return {reachable, false};
    }
    if (unregistered != nullptr) {
      Report(Invariant::NoCallbackForUnregisteredCell, &op,
             fmt::format("{} for the cell registered at line {}, which was unregistered", call,
                         unregistered->line));
      return {unregistered, false};
    }
    if (delivered != nullptr) {
      Report(Invariant::OneCallbackPerCellWithItsHeldValue, &op,
             fmt::format("{} a second time for the cell registered at line {}", call,
                         delivered->line));
    } else {
      // Every cell the registry ever had is in the trace, whatever the host chose.
      ReportChoiceFree(Invariant::OneCallbackPerCellWithItsHeldValue, &op,
                       fmt::format("{}: no cell of @{} has that heldValue", call, registry));
    }
    return {};
  }

  // Puts first the candidates a legal trace most likely delivered, so that the search
  // usually accepts it in its first run: known-dead targets, then cells whose token the
  // trace later finds gone (an unregister answering false), then those it finds still
  // there last (answering true). Only the order of the search depends on this guess
  // (tokens are read from today's handles), never its verdict.
  void OrderByLikelihood(HeapId registry, std::vector<CellRecord*>& candidates) const {
    // The later unregisters of this registry, in order: one walk of the trace's rest for
    // all the candidates, each of which asks for its token's first.
    std::vector<std::pair<Value, int>> unregisters;  // token, -1 true / 1 false / 0 other
    for (std::size_t i = next_; i < trace_.events.size(); ++i) {
      const auto* done = std::get_if<OpDone>(&trace_.events[i]);
      if (done == nullptr || done->op->kind != OpKind::Unregister ||
          HeapIdOf(Arg(*done->op, 0)) != registry) {
        continue;
      }
      const auto* answer = std::get_if<bool>(&done->result.value);
      unregisters.emplace_back(Arg(*done->op, 1), answer == nullptr ? 0 : *answer ? -1 : 1);
    }
    const auto laterAnswer = [&](const CellRecord* cell) -> int {
      if (!cell->token) return 0;
      for (const auto& [token, answer] : unregisters) {
        if (SameValue(token, *cell->token)) return answer;
      }
      return 0;
    };
    std::vector<std::pair<int, CellRecord*>> scored;
    for (CellRecord* cell : candidates) {
      scored.emplace_back((IsDead(cell->target) ? 4 : 0) + laterAnswer(cell), cell);
    }
    std::stable_sort(scored.begin(), scored.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    for (std::size_t i = 0; i < scored.size(); ++i) candidates[i] = scored[i].second;
  }

  // Two active cells no observation can tell apart once one is delivered: the same
  // target, heldValue and token (or none), and the same fate under a throw.
  static bool Twins(const CellRecord& a, const CellRecord& b) {
    const bool sameToken = a.token ? b.token && SameValue(*a.token, *b.token) : !b.token;
    return SameValue(a.target, b.target) && SameValue(a.held, b.held) && sameToken &&
           a.outlivedThrow == b.outlivedThrow;
  }

  // Equal for twins, so that a callback among many cells compares few of them in full.
  static std::uint64_t TwinKey(const CellRecord& cell) {
    StateHash hash;
    hash.Add(cell.target);
    hash.Add(cell.held);
    hash.Add(cell.token.has_value());
    if (cell.token) hash.Add(*cell.token);
    hash.Add(cell.outlivedThrow);
    return hash.Get();
  }

  void EndTurn(const Op& op, const TurnState& turn) {
    const bool allowsEverything = !op.turnJobs && !op.turnLimit && callbacks_ < callbackBudget_;
    if (!options_.strict || !allowsEverything) return;
    // A turn that runs every job to the end delivers every cell whose target was dead
    // (and reported) before it, of each registry that had a job pending.
    for (const PendingJob& pending : turn.pendingAtStart) {
      const HeapId registry = pending.registry;
      if (std::count(turn.threwIn.begin(), turn.threwIn.end(), registry) > 0) continue;
      if (std::any_of(pendingJobs_.begin(), pendingJobs_.end(),
                      [&](const PendingJob& job) { return job.serial == pending.serial; })) {
        Report(Invariant::Completeness, &op,
               fmt::format("the cleanup job pending for registry @{} did not run", registry));
        continue;
      }
      if (things_[registry].dead) continue;
      for (const CellRecord& cell : things_[registry].cells) {
        const std::optional<HeapId> target = HeapIdOf(cell.target);
        if (cell.state == CellRecord::State::Active && target && *target < turn.deadAtStart.size() &&
            turn.deadAtStart[*target]) {
          Report(
              cell.outlivedThrow ? Invariant::ThrowingCallbackLosesNoCell : Invariant::Completeness,
              &op,
              fmt::format("the cell registered at line {} (heldValue {}) of @{} was "
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
    if (callbacks_ >= callbackBudget_) return;  // the model would have stopped too
    const Reachability reach = Reach();
    for (HeapId id = 0; id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind != Thing::Kind::Registry || registry.dead || !reach.reached[id]) continue;
      for (const CellRecord& cell : registry.cells) {
        const std::optional<HeapId> target = HeapIdOf(cell.target);
        if (cell.state == CellRecord::State::Active && target &&
            *target < unreachableAtLastFullGc_.size() && unreachableAtLastFullGc_[*target]) {
          Report(Invariant::Completeness, nullptr,
                 fmt::format("the cell registered at line {} (heldValue {}) of @{} "
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
    if (ledger_ != nullptr) {
      ledger_->ReportsCollections(next_ - 1);
      for (HeapId id : ids) ledger_->Collected(id, next_ - 1);
    }
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
        const Invariant invariant = reach.RootStep(id).from == Step::From::KeptAlive
                                        ? Invariant::WeakRefConsistencyAndKeptAlive
                                        : Invariant::TokensTargetsWeakHeldValuesStrong;
        Report(invariant, &op, fmt::format("@{} was collected while reachable ({})", id,
                                           WhyReachable(reach, ObjectRef{id})));
      }
    }
    if (options_.strict && op.gcOnly.empty()) {
      const Reachability strong = Reach();
      for (HeapId id = 0; id < things_.size(); ++id) {
        if (!things_[id].dead && !strong.reached[id] && !inS[id]) {
          Report(IsTokenOfActiveCell(id) ? Invariant::TokensTargetsWeakHeldValuesStrong
                                         : Invariant::Completeness,
                 &op,
                 fmt::format("a full gc left @{} uncollected though nothing reaches it{}", id,
                             IsTokenOfActiveCell(id) ? " (it is an unregister token)" : ""));
        }
      }
    }
    for (HeapId id : ids) things_[id].dead = true;
    // A job that does not hold its registry dies with it: the host drops it unrun.
    std::erase_if(pendingJobs_, [&](const PendingJob& job) {
      return !job.holdsRegistry && things_[job.registry].dead;
    });
    // The program's host enqueues, for each registry that had cells emptied, the jobs
    // the gc's `enqueue` option says: one, none, or one per distinct collected value
    // (Execution step 1.b.ii), each holding its registry unless `hold weak`.
    for (HeapId id = 0; id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind != Thing::Kind::Registry || registry.dead) continue;
      std::vector<HeapId> values;
      for (const CellRecord& cell : registry.cells) {
        const std::optional<HeapId> t = HeapIdOf(cell.target);
        if (cell.state == CellRecord::State::Active && t && inS[*t] &&
            std::find(values.begin(), values.end(), *t) == values.end()) {
          values.push_back(*t);
        }
      }
      for (std::uint32_t jobs =
               JobsEnqueuedFor(op.gcEnqueue, static_cast<std::uint32_t>(values.size()));
           jobs > 0; --jobs) {
        pendingJobs_.push_back(PendingJob{nextJobSerial_++, id, op.gcHold == JobHold::Strong});
      }
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
  // job pending that holds them. Edges: links, active cells' heldValues and what a
  // registry's callback captures. With `weakCandidates` (a collected set to judge), also
  // what that set's collection leaves observable: WeakRef targets outside it and
  // registries outside it. Otherwise WeakRefs never keep anything (an engine may have
  // collected the target together with its WeakRef's other holders).
  // `jobs`: more registries to treat as having a job pending.
  Reachability Reach(const std::vector<bool>* weakCandidates = nullptr,
                     const std::vector<HeapId>* jobs = nullptr,
                     bool throughRunningJobs = true) const {
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
    const std::vector<Value>& handles = handles_.Assigned();
    for (std::size_t h = 0; h < handles.size(); ++h) {
      reach(handles[h], Step::From::Handle, static_cast<std::uint32_t>(h));
    }
    for (const Value& v : keptAlive_) reach(v, Step::From::KeptAlive, 0);
    for (const Value& v : callbackArguments_) reach(v, Step::From::CallbackArgument, 0);
    for (std::size_t i = 0; throughRunningJobs && i < runningJobs_.size(); ++i) {
      reach(ObjectRef{runningJobs_[i]}, Step::From::RunningJob, 0);
    }
    for (const PendingJob& job : pendingJobs_) {
      if (job.holdsRegistry) reach(ObjectRef{job.registry}, Step::From::PendingJob, 0);
    }
    for (std::size_t i = 0; jobs != nullptr && i < jobs->size(); ++i) {
      reach(ObjectRef{(*jobs)[i]}, Step::From::PendingJob, 0);
    }
    // A registry a gc leaves alive may still run its callback (see the model's MarkLive).
    for (HeapId id = 0; weakCandidates != nullptr && id < things_.size(); ++id) {
      const Thing& registry = things_[id];
      if (registry.kind == Thing::Kind::Registry && !registry.dead && !(*weakCandidates)[id]) {
        reach(ObjectRef{id}, Step::From::KeptRegistry, 0);
      }
    }
    // An entry's value once both its map and its key are reached (the ephemeron, as in
    // the model's MarkLive): followed each time the other edges run out.
    const auto reachEntries = [&] {
      for (HeapId id = 0; id < things_.size(); ++id) {
        if (!r.reached[id]) continue;
        for (const auto& [key, value] : things_[id].entries) {
          if (IsReachable(r, key)) reach(value, Step::From::Entry, id);
        }
      }
    };
    do {
      while (!work.empty()) {
        const HeapId id = work.back();
        work.pop_back();
        const Thing& thing = things_[id];
        for (const Value& v : thing.refs) reach(v, Step::From::Link, id);
        for (const CellRecord& cell : thing.cells) {
          if (cell.state == CellRecord::State::Active) reach(cell.held, Step::From::HeldValue, id);
        }
        for (const Value& v : thing.captures) reach(v, Step::From::Capture, id);
        const std::optional<HeapId> target = HeapIdOf(thing.weakRefTarget);
        // A WeakRef whose target died is cleared: it leads nowhere.
        if (weakCandidates != nullptr && target && !(*weakCandidates)[*target] &&
            !things_[*target].dead) {
          reach(thing.weakRefTarget, Step::From::WeakRef, id);
        }
      }
      reachEntries();
    } while (!work.empty());
    return r;
  }

  // What must have been alive all along: an engine may run the job of a registry it
  // collected together with targets of its cells (invariant 9 binds only the model), so
  // what only a running job's registry reaches may have died.
  Reachability ReachBeyondRunningJobs() const { return Reach(nullptr, nullptr, false); }

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
    if (std::holds_alternative<IterationRef>(operand)) {
      return iteration_ ? Value{static_cast<double>(*iteration_)} : Value{Undefined{}};
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
        CheckNewRegistry(op, result);
        break;
      case OpKind::NewWeakRef: {
        const Value target = Arg(op, 0);
        if (!Weak(target)) {
          RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments,
                           [&] { return "new WeakRef(" + ToText(target) + ")"; });
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
      case OpKind::NewWeakMap:
        Allocated(op, result, Thing{.kind = Thing::Kind::WeakMap}, false);
        break;
      case OpKind::NewWeakSet:
        Allocated(op, result, Thing{.kind = Thing::Kind::WeakSet}, false);
        break;
      case OpKind::WeakMapSet:
      case OpKind::WeakMapGet:
      case OpKind::WeakHas:
      case OpKind::WeakDelete:
      case OpKind::WeakSetAdd:
        CheckWeakCollection(op, result);
        break;
      case OpKind::Then:
        promiseJobs_.push_back(&op);
        [[fallthrough]];
      case OpKind::Drop:
      case OpKind::Gc:
      case OpKind::Turn:
      case OpKind::Repeat:
        if (result.type != Completion::Type::Normal) Mismatch(&op, "this op cannot fail");
        break;
      case OpKind::Throw: {
        const bool fires = op.args.empty() || SameValue(Arg(op, 0), Evaluate(HeldRef{}));
        if ((result.type == Completion::Type::Throw) != fires) Mismatch(&op, "throw misfired");
        break;
      }
    }
    if (op.dest && result.type == Completion::Type::Normal) handles_.Set(*op.dest, result.value);
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

  void CheckNewRegistry(const Op& op, const Completion& result) {
    const auto call = [&] {
      const std::string callback = op.registryCallbackArg ? ToText(Arg(op, 0)) : "cb";
      return op.registryNewTarget == RegistryNewTarget::Undefined
                 ? fmt::format("FinalizationRegistry({})", callback)
             : op.registryNewTarget == RegistryNewTarget::Throwing
                 ? fmt::format("Reflect.construct(FinalizationRegistry, [{}], newTarget)", callback)
                 : fmt::format("new FinalizationRegistry({})", callback);
    };
    // The constructor's checks, in its order (docs/SEMANTICS.md: steps 1-3): no NewTarget,
    // then a callback that is not a function (no .fr value is), then the prototype read
    // from NewTarget.
    if (op.registryNewTarget == RegistryNewTarget::Undefined || op.registryCallbackArg) {
      return RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments, call);
    }
    if (op.registryNewTarget == RegistryNewTarget::Throwing) {
      if (result.type != Completion::Type::NewTargetError) {
        Report(Invariant::TypeErrorExactlyForBadArguments, &op,
               fmt::format("{} gave {}; it throws what reading newTarget.prototype throws",
                           call(), CompletionToText(result)));
      }
      return;
    }
    std::vector<Value> captures;
    for (std::size_t i = 0; i < op.args.size(); ++i) captures.push_back(Arg(op, i));
    Allocated(op, result,
              Thing{.kind = Thing::Kind::Registry,
                    .callback = &op.body,
                    .asyncCallback = op.registryAsync,
                    .captures = captures},
              false);
  }

  void CheckDeref(const Op& op, const Completion& result) {
    const Value weakRefValue = Arg(op, 0);
    Thing* weakRef = ThingOf(weakRefValue, Thing::Kind::WeakRef);
    if (weakRef == nullptr) {
      RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments,
                       [&] { return ToText(weakRefValue) + ".deref()"; });
      return;
    }
    const Value target = weakRef->weakRefTarget;
    if (result.type == Completion::Type::Normal && SameValue(result.value, target)) {
      const std::optional<HeapId> id = HeapIdOf(target);
      if (id && things_[*id].dead) {
        Record(Invariant::WeakRefConsistencyAndKeptAlive, &op,
               fmt::format("deref returned {}, which was already collected (a callback "
                           "ran or a WeakRef was cleared)",
                           ToText(target)),
               !things_[*id].derefFoundCollected);
      }
      if (ledger_ != nullptr && id) ledger_->DerefAnswered(*id, next_ - 1, op.line);
      keptAlive_.push_back(target);  // AddToKeptObjects
    } else if (result.type == Completion::Type::Normal &&
               std::holds_alternative<Undefined>(result.value)) {
      const Reachability reach = Reach();
      if (IsReachable(reach, target)) {
        Report(Invariant::WeakRefConsistencyAndKeptAlive, &op,
               fmt::format("deref returned undefined while its target {} is reachable ({})",
                           ToText(target), WhyReachable(reach, target)));
      }
      MarkDead(target);
      if (const std::optional<HeapId> id = HeapIdOf(target); id && *id < things_.size()) {
        things_[*id].derefFoundCollected = true;
        if (ledger_ != nullptr) ledger_->Collected(*id, next_ - 1);
      }
    } else if (result.type != Completion::Type::Normal) {
      Report(Invariant::TypeErrorExactlyForBadArguments, &op,
             fmt::format("{}.deref() threw {}; it is a WeakRef", ToText(weakRefValue),
                         CompletionToText(result)));
    } else {
      ReportChoiceFree(Invariant::WeakRefConsistencyAndKeptAlive, &op,
             fmt::format("deref returned {}, neither its target {} nor undefined",
                         CompletionToText(result), ToText(target)));
    }
  }

  void CheckRegister(const Op& op, const Completion& result) {
    const Value registryValue = Arg(op, 0), target = Arg(op, 1), held = Arg(op, 2),
                token = Arg(op, 3);
    const auto call = [&] {
      return fmt::format("{}.register({}, {}, {})", ToText(registryValue), ToText(target),
                         ToText(held), ToText(token));
    };
    Thing* registry = ThingOf(registryValue, Thing::Kind::Registry);
    // The spec's checks, in its order (docs/SEMANTICS.md: register steps 2-5).
    if (registry == nullptr || !Weak(target))
      return RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments, call);
    if (SameValue(target, held))
      return RequireTypeError(op, result, Invariant::RegisterRejectsTargetEqualsHeldValue, call);
    if (!Weak(token) && !std::holds_alternative<Undefined>(token)) {
      return RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments, call);
    }
    if (result.type != Completion::Type::Normal) {
      return Report(Invariant::TypeErrorExactlyForBadArguments, &op,
                    fmt::format("{} threw a TypeError; its arguments are valid", call()));
    }
    const std::optional<Value> cellToken = Weak(token) ? std::optional(token) : std::nullopt;
    if (ledger_ != nullptr) {
      ledger_->Register(*HeapIdOf(registryValue), target, held, cellToken, next_ - 1, op.line);
    }
    registry->cells.push_back(CellRecord{.target = target,
                                         .held = held,
                                         .token = cellToken,
                                         .state = CellRecord::State::Active,
                                         .line = op.line});
  }

  void CheckUnregister(const Op& op, const Completion& result) {
    const Value registryValue = Arg(op, 0), token = Arg(op, 1);
    const auto call = [&] {
      return fmt::format("{}.unregister({})", ToText(registryValue), ToText(token));
    };
    Thing* registry = ThingOf(registryValue, Thing::Kind::Registry);
    if (registry == nullptr || !Weak(token))
      return RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments, call);
    if (result.type != Completion::Type::Normal) {
      return Report(Invariant::TypeErrorExactlyForBadArguments, &op,
                    fmt::format("{} threw a TypeError; its arguments are valid", call()));
    }
    if (const auto* answer = std::get_if<bool>(&result.value); answer && ledger_ != nullptr) {
      ledger_->Unregister(*HeapIdOf(registryValue), token, *answer, next_ - 1, &op);
    }
    // Every cell still in [[Cells]] with that token goes, delivered or not yet.
    bool removed = false, allOutlivedThrow = true;
    std::optional<Reachability> reach;
    for (CellRecord& cell : registry->cells) {
      if (cell.state == CellRecord::State::Active && HasToken(cell, token)) {
        if (!reach) reach = ReachBeyondRunningJobs();
        cell.unregisteredAfterDeath = IsDead(cell.target) || !IsReachable(*reach, cell.target);
        cell.state = CellRecord::State::Unregistered;
        removed = true;
        allOutlivedThrow = allOutlivedThrow && cell.outlivedThrow;
      }
    }
    if (!SameValue(result.value, Value{removed})) {
      // Cells that a throwing callback should have left registered are gone.
      const bool lostToThrow = removed && allOutlivedThrow;
      Report(lostToThrow ? Invariant::ThrowingCallbackLosesNoCell
                         : Invariant::UnregisterResultAndReach,
             &op,
             fmt::format("{} returned {}; {}", call(), CompletionToText(result),
                         removed ? "it had cells with that token to remove: true"
                                 : "no cell with that token was left: false"));
    }
  }

  static bool HasToken(const CellRecord& cell, const Value& token) {
    return cell.token && SameValue(*cell.token, token);
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

  // WeakMap's and WeakSet's methods (docs/SEMANTICS.md section 4, Ephemerons): each
  // throws a TypeError for a receiver without its internal slot, set and add also for a
  // key CanBeHeldWeakly refuses; every other answer follows from the entries the
  // program's own ops made, while the key lives (Execution steps 1.c and 1.d take an
  // entry only with its key).
  void CheckWeakCollection(const Op& op, const Completion& result) {
    const Value receiver = Arg(op, 0), key = Arg(op, 1);
    const bool set = IsWeakSetOp(op, receiver);
    Thing* collection = ThingOf(receiver, set ? Thing::Kind::WeakSet : Thing::Kind::WeakMap);
    const auto call = [&] {
      return fmt::format("{}.{}({}{})", ToText(receiver), OpKindName(op.kind), ToText(key),
                         op.kind == OpKind::WeakMapSet ? ", " + ToText(Arg(op, 2)) : "");
    };
    const bool adds = op.kind == OpKind::WeakMapSet || op.kind == OpKind::WeakSetAdd;
    if (collection == nullptr || (adds && !Weak(key))) {
      return RequireTypeError(op, result, Invariant::TypeErrorExactlyForBadArguments, call);
    }
    if (result.type != Completion::Type::Normal) {
      return Report(Invariant::TypeErrorExactlyForBadArguments, &op,
                    fmt::format("{} threw {}; its arguments are valid", call(),
                                CompletionToText(result)));
    }
    auto& entries = collection->entries;
    const auto entry = std::find_if(entries.begin(), entries.end(),
                                    [&](const auto& e) { return SameValue(e.first, key); });
    const bool present = entry != entries.end();  // set and add keep only weak keys
    Value expected = Undefined{};
    switch (op.kind) {
      case OpKind::WeakMapSet:
      case OpKind::WeakSetAdd:
        expected = receiver;
        if (present) {
          entry->second = Arg(op, 2);
        } else {
          entries.emplace_back(key, op.kind == OpKind::WeakMapSet ? Arg(op, 2) : Value{Undefined{}});
        }
        break;
      case OpKind::WeakMapGet: expected = present ? entry->second : Value{Undefined{}}; break;
      case OpKind::WeakHas: expected = present; break;
      case OpKind::WeakDelete:
        expected = present;
        if (present) entries.erase(entry);
        break;
      default: break;
    }
    // A key the trace showed collected took its entry with it: then "not there" is right.
    const bool lostWithKey = present && !adds && IsDead(key) &&
                             (std::holds_alternative<Undefined>(result.value) ||
                              SameValue(result.value, Value{false}));
    if (!SameValue(result.value, expected) && !lostWithKey) {
      Report(Invariant::WeakRefConsistencyAndKeptAlive, &op,
             fmt::format("{} returned {}; {}", call(), CompletionToText(result),
                         adds      ? "it returns its this value"
                         : present ? "the entry for that key was there, and its key lives"
                                   : "no entry had that key"));
    }
  }

  // `has` and `delete` call WeakSet's method on a WeakSet, else WeakMap's.
  bool IsWeakSetOp(const Op& op, const Value& receiver) {
    if (op.kind == OpKind::WeakSetAdd) return true;
    if (op.kind != OpKind::WeakHas && op.kind != OpKind::WeakDelete) return false;
    return ThingOf(receiver, Thing::Kind::WeakSet) != nullptr;
  }

  // `call` spells the call for a report, only when there is one: most ops are fine,
  // and formatting their values each time cost a fuzz target several per cent.
  template <typename Call>
  void RequireTypeError(const Op& op, const Completion& result, Invariant invariant,
                        const Call& call) {
    if (result.type != Completion::Type::TypeError) {
      Report(invariant, &op, fmt::format("{} returned {} instead of throwing a TypeError", call(),
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
      } else if (std::holds_alternative<ExpectNewTargetError>(e.what)) {
        if (result.type != Completion::Type::NewTargetError) {
          failure = "expected NewTargetError, got " + CompletionToText(result);
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
        violations_.push_back(Violation{Invariant::Expectation, failure, &op, e.line});
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

  // --- the search ---

  std::size_t Choose(std::size_t options) { return choices_.Choose(options, StateKey()); }

  // Everything the rest of the walk depends on: where it is in the trace and every book
  // it keeps (the walk's place in the program follows from its place in the trace).
  std::uint64_t StateKey() const {
    StateHash hash;
    const auto add = [&](auto x) { hash.Add(x); };
    add(next_);
    hash.Add(handles_);
    add(things_.size());
    for (const Thing& thing : things_) {
      add(thing.dead);
      add(thing.refs);
      add(thing.captures);
      for (const auto& [key, value] : thing.entries) {
        add(key);
        add(value);
      }
      add(thing.cells.size());
      for (const CellRecord& cell : thing.cells) {
        add(static_cast<std::uint64_t>(cell.state) * 4 + cell.outlivedThrow * 2 +
            cell.unregisteredAfterDeath);
      }
    }
    add(keptAlive_);
    add(callbackArguments_);
    for (HeapId id : runningJobs_) add(id);
    for (const PendingJob& job : pendingJobs_) {
      add(std::uint64_t{job.registry} * 2 + job.holdsRegistry);
    }
    add(callbacks_);
    // Jobs the search split off count too (throwsIn_ follows from next_ alone).
    for (const auto& [registry, jobs] : jobsRun_) add(std::uint64_t{registry} << 32 | jobs);
    add(reportsCollections_);
    for (bool b : unreachableAtLastFullGc_) add(b);
    if (turn_ != nullptr) {
      for (const auto& [registry, held] : turn_->calls) add(registry);
      for (const PendingJob& job : turn_->pendingAtStart) add(job.registry);
      for (bool dead : turn_->deadAtStart) add(dead);
      for (HeapId id : turn_->threwIn) add(id);
      add(turn_->checkpointOver);
    }
    for (const Op* then : promiseJobs_) add(reinterpret_cast<std::uintptr_t>(then));
    return hash.Get();
  }

  // --- reporting ---

  void Report(Invariant invariant, const Op* op, std::string message) {
    Record(invariant, op, std::move(message), DependsOnChoices(invariant));
  }

  // A violation of an invariant that usually depends on the choices, in a case the trace
  // alone shows (a heldValue no cell ever had): it ends no run of the search, and a search
  // that gives up undecided still reports it.
  void ReportChoiceFree(Invariant invariant, const Op* op, std::string message) {
    Record(invariant, op, std::move(message), false);
  }

  void Record(Invariant invariant, const Op* op, std::string message, bool dependsOnChoices) {
    if (mode_ == Mode::ReportChoiceFree && dependsOnChoices) return;
    violations_.push_back(Violation{invariant, std::move(message), op, op ? op->line : 0});
    if (mode_ == Mode::Search && dependsOnChoices) {
      failedAt_ = next_;
      throw BranchFailed{};
    }
  }

  [[noreturn]] void Mismatch(const Op* op, const std::string& message) {
    Report(Invariant::TraceMismatch, op, message);
    throw TraceMismatch{};
  }

  const Trace& trace_;
  const CheckOptions& options_;
  Choices& choices_;
  const Mode mode_;
  Attribution* const ledger_;
  const Attribution* const attribution_;
  std::vector<std::optional<Attribution::CellRef>> delivered_;  // per callback, in order
  std::size_t failedAt_ = SIZE_MAX;
  TurnState* turn_ = nullptr;  // the turn being walked, if any
  std::size_t next_ = 0;
  Handles handles_;
  std::vector<Thing> things_;
  std::vector<Value> keptAlive_;
  std::vector<Value> callbackArguments_;
  std::optional<std::uint32_t> iteration_;  // of the repeat being checked, if one is
  std::vector<HeapId> runningJobs_;
  std::vector<PendingJob> pendingJobs_;  // from collection reports, oldest first
  std::vector<const Op*> promiseJobs_;  // the thens whose promise jobs have not run, oldest first
  std::map<HeapId, int> jobsRun_;        // per registry
  std::map<HeapId, int> throwsIn_;       // per registry: its callbacks that threw
  std::uint64_t nextJobSerial_ = 0;
  int callbacks_ = 0;  // past the program's budget the model stops jobs: no completeness
  int callbackBudget_ = kDefaultCallbackBudget;
  // The trace reports what each gc collected (the model's do; an engine's cannot), so
  // a target not reported collected is alive.
  bool reportsCollections_ = false;
  std::vector<bool> unreachableAtLastFullGc_;  // with completeAtEnd
  std::vector<Violation> violations_;
};

}  // namespace

// A depth-first search over the hidden choices: the trace is accepted iff some run
// breaks no invariant that depends on them. When every run does, the report is that of
// the run that went furthest before its first such violation (the best explanation on
// offer), with everything that holds whatever was chosen.
std::vector<Violation> CheckTrace(const Program& program, const Trace& trace,
                                  const CheckOptions& options, CheckStats* stats) {
  CheckStats local;
  CheckStats& counts = stats != nullptr ? *stats : local;
  counts = CheckStats{};
  Choices choices;
  std::optional<Attribution> attribution;  // built once the first walk fails
  std::vector<std::size_t> best;
  std::size_t bestFailedAt = 0;
  for (;;) {
    Checker checker(trace, options, choices, Checker::Mode::Search, nullptr,
                    attribution ? &*attribution : nullptr);
    std::vector<Violation> violations = checker.Run(program);
    ++counts.runs;
    if (checker.FailedAt() == SIZE_MAX) return violations;  // only choice-free ones, if any
    if (counts.runs == 1 || checker.FailedAt() > bestFailedAt) {
      bestFailedAt = checker.FailedAt();
      best.clear();
      for (const Choices::Taken& t : choices.taken) best.push_back(t.option);
    }
    if (!attribution) {
      // The likeliest choices failed: ask the matching whether any attribution can fit.
      // It walks once to the end for the facts, reporting what no choice changes.
      attribution.emplace();
      Choices none;
      std::vector<Violation> choiceFree =
          Checker(trace, options, none, Checker::Mode::ReportChoiceFree, &*attribution).Run(program);
      ++counts.runs;
      std::vector<Violation> refuted = attribution->Refute();
      if (!refuted.empty()) {
        counts.refuted = true;
        for (Violation& v : refuted) choiceFree.push_back(std::move(v));
        return choiceFree;
      }
    }
    if (!choices.Backtrack()) break;
    if (options.maxRuns > 0 && counts.runs >= options.maxRuns) {
      counts.undecided = true;
      break;
    }
  }
  Choices replay{.prefix = std::move(best)};
  // Undecided: report only what no choice could change.
  return Checker(trace, options, replay,
                 counts.undecided ? Checker::Mode::ReportChoiceFree : Checker::Mode::ReportAll)
      .Run(program);
}

std::string_view InvariantName(Invariant invariant) {
  switch (invariant) {
    case Invariant::TraceMismatch: return "trace mismatch";
    case Invariant::Expectation: return "expectation";
    case Invariant::NoCallbackForUnregisteredCell: return "no callback for an unregistered cell";
    case Invariant::RegisterRejectsTargetEqualsHeldValue:
      return "register rejects target === heldValue";
    case Invariant::TypeErrorExactlyForBadArguments: return "TypeError exactly for bad arguments";
    case Invariant::NoCallbackWhileTargetReachable:
      return "no callback while the target is reachable";
    case Invariant::OneCallbackPerCellWithItsHeldValue:
      return "one callback per cell, with its heldValue";
    case Invariant::CallbacksOnlyFromCleanupJobs: return "callbacks only from cleanup jobs";
    case Invariant::UnregisterResultAndReach: return "unregister's result and reach";
    case Invariant::TokensTargetsWeakHeldValuesStrong:
      return "tokens and targets weak, heldValues strong";
    case Invariant::CollectedRegistryDeliversNothing:
      return "a collected registry delivers nothing";
    case Invariant::WeakRefConsistencyAndKeptAlive: return "WeakRef consistency and KeptAlive";
    case Invariant::ThrowingCallbackLosesNoCell: return "a throwing callback loses no cell";
    case Invariant::Completeness: return "completeness";
  }
  return "unknown invariant";
}

std::string InvariantId(Invariant invariant) {
  if (!IsNumbered(invariant)) return std::string(InvariantName(invariant));
  return fmt::format("invariant {}", InvariantNumber(invariant));
}

std::string InvariantLabel(Invariant invariant) {
  if (!IsNumbered(invariant)) return InvariantId(invariant);
  return fmt::format("{} ({})", InvariantId(invariant), InvariantName(invariant));
}

std::string FormatViolation(const Violation& v, std::string_view file, ViolationStyle style) {
  std::string where;
  if (!file.empty()) {
    where = v.line > 0 ? fmt::format("{}:{}: ", file, v.line) : fmt::format("{}: ", file);
  } else if (v.line > 0) {
    where = fmt::format("line {}: ", v.line);
  }
  if (style == ViolationStyle::Tagged) {
    return fmt::format("[{} {}] {}{}", InvariantNumber(v.invariant), InvariantName(v.invariant),
                       where, v.message);
  }
  return fmt::format("{}{}: {}", where, InvariantLabel(v.invariant), v.message);
}

}  // namespace finrig
