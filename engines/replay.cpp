#include "engines/replay.h"

#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "model/host.h"
#include "model/model.h"
#include "model/search.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

using model::Collection;
using model::Job;

// A run reproduced every event of a partial trace: nothing after it can be compared.
struct Reached {};

// What an engine's trace shows (docs/WIRE.md): ops' results, callbacks and promise
// jobs, not the collections nor where cleanup jobs begin and end (the wire reader
// guesses those).
bool Observable(const Event& event) {
  return std::holds_alternative<OpDone>(event) || std::holds_alternative<CallbackBegin>(event) ||
         std::holds_alternative<CallbackEnd>(event) ||
         std::holds_alternative<PromiseJobBegin>(event) ||
         std::holds_alternative<PromiseJobEnd>(event);
}

bool Same(const Event& a, const Event& b) {
  if (a.index() != b.index()) return false;
  if (const auto* x = std::get_if<OpDone>(&a)) {
    const auto& y = std::get<OpDone>(b);
    return x->op == y.op && x->result.type == y.result.type &&
           SameValue(x->result.value, y.result.value);
  }
  if (const auto* x = std::get_if<CallbackBegin>(&a)) {
    const auto& y = std::get<CallbackBegin>(b);
    return x->registry == y.registry && SameValue(x->held, y.held);
  }
  if (const auto* x = std::get_if<PromiseJobBegin>(&a)) return x->then == std::get<PromiseJobBegin>(b).then;
  if (const auto* x = std::get_if<PromiseJobEnd>(&a)) return x->threw == std::get<PromiseJobEnd>(b).threw;
  return std::get<CallbackEnd>(a).threw == std::get<CallbackEnd>(b).threw;
}

std::string Describe(const Event& event, const std::map<const Op*, std::string>& paths) {
  if (const auto* done = std::get_if<OpDone>(&event)) {
    return fmt::format("`{}` (op {}) gives {}", PrintOpHead(*done->op), paths.at(done->op),
                       CompletionToText(done->result));
  }
  if (const auto* begin = std::get_if<CallbackBegin>(&event)) {
    return fmt::format("a callback @{}({})", begin->registry, ToText(begin->held));
  }
  if (const auto* begin = std::get_if<PromiseJobBegin>(&event)) {
    return fmt::format("the promise job of `then` (op {})", paths.at(begin->then));
  }
  if (const auto* end = std::get_if<PromiseJobEnd>(&event)) {
    return end->threw ? "the promise job throws" : "the promise job returns";
  }
  return std::get<CallbackEnd>(event).threw ? "the callback throws" : "the callback returns";
}

// The host's calls, to tell apart points of a run where the model's state is the same.
enum class Call : char {
  Gc = 'g',
  Spontaneous = 's',
  Jobs = 'j',
  Holds = 'h',
  AfterLast = 'a',
  BeginTurn = 'b',
  NextJob = 'n',
  Cell = 'c',
  Repost = 'r',
  ClearKept = 'k',
  CleanupFirst = 'f',
};

// One run's host: each choice as `choices` says, after comparing what the model did
// since the last call with the engine's trace. A run that leaves the trace is cut there
// (BranchFailed), as is one whose collection took nothing: its first option, to collect
// nothing, covers it.
class ReplayHost final : public model::Host {
 public:
  ReplayHost(const Program& program, const std::vector<const Event*>& engine,
             const ReplayOptions& options, Choices& choices, const Trace& model)
      : program_(program), engine_(engine), options_(options), choices_(choices), model_(model) {}

  void Attach(const model::Agent& agent) { agent_ = &agent; }

  Collection GcOp(const Op& op, std::size_t) override {
    if (options_.promised && op.gcOnly.empty() && callbacks_ == 0) return CollectAll();
    return Collect(Call::Gc).value_or(Collection{});
  }
  std::optional<Collection> Spontaneous(std::size_t) override { return Collect(Call::Spontaneous); }
  // One job first, then none (never where delivery was promised: a job left out would
  // let a model that runs a dead registry's job keep it from view), then two and more.
  std::uint32_t JobsToEnqueue(HeapId, std::uint32_t values) override {
    if (options_.promised) return static_cast<std::uint32_t>(1 + Choose(Call::Jobs, values));
    const std::size_t option = Choose(Call::Jobs, values + 1);
    return static_cast<std::uint32_t>(option == 0 ? 1 : option == 1 ? 0 : option);
  }
  bool JobHoldsRegistry(HeapId) override { return Choose(Call::Holds, 2) == 0; }
  bool TurnAfterTheLastOp() override { return Choose(Call::AfterLast, 2) == 1; }
  void BeginTurn(const Op&, const std::vector<Job>&) override { Observe(Call::BeginTurn); }
  std::optional<std::size_t> NextJob(const std::vector<Job>& queue) override {
    const std::size_t option = Choose(Call::NextJob, queue.size() + 1);
    return option < queue.size() ? std::optional(option) : std::nullopt;
  }
  std::optional<std::size_t> ChooseCell(const std::vector<std::size_t>& empty,
                                        std::uint32_t) override {
    const std::size_t option = Choose(Call::Cell, empty.size() + 1);
    return option < empty.size() ? std::optional(option) : std::nullopt;
  }
  bool RepostAfterThrow(HeapId) override {
    if (options_.letter) {
      Observe(Call::Repost);
      return false;
    }
    return Choose(Call::Repost, 2) == 1;
  }
  bool ClearKeptObjectsBeforePromiseJobs() override { return Choose(Call::ClearKept, 2) == 1; }
  bool CleanupJobBeforePromiseJobs() override { return Choose(Call::CleanupFirst, 2) == 1; }

  // After the run: the engine's trace must have been matched to its end, and what the
  // engine promised kept.
  void Finish() {
    Compare();
    if (matched_ < engine_.size()) Leave("the end of the run");
    // The model's own account: a faulty model owes callbacks for what it wrongly took,
    // and runs the jobs it wrongly keeps. (It also owes them for a target that died
    // after the last full gc, in a gc op of a callback, which the checker does not ask
    // of the engine; the replay collects there only where the engine's trace shows a
    // death.)
    if (options_.promised && agent_->OwesCleanup()) {
      Leave("the end, with cleanup still owed");
    }
  }

  std::size_t Matched() const { return matched_; }
  const std::string& LeftWith() const { return leftWith_; }

 private:
  // Everything nothing reaches, but for registries the engine may keep: SpiderMonkey
  // keeps one while a target of its cells lives (its records point back to it), and a
  // kept registry keeps its heldValues.
  Collection CollectAll() {
    Observe(Call::Gc);
    std::vector<HeapId> values = agent_->Unreachable();
    std::erase_if(values, [&](HeapId id) {
      return agent_->IsRegistryOfLiveTargets(id) && Choose(Call::Gc, 2) == 1;
    });
    return Collection{.only = std::move(values)};
  }

  // Nothing, or the least collection that takes one value whose death can be seen.
  std::optional<Collection> Collect(Call call) {
    Compare();
    const std::vector<HeapId> values = agent_->ObservablyCollectable();
    const std::size_t option = Choose(call, values.size() + 1);
    if (option == 0) return std::nullopt;
    collecting_ = true;
    return Collection{.only = agent_->SmallestCollectionWith(values[option - 1])};
  }

  std::size_t Choose(Call call, std::size_t options) {
    Observe(call);
    if (options == 1) return 0;
    StateHash state;
    state.Add(agent_->Fingerprint());
    state.Add(path_.Get());
    for (char c : since_) state.Add(static_cast<unsigned char>(c));
    const std::size_t option = choices_.Choose(options, state.Get());
    // The next choice may come before the model changes (CollectAll decides for each
    // registry before collecting any): what was chosen is part of where the run is, or
    // a failed "collect A, then B?" would also fail "keep A, then B?".
    since_ += std::to_string(option) + '.';
    return option;
  }

  void Observe(Call call) {
    Compare();
    since_.push_back(static_cast<char>(call));
  }

  // The model's events since the last call, against the engine's.
  void Compare() {
    for (; compared_ < model_.events.size(); ++compared_) {
      const Event& event = model_.events[compared_];
      if (const auto* collected = std::get_if<Collected>(&event)) {
        if (std::exchange(collecting_, false) && collected->ids.empty()) throw BranchFailed{};
        continue;
      }
      // Where the run is: the events so far, job boundaries included.
      path_.Add(event.index());
      if (const auto* begin = std::get_if<JobBegin>(&event)) path_.Add(begin->registry);
      if (const auto* end = std::get_if<JobEnd>(&event)) path_.Add(end->abrupt);
      since_.clear();
      if (!Observable(event)) continue;
      if (std::holds_alternative<CallbackBegin>(event)) ++callbacks_;
      if (std::holds_alternative<CallbackEnd>(event)) --callbacks_;
      if (matched_ == engine_.size()) {
        if (options_.partial) throw Reached{};
        Leave(event);
      }
      if (!Same(event, *engine_[matched_])) Leave(event);
      ++matched_;
    }
    if (options_.partial && matched_ == engine_.size()) throw Reached{};
  }

  void Leave(const Event& event) { Leave(Describe(event, Paths())); }
  void Leave(std::string what) {
    leftWith_ = std::move(what);
    throw BranchFailed{};
  }
  const std::map<const Op*, std::string>& Paths() {
    if (paths_.empty()) paths_ = OpPaths(program_);
    return paths_;
  }

  const Program& program_;
  const std::vector<const Event*>& engine_;
  const ReplayOptions& options_;
  Choices& choices_;
  const Trace& model_;
  const model::Agent* agent_ = nullptr;
  std::size_t compared_ = 0;
  std::size_t matched_ = 0;
  int callbacks_ = 0;  // running, innermost last: a gc op among them is not top-level
  StateHash path_;
  std::string since_;         // the calls since the last event
  bool collecting_ = false;   // a collection of one value is under way
  std::string leftWith_;
  std::map<const Op*, std::string> paths_;
};

// The top-level op the engine was running at its `position`-th observable event.
const Op* TopLevelOpAt(const std::vector<const Event*>& engine, std::size_t position) {
  int depth = 0;
  for (std::size_t i = 0; i < engine.size(); ++i) {
    const Event& event = *engine[i];
    if (std::holds_alternative<CallbackBegin>(event)) ++depth;
    if (std::holds_alternative<CallbackEnd>(event)) --depth;
    if (const auto* done = std::get_if<OpDone>(&event); done && depth == 0 && i >= position) {
      return done->op;
    }
  }
  return nullptr;
}

}  // namespace

Replay ReplayOnModel(const Program& program, const Trace& engine, const ReplayOptions& options) {
  std::vector<const Event*> observed;
  for (const Event& event : engine.events) {
    if (Observable(event)) observed.push_back(&event);
  }
  Replay replay;
  Choices choices;
  std::set<std::string> closest;
  for (;;) {
    Trace trace;
    ReplayHost host(program, observed, options, choices, trace);
    model::Agent agent(options.profile, options.faults, trace, host, program.callbackBudget);
    host.Attach(agent);
    ++replay.runs;
    try {
      agent.RunTopLevel(program.ops);
      host.Finish();
      replay.outcome = Replay::Outcome::Reproduced;
      return replay;
    } catch (const Reached&) {
      replay.outcome = Replay::Outcome::Reproduced;
      return replay;
    } catch (const BranchFailed&) {
      if (!host.LeftWith().empty()) {
        if (host.Matched() > replay.matched) {
          replay.matched = host.Matched();
          closest.clear();
        }
        if (host.Matched() == replay.matched && closest.size() < 3) closest.insert(host.LeftWith());
      }
    }
    if (!choices.Backtrack()) break;
    if (replay.runs >= options.maxRuns) return replay;  // Undecided
  }
  replay.outcome = Replay::Outcome::Impossible;
  replay.op = TopLevelOpAt(observed, replay.matched);
  replay.engineEvent = replay.matched < observed.size()
                           ? Describe(*observed[replay.matched], OpPaths(program))
                           : "the end of the run";
  for (const std::string& what : closest) {
    replay.modelEvents += replay.modelEvents.empty() ? what : "; or " + what;
  }
  return replay;
}

}  // namespace finrig::engines
