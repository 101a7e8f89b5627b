// Metamorphic properties: two programs that differ in a way the semantics says cannot
// matter must give the same observations. Each relation is a function (the `Mismatch`
// functions below) used both by its RapidCheck property and by a plain test in
// `MetamorphicTeeth` that injects a deviation into a hand-written program and shows the
// same comparison then fails.
#include <algorithm>
#include <array>
#include <map>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "model/binary.h"
#include "model/model.h"
#include "model/op_facts.h"
#include "model/text.h"
#include "props/generators.h"

namespace finrig::props {
namespace {

namespace gen = rc::gen;

// ---------------------------------------------------------------------------------
// Shared helpers.

// What a relation found wrong, or nothing when it holds.
using Mismatch = std::optional<std::string>;

void RequireNoMismatch(const Mismatch& mismatch) {
  if (mismatch) RC_FAIL(*mismatch);
}

// The first place where two event lists differ.
Mismatch FirstDifference(const std::vector<std::string>& a, const std::vector<std::string>& b,
                         std::string_view what) {
  for (std::size_t i = 0; i < std::max(a.size(), b.size()); ++i) {
    const std::string x = i < a.size() ? a[i] : "(end)", y = i < b.size() ? b[i] : "(end)";
    if (x != y) return fmt::format("{} differ at #{}: `{}` vs `{}`", what, i, x, y);
  }
  return std::nullopt;
}

// Ops named by their path ("4", "1.0"), except that top-level op i is named topNames[i];
// an empty name leaves that op and its body unnamed.
using OpNames = std::map<const Op*, std::string>;

void NameBody(const std::vector<Op>& ops, const std::string& prefix, OpNames& names) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const std::string name = prefix + std::to_string(i);
    names[&ops[i]] = name;
    NameBody(ops[i].body, name + ".", names);
  }
}

OpNames NameOps(const Program& program, const std::vector<std::string>& topNames) {
  OpNames names;
  for (std::size_t i = 0; i < program.ops.size(); ++i) {
    if (topNames[i].empty()) continue;
    names[&program.ops[i]] = topNames[i];
    NameBody(program.ops[i].body, topNames[i] + ".", names);
  }
  return names;
}

OpNames Paths(const Program& program) {
  std::vector<std::string> top(program.ops.size());
  for (std::size_t i = 0; i < top.size(); ++i) top[i] = std::to_string(i);
  return NameOps(program, top);
}

// Every event as text, ops by their names: no handle names, no Op pointers, so traces
// of different Program objects compare.
std::vector<std::string> EventTexts(const Trace& trace, const OpNames& names) {
  std::vector<std::string> out;
  for (const Event& event : trace.events) {
    if (const auto* e = std::get_if<OpDone>(&event)) {
      const auto name = names.find(e->op);
      out.push_back(fmt::format("{} => {}", name == names.end() ? "?" : name->second,
                                CompletionToText(e->result)));
    } else if (const auto* e = std::get_if<Collected>(&event)) {
      std::string ids = "collected";
      for (HeapId id : e->ids) ids += fmt::format(" @{}", id);
      out.push_back(ids);
    } else if (const auto* e = std::get_if<JobBegin>(&event)) {
      out.push_back(fmt::format("job @{}", e->registry));
    } else if (const auto* e = std::get_if<JobEnd>(&event)) {
      out.push_back(fmt::format("job @{} {}", e->registry, e->abrupt ? "threw" : "done"));
    } else if (const auto* e = std::get_if<CallbackBegin>(&event)) {
      out.push_back(fmt::format("callback @{}({})", e->registry, ToText(e->held)));
    } else if (const auto* e = std::get_if<CallbackEnd>(&event)) {
      out.push_back(e->threw ? "callback threw" : "callback returned");
    }
  }
  return out;
}

bool IsAllocation(OpKind kind) { return FactsOf(kind).allocates; }

// Heap things a trace allocated (ids are allocation numbers, so: the largest + 1).
HeapId HeapSize(const Trace& trace) {
  HeapId size = 0;
  for (const Event& event : trace.events) {
    const auto* done = std::get_if<OpDone>(&event);
    if (done == nullptr || done->result.IsAbrupt()) continue;
    if (const auto id = HeapIdOf(done->result.value); id && IsAllocation(done->op->kind)) {
      size = std::max(size, *id + 1);
    }
  }
  return size;
}

int CallbackCount(const Trace& trace) {
  return static_cast<int>(
      std::count_if(trace.events.begin(), trace.events.end(),
                    [](const Event& e) { return std::holds_alternative<CallbackBegin>(e); }));
}

bool AnyOp(const std::vector<Op>& ops, OpKind kind) {
  return std::any_of(ops.begin(), ops.end(),
                     [&](const Op& op) { return op.kind == kind || AnyOp(op.body, kind); });
}

// An index in [0, n), whatever the size (inRange scales with it).
rc::Gen<std::size_t> Index(std::size_t n) {
  return gen::resize(100, gen::inRange<std::size_t>(0, n));
}

// ---------------------------------------------------------------------------------
// 1. Unrelated ops do not change callbacks.

// Q's ops that cannot reach P's heap: no gc, no turn (they would act on P's values
// too), no register / unregister (they would make cells and jobs of their own).
bool IsUnrelated(const Op& op) {
  return op.kind != OpKind::Gc && op.kind != OpKind::Turn && op.kind != OpKind::Register &&
         op.kind != OpKind::Unregister && op.body.empty();
}

struct Merged {
  Program program;
  std::vector<std::optional<std::size_t>> origin;  // per top-level op: its index in P, if P's
};

// P with q's ops inserted: q.ops[i] goes before P's op positions[i] (sorted; P.size(): at
// the end). q must be valid on its own handles, so that MakeValid has nothing to redirect.
Merged Interleave(const Program& p, const Program& q, std::vector<std::size_t> positions) {
  std::sort(positions.begin(), positions.end());
  Merged merged{.program = Program{.profile = p.profile}, .origin = {}};
  std::size_t next = 0;
  for (std::size_t i = 0; i <= p.ops.size(); ++i) {
    for (; next < q.ops.size() && positions[next] == i; ++next) {
      merged.program.ops.push_back(q.ops[next]);
      merged.origin.push_back(std::nullopt);
    }
    if (i == p.ops.size()) break;
    merged.program.ops.push_back(p.ops[i]);
    merged.origin.push_back(i);
  }
  merged.program = MakeValid(merged.program);
  RC_ASSERT(merged.program.ops.size() == merged.origin.size());
  return merged;
}

// The callbacks of P's registries, in order, as "registry(heldValue)". A heap value is
// labelled by the P op that allocated it and how often that op had allocated before
// ("3#0", "1.2#4": ops in bodies run once per call), so the labels do not depend on
// heap ids, which the unrelated allocations shift.
std::vector<std::string> CallbacksOfP(const Merged& run) {
  std::vector<std::string> topNames;
  for (const auto& index : run.origin) topNames.push_back(index ? std::to_string(*index) : "");
  const OpNames pOps = NameOps(run.program, topNames);
  const Trace trace = RunProgram(run.program);
  std::map<const Op*, int> allocations;
  std::map<HeapId, std::string> labels;  // only values P's ops allocated
  std::vector<std::string> callbacks;
  for (const Event& event : trace.events) {
    if (const auto* done = std::get_if<OpDone>(&event)) {
      const auto name = pOps.find(done->op);
      if (name == pOps.end() || !IsAllocation(done->op->kind) || done->result.IsAbrupt()) continue;
      labels[*HeapIdOf(done->result.value)] =
          fmt::format("{}#{}", name->second, allocations[done->op]++);
    } else if (const auto* call = std::get_if<CallbackBegin>(&event)) {
      const auto registry = labels.find(call->registry);
      if (registry == labels.end()) continue;  // not P's registry
      std::string held = ToText(call->held);
      if (const auto id = HeapIdOf(call->held)) {
        held = labels.contains(*id) ? labels[*id] : "not P's " + held;
      }
      callbacks.push_back(fmt::format("{}({})", registry->second, held));
    }
  }
  return callbacks;
}

Merged Alone(const Program& p) { return Interleave(p, Program{}, {}); }

Mismatch UnrelatedOpsKeepCallbacks(const Program& p, const Merged& withQ) {
  return FirstDifference(CallbacksOfP(Alone(p)), CallbacksOfP(withQ), "P's callbacks");
}

// Q lives on h8..h13 and P on h0..h5: Q's ops never read a handle of P's, and P's never
// one of Q's, so no edge, cell, WeakRef or KeptAlive entry joins the two heaps. Q adds no
// cells and no jobs, so the job queue (what `turn jobs` positions index) is P's alone;
// P uses only full gcs, which do not name heap ids (Q's allocations shift those). A full
// gc collects what is unreachable, and what of P's heap is unreachable is the same with
// or without Q's values beside it: P's callbacks are the same.
RC_GTEST_PROP(Metamorphic, UnrelatedOpsDoNotChangeCallbacks, ()) {
  const Program p = *GenProgram(GenOptions{.partialGc = false});
  Program q = *GenProgram(
      GenOptions{.bodies = false, .partialGc = false, .turnOptions = false, .firstHandle = 8});
  std::erase_if(q.ops, [](const Op& op) { return !IsUnrelated(op); });
  q = MakeValid(q);  // valid on its own: every handle it uses is one of its own
  const auto positions =
      *gen::container<std::vector<std::size_t>>(q.ops.size(), Index(p.ops.size() + 1));
  RequireNoMismatch(UnrelatedOpsKeepCallbacks(p, Interleave(p, q, positions)));
  RC_CLASSIFY(!CallbacksOfP(Alone(p)).empty(), "P had callbacks");
  RC_CLASSIFY(!q.ops.empty(), "Q had ops");
}

TEST(MetamorphicTeeth, UnrelatedOpsDoNotChangeCallbacks) {
  const Program p = ParseProgram(R"(h0 = object
h1 = registry
register h1 h0 "x"
gc
turn
)");
  const Program unrelated{.ops = {ParseProgram("h9 = object\n").ops[0]}};
  EXPECT_FALSE(UnrelatedOpsKeepCallbacks(p, Interleave(p, unrelated, {3})));
  // Not unrelated: a drop of P's own handle, before the gc, makes P's target garbage.
  const Program drop{.ops = {ParseProgram("h0 = object\ndrop h0\n").ops[1]}};
  const Mismatch mismatch = UnrelatedOpsKeepCallbacks(p, Interleave(p, drop, {3}));
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(*mismatch, "P's callbacks differ at #0: `(end)` vs `1#0(\"x\")`");
}

// ---------------------------------------------------------------------------------
// 2. Renaming handles keeps the trace.

using Renaming = std::array<Handle, kHandleCount>;

void RenameOps(std::vector<Op>& ops, const Renaming& to) {
  for (Op& op : ops) {
    if (op.dest) op.dest = to[*op.dest];
    for (Operand& operand : op.args) {
      if (auto* ref = std::get_if<HandleRef>(&operand)) ref->handle = to[ref->handle];
    }
    RenameOps(op.body, to);
  }
}

Program Rename(Program program, const Renaming& to) {
  RenameOps(program.ops, to);
  return program;
}

// Handles are only names of roots: the model keeps no order among them and never looks
// at their numbers, and a bijection keeps which ops read and write the same root. Heap
// ids are allocation numbers, and allocation order is op order, so ids, results,
// collections, jobs and callbacks are all the same, event for event.
Mismatch RenamingKeepsTrace(const Program& p, const Renaming& to) {
  const Program renamed = Rename(p, to);
  return FirstDifference(EventTexts(RunProgram(p), Paths(p)),
                         EventTexts(RunProgram(renamed), Paths(renamed)), "traces");
}

RC_GTEST_PROP(Metamorphic, RenamingHandlesKeepsTheTrace, ()) {
  const Program p = *GenProgram();
  // Fisher-Yates on h0..h255; swap i with i - pick, so picks of 0 (what shrinking
  // tries) leave the identity.
  const auto picks = *gen::container<std::vector<std::size_t>>(kHandleCount, Index(kHandleCount));
  Renaming to;
  std::iota(to.begin(), to.end(), 0);
  for (std::size_t i = kHandleCount - 1; i > 0; --i) std::swap(to[i], to[i - picks[i] % (i + 1)]);
  RequireNoMismatch(RenamingKeepsTrace(p, to));
  bool moved = false;  // one of the generator's handles h0..h5
  for (int h = 0; h < 6; ++h) moved = moved || to[h] != h;
  RC_CLASSIFY(moved, "renaming moved one of h0..h5");
  RC_CLASSIFY(CallbackCount(RunProgram(p)) > 0, "callbacks");
}

TEST(MetamorphicTeeth, RenamingHandlesKeepsTheTrace) {
  const Program p = ParseProgram(R"(h0 = object
h1 = registry
h2 = object
register h1 h0 "x"
drop h2
gc
turn
)");
  Renaming to;
  std::iota(to.begin(), to.end(), 0);
  std::swap(to[0], to[200]);  // a bijection: the relation holds
  EXPECT_FALSE(RenamingKeepsTrace(p, to));
  to[2] = 200;  // h0 and h2 both become h200: `drop h2` now drops the target
  const Mismatch mismatch = RenamingKeepsTrace(p, to);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(*mismatch, "traces differ at #5: `collected @2` vs `collected @0 @2`");
}

// ---------------------------------------------------------------------------------
// 3. Partial gcs, then full gcs, deliver the same heldValues.

// `rounds` times: a full gc, then a turn that runs every pending job.
std::vector<Op> Rounds(std::size_t rounds) {
  std::vector<Op> ops;
  for (std::size_t i = 0; i < rounds; ++i) {
    ops.push_back(Op{.kind = OpKind::Gc});
    ops.push_back(Op{.kind = OpKind::Turn});
  }
  return ops;
}

Trace RunWithTail(Program program, const std::vector<Op>& tail, FaultSet faults) {
  program.ops.insert(program.ops.end(), tail.begin(), tail.end());
  return RunProgram(program, faults);
}

using Delivery = std::pair<HeapId, std::string>;  // registry, heldValue as text

struct Settled {
  std::set<HeapId> collected;          // by any gc
  std::multiset<Delivery> delivered;   // by any callback
  std::map<HeapId, int> lastTurn;      // per registry: the turn of its last callback
  std::size_t partiallyCollected = 0;  // by gcs that name ids
};

Settled Observe(const Trace& trace) {
  Settled settled;
  int turns = 0;
  std::size_t lastCollected = 0;
  for (const Event& event : trace.events) {
    if (const auto* c = std::get_if<Collected>(&event)) {
      settled.collected.insert(c->ids.begin(), c->ids.end());
      lastCollected = c->ids.size();
    }
    if (const auto* call = std::get_if<CallbackBegin>(&event)) {
      settled.delivered.emplace(call->registry, ToText(call->held));
      settled.lastTurn[call->registry] = turns;
    }
    const auto* done = std::get_if<OpDone>(&event);
    if (done && done->op->kind == OpKind::Turn) ++turns;
    if (done && done->op->kind == OpKind::Gc && !done->op->gcOnly.empty()) {
      settled.partiallyCollected += lastCollected;
    }
  }
  return settled;
}

// The deliveries to registries B did not collect (so: alive at the end of B).
std::multiset<Delivery> ToLiveRegistries(const Settled& run, const Settled& b) {
  std::multiset<Delivery> out;
  for (const Delivery& d : run.delivered) {
    if (!b.collected.contains(d.first)) out.insert(d);
  }
  return out;
}

std::string Text(const std::set<HeapId>& ids) {
  std::string out;
  for (HeapId id : ids) out += fmt::format(" @{}", id);
  return out.empty() ? " none" : out;
}

std::string Text(const std::multiset<Delivery>& deliveries) {
  std::string out;
  for (const auto& [registry, held] : deliveries) out += fmt::format(" @{}({})", registry, held);
  return out.empty() ? " none" : out;
}

struct PartialGcRun {
  Mismatch mismatch;
  Settled a, b;
};

// A = prefix, the partial gcs, rounds; B = prefix, rounds. The prefix has no gc and no
// turn (nothing is collected in it, no job is pending after it) and no callback bodies
// (so no callback allocates, collects, registers or throws).
//
// A partial gc collects only values no full gc would spare (what is unreachable from
// the roots), so A's gcs take nothing B's do not; but they can take it earlier, and
// that can delay the rest. A partial gc that empties a cell of a registry G that is
// itself garbage enqueues a job for G; the pending job keeps G alive through the next
// full gc, and G's cells keep their heldValues alive -- perhaps the target of a live
// registry L's cell, which B's first gc collects, and A's gcs only once G's job has run.
// So a single full gc is not enough (MetamorphicTeeth.OneRoundIsNotEnough), but after
// enough rounds of (full gc, turn) both runs settle: garbage in one is garbage in the
// other, and each registry alive at the end of B (so also of A) has been delivered, in
// both, exactly its cells whose targets died. Registries B collected are left out: B
// collects G together with its targets, before any delivery, while A runs G's job.
//
// A round that collects nothing, after the first (which may leave KeptAlive entries
// to the next turn), changes nothing and so does every round after it; every round
// before that collects at least one of the heap's things, so heap size + 2 rounds are
// enough.
PartialGcRun PartialGcsSettleTheSame(const Program& prefix,
                                     const std::vector<std::vector<HeapId>>& partial,
                                     FaultSet faults = {}) {
  const std::vector<Op> rounds = Rounds(HeapSize(RunProgram(prefix, faults)) + 2);
  std::vector<Op> tailA;
  for (const auto& ids : partial) tailA.push_back(Op{.kind = OpKind::Gc, .gcOnly = ids});
  tailA.insert(tailA.end(), rounds.begin(), rounds.end());
  PartialGcRun run{.mismatch = std::nullopt,
                   .a = Observe(RunWithTail(prefix, tailA, faults)),
                   .b = Observe(RunWithTail(prefix, rounds, faults))};
  if (run.a.collected != run.b.collected) {
    run.mismatch =
        fmt::format("collected in A:{}; in B:{}", Text(run.a.collected), Text(run.b.collected));
    return run;
  }
  const auto inA = ToLiveRegistries(run.a, run.b), inB = ToLiveRegistries(run.b, run.b);
  if (inA != inB) {
    run.mismatch =
        fmt::format("live registries were delivered{} in A,{} in B", Text(inA), Text(inB));
  }
  return run;
}

RC_GTEST_PROP(Metamorphic, PartialGcsThenFullGcDeliverTheSameHeldValues, ()) {
  Program prefix = *GenProgram(GenOptions{.bodies = false, .partialGc = false, .literals = false});
  std::erase_if(prefix.ops,
                [](const Op& op) { return op.kind == OpKind::Gc || op.kind == OpKind::Turn; });
  // A and B make their callbacks in other turns: a budget would cut them apart (a repeat
  // makes more than the default 100). Without bodies, no callback feeds itself.
  prefix.callbackBudget = kMaxCallbackBudget;
  // Each partial gc names every heap id with even odds (an empty list would be a full gc).
  const HeapId heap = HeapSize(RunProgram(prefix));
  const auto picks =
      *gen::resize(4, gen::container<std::vector<std::vector<bool>>>(
                          gen::container<std::vector<bool>>(heap, gen::arbitrary<bool>())));
  std::vector<std::vector<HeapId>> partial;
  for (const std::vector<bool>& pick : picks) {
    std::vector<HeapId> ids;
    for (HeapId id = 0; id < heap; ++id) {
      if (pick[id]) ids.push_back(id);
    }
    if (!ids.empty()) partial.push_back(ids);
  }
  const PartialGcRun run = PartialGcsSettleTheSame(prefix, partial);
  RequireNoMismatch(run.mismatch);
  RC_CLASSIFY(!ToLiveRegistries(run.b, run.b).empty(), "P had callbacks (live registries)");
  RC_CLASSIFY(run.a.delivered != run.b.delivered, "A and B differ on registries B collected");
  RC_CLASSIFY(run.a.partiallyCollected > 0, "partial gcs collected");
  RC_CLASSIFY(std::any_of(run.b.lastTurn.begin(), run.b.lastTurn.end(),
                          [&](const auto& last) {
                            return !run.b.collected.contains(last.first) &&
                                   run.a.lastTurn.at(last.first) > last.second;
                          }),
              "a live registry got its last callback later in A");
}

// @0 is the target of L's (h1, @1) cell "a" and the heldValue of G's (h2, @2) cell,
// whose target is @3; "b" stays registered (@5 lives) and "c" dies at once. In A,
// `gc @3` enqueues G's job, which keeps @0 alive through the first full gc.
const char* const kDelayedTarget = R"(h0 = object
h1 = registry
h2 = registry
h3 = object
h4 = object
h5 = object
register h1 h0 "a"
register h1 h4 "c"
register h1 h5 "b"
register h2 h3 h0
drop h0
drop h2
drop h3
drop h4
)";

TEST(MetamorphicTeeth, PartialGcsThenFullGcDeliverTheSameHeldValues) {
  const Program prefix = ParseProgram(kDelayedTarget);
  EXPECT_FALSE(PartialGcsSettleTheSame(prefix, {{3}}).mismatch);
  // With wrong-held-value a callback gets the heldValue of the oldest other cell still
  // in [[Cells]], which depends on what earlier turns delivered: A delivers "c", then
  // "a" a round later, B both in one turn. (lost-cleanup-job and
  // collected-registry-delivers change A and B alike -- no delivery at all, resp. no job
  // keeps G alive in either -- so they cannot break this relation.)
  FaultSet faults;
  faults.Add(Fault::WrongHeldValue);
  const Mismatch mismatch = PartialGcsSettleTheSame(prefix, {{3}}, faults).mismatch;
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(*mismatch,
            R"(live registries were delivered @1("a") @1("b") in A, @1("b") @1("c") in B)");
}

// Why the relation needs rounds: with one full gc and then turns, it fails on the
// correct model. B's gc collects @0 with G and @3, and L gets "a" (and "c"); in A, G's
// job keeps @0 alive through the one full gc, so L never gets "a".
TEST(MetamorphicTeeth, OneRoundIsNotEnough) {
  const Program prefix = ParseProgram(kDelayedTarget);
  const std::vector<Op> oneRound = {Op{.kind = OpKind::Gc}, Op{.kind = OpKind::Turn},
                                    Op{.kind = OpKind::Turn}, Op{.kind = OpKind::Turn}};
  std::vector<Op> tailA = {Op{.kind = OpKind::Gc, .gcOnly = {3}}};
  tailA.insert(tailA.end(), oneRound.begin(), oneRound.end());
  const Settled a = Observe(RunWithTail(prefix, tailA, {}));
  const Settled b = Observe(RunWithTail(prefix, oneRound, {}));
  EXPECT_EQ(Text(ToLiveRegistries(a, b)), R"( @1("c"))");
  EXPECT_EQ(Text(ToLiveRegistries(b, b)), R"( @1("a") @1("c"))");
}

// ---------------------------------------------------------------------------------
// 4. An extra turn with no pending work changes nothing.

void DropGcs(std::vector<Op>& ops) {
  for (Op& op : ops) {
    std::erase_if(op.body, [](const Op& inner) { return inner.kind == OpKind::Gc; });
    DropGcs(op.body);
  }
}

// The program with a `turn` inserted right after its top-level turn at `turnIndex`.
Mismatch ExtraTurnChangesNothing(const Program& p, std::size_t turnIndex) {
  Program extra = p;
  extra.ops.insert(extra.ops.begin() + static_cast<std::ptrdiff_t>(turnIndex) + 1,
                   Op{.kind = OpKind::Turn});
  std::vector<std::string> topNames;  // the extra program's ops by their names in p
  for (std::size_t i = 0; i < extra.ops.size(); ++i) {
    topNames.push_back(i <= turnIndex       ? std::to_string(i)
                       : i == turnIndex + 1 ? "extra"
                                            : std::to_string(i - 1));
  }
  std::vector<std::string> expected = EventTexts(RunProgram(p), Paths(p));
  const auto turnDone =
      std::find(expected.begin(), expected.end(), fmt::format("{} => undefined", turnIndex));
  expected.insert(turnDone + 1, "extra => undefined");
  return FirstDifference(expected, EventTexts(RunProgram(extra), NameOps(extra, topNames)),
                         "traces");
}

// A turn without options runs every job pending when it starts; jobs are enqueued only
// by gcs, and with no gc in callback bodies none is enqueued during the turn, so none
// is pending after it. KeptAlive is cleared after each job (and at the start), so it is
// empty too. A second turn then clears an empty list and runs no job: it adds its own
// OpDone and nothing else.
RC_GTEST_PROP(Metamorphic, ExtraTurnWithNoPendingWorkChangesNothing, ()) {
  Program p = *GenProgram(GenOptions{.turnOptions = false});
  DropGcs(p.ops);
  std::vector<std::size_t> turns;
  for (std::size_t i = 0; i < p.ops.size(); ++i) {
    if (p.ops[i].kind == OpKind::Turn) turns.push_back(i);
  }
  if (turns.empty()) {
    p.ops.push_back(Op{.kind = OpKind::Turn});
    turns.push_back(p.ops.size() - 1);
  }
  const std::size_t turn = turns[*Index(turns.size())];
  RequireNoMismatch(ExtraTurnChangesNothing(p, turn));
  const Trace trace = RunProgram(p);
  RC_CLASSIFY(CallbackCount(trace) > 0, "callbacks");
  RC_CLASSIFY(AnyOp(p.ops, OpKind::Throw), "throw");
}

TEST(MetamorphicTeeth, ExtraTurnWithNoPendingWorkChangesNothing) {
  const Program p = ParseProgram(R"(h0 = object
h1 = registry
register h1 h0 "x"
drop h0
gc
turn jobs
turn
)");
  EXPECT_FALSE(ExtraTurnChangesNothing(p, 6));
  // `turn jobs` runs none of the pending jobs: a turn after it has work to do.
  const Mismatch mismatch = ExtraTurnChangesNothing(p, 5);
  ASSERT_TRUE(mismatch);
  EXPECT_EQ(*mismatch, "traces differ at #7: `extra => undefined` vs `job @1`");
}

// ---------------------------------------------------------------------------------
// 5. The text and binary forms give identical traces.

Mismatch SameTrace(const Program& a, const Program& b) {
  const std::string x = PrintTrace(a, RunProgram(a)), y = PrintTrace(b, RunProgram(b));
  if (x == y) return std::nullopt;
  return "traces differ:\n" + x + "---\n" + y;
}

// The text and binary forms are two spellings of the same program: both keep every
// op, operand, option and the profile (only comments, expectations and positions,
// which the model does not read, can differ), so the model runs the same program.
RC_GTEST_PROP(Metamorphic, TextAndBinaryFormsGiveIdenticalTraces, ()) {
  const Program p = *GenProgram();
  RequireNoMismatch(SameTrace(p, ParseProgram(PrintProgram(p))));
  RequireNoMismatch(SameTrace(p, DecodeProgram(EncodeProgram(p))));
  RC_CLASSIFY(CallbackCount(RunProgram(p)) > 0, "callbacks");
}

TEST(MetamorphicTeeth, TextAndBinaryFormsGiveIdenticalTraces) {
  const Program p = ParseProgram(R"(h0 = object
h1 = registry
register h1 h0 "x"
drop h0
gc
turn
)");
  EXPECT_FALSE(SameTrace(p, DecodeProgram(EncodeProgram(p))));
  Program shorter = ParseProgram(PrintProgram(p));
  shorter.ops.erase(shorter.ops.begin() + 3);  // without `drop h0`
  EXPECT_TRUE(SameTrace(p, shorter));
}

}  // namespace
}  // namespace finrig::props
