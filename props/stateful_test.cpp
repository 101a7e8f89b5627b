// A stateful model-based test: the system under test is the reference model itself
// (model::Agent), stepped one op per RapidCheck command, and what it shows after each
// op (the op's result, a gc's Collected ids, a turn's jobs and callbacks) must equal
// what a much simpler model predicts.
//
// The simple model is restricted so that it needs no graph reachability:
//   - h0..h3 hold registries (with empty callbacks) or nothing; h4..h9 hold plain
//     objects or nothing; there are no links, no WeakRefs, no symbols;
//   - targets are object handles, heldValues are the strings "v0".."v9" (primitives:
//     they keep nothing alive), tokens are object handles or absent.
// So an object is alive iff a handle holds it, and a registry iff a handle holds it or
// a pending cleanup job is owed to it. Every `object` / `registry` op allocates the next
// heap id, so the simple model's ids are the heap ids.
//
// Teeth: with a fault injected into the Agent, the same check finds a counterexample.
#include <algorithm>
#include <array>
#include <deque>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include "model/model.h"
#include "model/text.h"
#include "props/teeth.h"

namespace finrig::props {
namespace {

constexpr int kRegistryHandles = 4;  // h0..h3
constexpr int kFirstObjectHandle = 4;
constexpr int kHandles = 10;  // h0..h9; h4..h9 hold objects
constexpr int kHeldValues = 10;  // "v0".."v9"
// Command sequences are up to this many times RapidCheck's size (100 by default) long.
constexpr double kLengthScale = 3.0;

// ---------------------------------------------------------------------------------
// The simple model.

struct SimpleCell {
  HeapId registry;
  HeapId target;
  std::string held;
  std::optional<HeapId> token;  // nullopt: registered without a token (empty)
  bool targetEmpty = false;     // the target was collected; not yet delivered
};

struct SimpleModel {
  std::array<std::optional<HeapId>, kHandles> handles{};
  std::vector<bool> isRegistry;  // by heap id; size is the next heap id
  std::vector<bool> collected;   // by heap id
  std::vector<SimpleCell> cells;  // every live registry's [[Cells]], in registration order
  std::deque<HeapId> jobs;        // pending cleanup jobs, oldest first

  HeapId Allocate(bool registry) {
    isRegistry.push_back(registry);
    collected.push_back(false);
    return static_cast<HeapId>(isRegistry.size() - 1);
  }
  bool HeldByHandle(HeapId id) const {
    return std::find(handles.begin(), handles.end(), std::optional<HeapId>(id)) != handles.end();
  }
  bool OwedJob(HeapId id) const { return std::find(jobs.begin(), jobs.end(), id) != jobs.end(); }
  std::vector<int> Occupied(int first, int last) const {
    std::vector<int> out;
    for (int h = first; h < last; ++h) {
      if (handles[h]) out.push_back(h);
    }
    return out;
  }
};

// What the Agent must record for one op: the events since the previous op, as text.
using Events = std::vector<std::string>;

std::string EventText(const Event& event) {
  struct Visitor {
    std::string operator()(const OpDone& e) const { return "done " + CompletionToText(e.result); }
    std::string operator()(const Collected& e) const {
      std::string s = "collected";
      for (HeapId id : e.ids) s += " @" + std::to_string(id);
      return s;
    }
    std::string operator()(const JobBegin& e) const {
      return "job @" + std::to_string(e.registry);
    }
    std::string operator()(const JobEnd& e) const {
      return "end job @" + std::to_string(e.registry) + (e.abrupt ? " abrupt" : "");
    }
    std::string operator()(const CallbackBegin& e) const {
      return "call @" + std::to_string(e.registry) + "(" + ToText(e.held) + ")";
    }
    std::string operator()(const CallbackEnd& e) const {
      return std::string("end call") + (e.threw ? " threw" : "");
    }
    std::string operator()(const PromiseJobBegin&) const { return "promise job"; }
    std::string operator()(const PromiseJobEnd& e) const {
      return std::string("end promise job") + (e.threw ? " threw" : "");
    }
  };
  return std::visit(Visitor{}, event);
}

std::string Done(const Completion& completion) {
  return EventText(OpDone{.op = nullptr, .result = completion});
}

// ---------------------------------------------------------------------------------
// The system under test: an Agent, fed one op at a time.

class Sut {
 public:
  explicit Sut(FaultSet faults) : agent_(Profile::Es2023, faults, trace_, host_) {}
  Sut(const Sut&) = delete;
  Sut& operator=(const Sut&) = delete;

  // Runs `op` as the next top-level op; returns the events it caused, its OpDone last.
  Events Step(Op op) {
    log.push_back(PrintOpHead(op));
    ops_.push_back({std::move(op)});  // the trace and registries point into it: keep it
    agent_.RunTopLevel(ops_.back());
    Events events;
    for (; seen_ < trace_.events.size(); ++seen_) {
      events.push_back(EventText(trace_.events[seen_]));
    }
    const auto* done = trace_.events.empty() ? nullptr : std::get_if<OpDone>(&trace_.events.back());
    RC_ASSERT(done != nullptr);
    RC_ASSERT(done->op == &ops_.back().front());
    return events;
  }

  // What the run exercised (for RC_CLASSIFY) and what it ran (for the teeth report).
  int callbacks = 0;
  int unregisterTrue = 0;
  int registriesKeptByJob = 0;  // gcs where a pending job alone kept a registry alive
  std::vector<std::string> log;

 private:
  Trace trace_;
  model::ProgramHost host_;
  model::Agent agent_;
  std::deque<std::vector<Op>> ops_;
  std::size_t seen_ = 0;
};

using Command = rc::state::Command<SimpleModel, Sut>;

// Every command states its op and what the simple model predicts for it (changing the
// model as it goes): apply() keeps the model, run() compares the Agent with a copy.
template <class Self>
struct SimpleCommand : Command {
  void apply(SimpleModel& model) const override { static_cast<const Self&>(*this).Predict(model); }
  void run(const SimpleModel& model, Sut& sut) const override {
    const Self& self = static_cast<const Self&>(*this);
    SimpleModel next = model;
    const Events expected = self.Predict(next);
    const Events actual = sut.Step(self.MakeOp());
    RC_ASSERT(actual == expected);
    self.Note(model, expected, sut);
  }
  void show(std::ostream& os) const override {
    os << PrintOpHead(static_cast<const Self&>(*this).MakeOp());
  }
  // Counts what the command exercised, for RC_CLASSIFY.
  void Note(const SimpleModel& /*before*/, const Events& /*expected*/, Sut& /*sut*/) const {}
};

HandleRef Ref(int h) { return HandleRef{static_cast<Handle>(h)}; }

// Mostly a handle in [first, last) that holds something, sometimes any of them.
int PickHandle(const SimpleModel& model, int first, int last) {
  const std::vector<int> occupied = model.Occupied(first, last);
  if (!occupied.empty() && *rc::gen::inRange(0, 8) != 0) return *rc::gen::elementOf(occupied);
  return *rc::gen::inRange(first, last);
}

struct NewObject : SimpleCommand<NewObject> {
  int h;
  explicit NewObject(const SimpleModel&) : h(*rc::gen::inRange(kFirstObjectHandle, kHandles)) {}
  Op MakeOp() const { return Op{.kind = OpKind::NewObject, .dest = static_cast<Handle>(h)}; }
  Events Predict(SimpleModel& m) const {
    const HeapId id = m.Allocate(false);
    m.handles[h] = id;
    return {Done(Completion::Normal(ObjectRef{id}))};
  }
};

struct NewRegistry : SimpleCommand<NewRegistry> {
  int h;
  explicit NewRegistry(const SimpleModel&) : h(*rc::gen::inRange(0, kRegistryHandles)) {}
  Op MakeOp() const { return Op{.kind = OpKind::NewRegistry, .dest = static_cast<Handle>(h)}; }
  Events Predict(SimpleModel& m) const {
    const HeapId id = m.Allocate(true);
    m.handles[h] = id;
    return {Done(Completion::Normal(ObjectRef{id}))};
  }
};

struct Register : SimpleCommand<Register> {
  int registry, target, held;
  std::optional<int> token;
  explicit Register(const SimpleModel& m)
      : registry(PickHandle(m, 0, kRegistryHandles)),
        target(PickHandle(m, kFirstObjectHandle, kHandles)),
        held(*rc::gen::inRange(0, kHeldValues)) {
    if (*rc::gen::arbitrary<bool>()) token = PickHandle(m, kFirstObjectHandle, kHandles);
  }
  Op MakeOp() const {
    Op op{.kind = OpKind::Register,
          .args = {Ref(registry), Ref(target), Value{String{"v" + std::to_string(held)}}}};
    if (token) op.args.push_back(Ref(*token));
    return op;
  }
  Events Predict(SimpleModel& m) const {
    // h0..h3 hold registries or undefined, h4..h9 objects or undefined; the heldValue
    // is a string, never SameValue to an object; an undefined token is no token.
    if (!m.handles[registry] || !m.handles[target]) return {Done(Completion::TypeError())};
    m.cells.push_back(SimpleCell{.registry = *m.handles[registry],
                                 .target = *m.handles[target],
                                 .held = "v" + std::to_string(held),
                                 .token = token ? m.handles[*token] : std::nullopt});
    return {Done(Completion::Normal())};
  }
};

struct Unregister : SimpleCommand<Unregister> {
  int registry, token;
  explicit Unregister(const SimpleModel& m)
      : registry(PickHandle(m, 0, kRegistryHandles)),
        token(PickHandle(m, kFirstObjectHandle, kHandles)) {}
  Op MakeOp() const { return Op{.kind = OpKind::Unregister, .args = {Ref(registry), Ref(token)}}; }
  Events Predict(SimpleModel& m) const {
    // unregister(undefined) throws: undefined cannot be held weakly.
    if (!m.handles[registry] || !m.handles[token]) return {Done(Completion::TypeError())};
    const HeapId r = *m.handles[registry];
    const HeapId t = *m.handles[token];
    const bool removed = std::erase_if(m.cells, [&](const SimpleCell& c) {
                           return c.registry == r && c.token == t;
                         }) > 0;
    return {Done(Completion::Normal(removed))};
  }
  void Note(const SimpleModel&, const Events& expected, Sut& sut) const {
    if (expected == Events{Done(Completion::Normal(true))}) ++sut.unregisterTrue;
  }
};

struct Drop : SimpleCommand<Drop> {
  int h = 0;
  explicit Drop(const SimpleModel& m) {
    const std::vector<int> occupied = m.Occupied(0, kHandles);
    RC_PRE(!occupied.empty());
    h = *rc::gen::elementOf(occupied);
  }
  // Dropping an empty handle changes nothing.
  void checkPreconditions(const SimpleModel& m) const override { RC_PRE(m.handles[h].has_value()); }
  Op MakeOp() const { return Op{.kind = OpKind::Drop, .dest = static_cast<Handle>(h)}; }
  Events Predict(SimpleModel& m) const {
    m.handles[h].reset();
    return {Done(Completion::Normal())};
  }
};

struct Gc : SimpleCommand<Gc> {
  explicit Gc(const SimpleModel&) {}
  Op MakeOp() const { return Op{.kind = OpKind::Gc}; }
  Events Predict(SimpleModel& m) const {
    const auto heapSize = static_cast<HeapId>(m.isRegistry.size());
    std::vector<bool> collectedNow(heapSize, false);
    std::string collected = "collected";
    for (HeapId id = 0; id < heapSize; ++id) {
      const bool live = m.HeldByHandle(id) || (m.isRegistry[id] && m.OwedJob(id));
      if (m.collected[id] || live) continue;
      collectedNow[id] = m.collected[id] = true;
      collected += " @" + std::to_string(id);
    }
    // A collected registry's cells are gone with it (nothing can reach them again).
    std::erase_if(m.cells, [&](const SimpleCell& c) { return collectedNow[c.registry]; });
    std::vector<bool> affected(heapSize, false);
    for (SimpleCell& cell : m.cells) {
      if (!cell.targetEmpty && collectedNow[cell.target]) {
        cell.targetEmpty = true;
        affected[cell.registry] = true;
      }
    }
    // One job per affected registry, in increasing heap id order.
    for (HeapId id = 0; id < heapSize; ++id) {
      if (affected[id]) m.jobs.push_back(id);
    }
    return {collected, Done(Completion::Normal())};
  }
  void Note(const SimpleModel& m, const Events&, Sut& sut) const {
    for (HeapId id = 0; id < m.isRegistry.size(); ++id) {
      if (m.isRegistry[id] && !m.collected[id] && !m.HeldByHandle(id) && m.OwedJob(id)) {
        ++sut.registriesKeptByJob;
        return;
      }
    }
  }
};

struct Turn : SimpleCommand<Turn> {
  explicit Turn(const SimpleModel&) {}
  // A turn with no pending job shows nothing (empty callbacks enqueue no jobs).
  void checkPreconditions(const SimpleModel& m) const override { RC_PRE(!m.jobs.empty()); }
  Op MakeOp() const { return Op{.kind = OpKind::Turn}; }
  Events Predict(SimpleModel& m) const {
    Events events;
    // Every job pending as the turn starts runs, oldest first; callbacks (empty bodies)
    // enqueue nothing. Each delivers its registry's emptied cells in [[Cells]] order.
    const std::deque<HeapId> jobs = std::exchange(m.jobs, {});
    for (HeapId r : jobs) {
      events.push_back("job @" + std::to_string(r));
      std::erase_if(m.cells, [&](const SimpleCell& c) {
        if (c.registry != r || !c.targetEmpty) return false;
        events.push_back("call @" + std::to_string(r) + "(" + ToText(String{c.held}) + ")");
        events.push_back("end call");
        return true;
      });
      events.push_back("end job @" + std::to_string(r));
    }
    events.push_back(Done(Completion::Normal()));
    return events;
  }
  void Note(const SimpleModel&, const Events& expected, Sut& sut) const {
    sut.callbacks += static_cast<int>(std::count(expected.begin(), expected.end(), "end call"));
  }
};

// One stateful run against `sut`: rc::state::check, with command sequences up to
// kLengthScale times the size long (callbacks need a registry, an object, a
// registration, a drop, a gc and a turn, in that order).
void CheckAgainstSimpleModel(Sut& sut) {
  // A type listed twice is generated twice as often: registrations and drops are what
  // callbacks need, and a turn with no pending job is discarded.
  const auto commands = *rc::gen::scale(
      kLengthScale,
      rc::state::gen::commands(SimpleModel{},
                               rc::state::gen::execOneOfWithArgs<
                                   NewObject, NewObject, NewRegistry, Register, Register,
                                   Register, Unregister, Unregister, Drop, Drop, Gc, Gc, Turn>()));
  rc::state::runAll(commands, SimpleModel{}, sut);
}

RC_GTEST_PROP(Stateful, ModelMatchesSimpleModel, ()) {
  Sut sut{FaultSet{}};
  CheckAgainstSimpleModel(sut);
  RC_CLASSIFY(sut.callbacks > 0, "callbacks");
  RC_CLASSIFY(sut.unregisterTrue > 0, "unregister true");
  RC_CLASSIFY(sut.registriesKeptByJob > 0, "registry kept by job");
}

// ---------------------------------------------------------------------------------
// Teeth: each fault the simple model can see (none of links, WeakRefs, symbols,
// throwing callbacks or heldValue reachability is in it) makes the check fail.

constexpr int kTeethBudget = 1000;

struct Teeth {
  bool found = false;
  int casesBefore = 0;
  std::vector<std::string> shrunk;  // the ops of the last (fully shrunk) failing run
};

Teeth Bite(Fault fault) {
  FaultSet faults;
  faults.Add(fault);
  Teeth teeth;
  const auto property = [&] {
    Sut sut{faults};
    try {
      CheckAgainstSimpleModel(sut);
    } catch (...) {
      teeth.shrunk = sut.log;
      throw;
    }
  };
  if (const std::optional<int> cases = CasesBeforeFailure(property, 20261128, kTeethBudget)) {
    teeth.found = true;
    teeth.casesBefore = *cases;
  }
  return teeth;
}

class StatefulTeeth : public ::testing::TestWithParam<Fault> {};

TEST_P(StatefulTeeth, SimpleModelCatchesFault) {
  const Teeth teeth = Bite(GetParam());
  ASSERT_TRUE(teeth.found) << "the stateful check passes with " << FaultName(GetParam());
  std::ostringstream ops;
  for (const std::string& line : teeth.shrunk) ops << "\n    " << line;
  std::cout << "[ teeth   ] " << FaultName(GetParam()) << ": after " << teeth.casesBefore
            << " passing cases, shrunk to " << teeth.shrunk.size() << " ops:" << ops.str()
            << "\n";
}

INSTANTIATE_TEST_SUITE_P(Stateful, StatefulTeeth,
                         ::testing::Values(Fault::CallbackAfterUnregister, Fault::DoubleDelivery,
                                           Fault::WrongHeldValue, Fault::TokenHeldStrongly,
                                           Fault::UnregisterWrongResult,
                                           Fault::UnregisterOtherRegistry,
                                           Fault::SynchronousCallback, Fault::LostCleanupJob,
                                           Fault::CollectedRegistryDelivers),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name(FaultName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace finrig::props
