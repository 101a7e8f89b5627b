// Minimization: ddmin on its own, the simplification passes on a synthetic predicate,
// and the standard predicate on every fault program padded with unrelated ops.
#include "model/minimize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <string>

#include "model/binary.h"
#include "model/test_support.h"

namespace finrig {
namespace {

using testing::Reports;

bool Contains(const std::vector<int>& items, int item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

TEST(MinimizeDdmin, FindsTheTwoElementsThatMatter) {
  std::vector<int> items(100);
  std::iota(items.begin(), items.end(), 0);
  int calls = 0;
  const std::vector<int> kept = Ddmin<int>(items, [&](const std::vector<int>& subset) {
    ++calls;
    return Contains(subset, 17) && Contains(subset, 42);
  });
  EXPECT_EQ(kept, (std::vector<int>{17, 42}));
  EXPECT_LT(calls, 100);  // far fewer than one call per subset of a single removal
}

TEST(MinimizeDdmin, ResultIsOneMinimalAndKeepsOrder) {
  std::vector<int> items(30);
  std::iota(items.begin(), items.end(), 0);
  const auto threeEven = [](const std::vector<int>& subset) {
    return std::count_if(subset.begin(), subset.end(), [](int x) { return x % 2 == 0; }) >= 3;
  };
  const std::vector<int> kept = Ddmin<int>(items, threeEven);
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_TRUE(std::is_sorted(kept.begin(), kept.end()));
  for (int x : kept) EXPECT_EQ(x % 2, 0) << x;
}

TEST(MinimizeDdmin, EmptyWhenNothingIsNeeded) {
  EXPECT_TRUE(Ddmin<int>({1, 2, 3}, [](const std::vector<int>&) { return true; }).empty());
}

// A predicate that looks only at op kinds, so every part the passes can remove goes.
bool HasKinds(const Program& program, std::initializer_list<OpKind> kinds) {
  return std::all_of(kinds.begin(), kinds.end(), [&](OpKind kind) {
    return std::any_of(program.ops.begin(), program.ops.end(),
                       [&](const Op& op) { return op.kind == kind; });
  });
}

TEST(Minimize, SimplifiesOperandsAndOptionalParts) {
  const Program program = ParseProgram(R"(# profile: es2021
h0 = registry {
  throw "a"
}
h1 = object
h2 = symbol "desc"
register h0 h1 "held" h2
expect ok
h3 = weakref h1
h4 = deref h3
gc @1 @2
turn jobs 1 0 order lifo limit 1
)");
  const MinimizeResult result = *Minimize(program, [](const Program& p) {
    return HasKinds(p, {OpKind::NewSymbol, OpKind::Register, OpKind::Deref, OpKind::Gc,
                        OpKind::Turn});
  });
  EXPECT_TRUE(result.complete);
  EXPECT_EQ(PrintProgram(result.program),
            "# profile: es2021\n"
            "h0 = symbol\n"
            "register undefined undefined undefined\n"
            "deref undefined\n"
            "gc\n"
            "turn\n");
}

TEST(Minimize, ReducesBodiesAndKeepsLiteralTypes) {
  const Program program = ParseProgram(R"(h0 = registry {
  h5 = object
  throw "a"
  drop h5
}
h1 = object
register h0 h1 "held"
)");
  // A body with a throw, and a register with a string heldValue, must stay.
  const MinimizeResult result = *Minimize(program, [](const Program& p) {
    const auto registry = std::find_if(p.ops.begin(), p.ops.end(),
                                       [](const Op& op) { return op.kind == OpKind::NewRegistry; });
    const auto reg = std::find_if(p.ops.begin(), p.ops.end(),
                                  [](const Op& op) { return op.kind == OpKind::Register; });
    return registry != p.ops.end() &&
           std::any_of(registry->body.begin(), registry->body.end(),
                       [](const Op& op) { return op.kind == OpKind::Throw; }) &&
           reg != p.ops.end() &&
           std::holds_alternative<Value>(reg->args[2]) &&
           std::holds_alternative<String>(std::get<Value>(reg->args[2]));
  });
  EXPECT_EQ(PrintProgram(result.program),
            "# profile: es2023\n"
            "h0 = registry {\n"
            "  throw\n"
            "}\n"
            "register undefined undefined \"\"\n");
}

// A loop's bug, minimized, is the same program as the bug met without the loop: the
// repeat runs fewer times, then gives way to its ops, each `i` a number.
TEST(Minimize, UnrollsAShortRepeat) {
  const Program program = ParseProgram(R"(h0 = registry
h1 = object
repeat 3 {
  register h0 h1 i
}
drop h1
gc
turn
)");
  FaultSet faults;
  faults.Add(Fault::DoubleDelivery);
  const MinimizeResult result =
      *Minimize(program, StillViolates(*TargetOf(program, faults, Profile::Es2023)));
  EXPECT_EQ(PrintProgram(result.program),
            "# profile: es2023\n"
            "h0 = registry\n"
            "h1 = object\n"
            "register h0 h1 undefined\n"
            "drop h1\n"
            "gc\n"
            "turn\n");
}

// Two iterations that make an unreachable target without a drop: written out, the
// second registration goes.
TEST(Minimize, UnrolledIterationsLoseWhatTheBugDoesNotNeed) {
  const Program program = ParseProgram(R"(h0 = registry
repeat 5 {
  h1 = object
  register h0 h1 i
}
gc
turn
)");
  FaultSet faults;
  faults.Add(Fault::DoubleDelivery);
  const MinimizeResult result =
      *Minimize(program, StillViolates(*TargetOf(program, faults, Profile::Es2023)));
  EXPECT_EQ(OpCount(result.program), 6) << PrintProgram(result.program);
  for (const Op& op : result.program.ops) EXPECT_NE(op.kind, OpKind::Repeat) << PrintProgram(result.program);
}

TEST(Minimize, RefusesAProgramThatDoesNotFail) {
  const Program program = ParseProgram("h0 = object\n");
  EXPECT_FALSE(Minimize(program, [](const Program&) { return false; }).has_value());
}

TEST(Minimize, StopsAtTheCheckBudgetWithAFailingProgram) {
  const Program program = testing::LoadSourceProgram("corpus/faults/double-delivery.fr");
  FaultSet faults;
  faults.Add(Fault::DoubleDelivery);
  const FailurePredicate stillFails = StillViolates(*TargetOf(program, faults, program.profile));
  const MinimizeResult result = *Minimize(program, stillFails, MinimizeOptions{.maxChecks = 2});
  EXPECT_FALSE(result.complete);
  EXPECT_LE(result.checks, 3);  // the input's check and two candidates
  EXPECT_TRUE(stillFails(result.program));
}

TEST(MinimizeTargetOf, NothingToMinimizeWithoutAViolatedInvariant) {
  const Program passing = testing::LoadSourceProgram("corpus/faults/double-delivery.fr");
  EXPECT_FALSE(TargetOf(passing, {}, passing.profile).has_value());
  // A failed expect line alone is not a target: candidates have no expect lines.
  const Program failingExpect = testing::LoadSourceProgram("tests/bad/failing-expect.fr");
  ASSERT_TRUE(Reports(testing::RunAndCheck(failingExpect), Invariant::Expectation));
  EXPECT_FALSE(TargetOf(failingExpect, {}, failingExpect.profile).has_value());
}

TEST(MinimizeStillViolates, NoInvariantIsNoFailure) {
  const Program program = testing::LoadSourceProgram("corpus/faults/double-delivery.fr");
  FaultSet faults;
  faults.Add(Fault::DoubleDelivery);
  const FailurePredicate stillFails =
      StillViolates(FailureTarget{.invariants = {}, .faults = faults, .profile = program.profile});
  EXPECT_FALSE(stillFails(program));
  EXPECT_FALSE(Minimize(program, stillFails).has_value());
}

// Unrelated ops between the program's own, on handles it does not use (h100 up): a
// chain of objects, each linked to the last and the last dropped, and in each callback
// body an object made and dropped; plus a symbol and a number at the start.
std::vector<Op> Padded(const std::vector<Op>& ops, int depth, int& next) {
  using testing::MakeOp;
  std::vector<Op> out;
  if (depth == 0) {
    Op symbol = MakeOp(OpKind::NewSymbol, Handle{98});
    symbol.description = "pad";
    out.push_back(std::move(symbol));
    out.push_back(MakeOp(OpKind::Assign, Handle{99}, {Value{1.5}}));
  }
  for (const Op& op : ops) {
    Op copy = op;
    copy.body = Padded(op.body, depth + 1, next);
    out.push_back(std::move(copy));
    const auto handle = static_cast<Handle>(next++);
    out.push_back(MakeOp(OpKind::NewObject, handle));
    if (depth > 0) {
      out.push_back(MakeOp(OpKind::Drop, handle));
    } else if (handle > 100) {
      const auto previous = static_cast<Handle>(handle - 1);
      out.push_back(MakeOp(OpKind::Link, std::nullopt, {HandleRef{handle}, HandleRef{previous}}));
      out.push_back(MakeOp(OpKind::Drop, previous));
    }
  }
  return out;
}

Program Padded(const Program& program) {
  int next = 100;
  return Program{.profile = program.profile, .ops = Padded(program.ops, 0, next)};
}

// callback-while-reachable shows first as invariant 8 (a linked target collected),
// then as 4 (its callback). The full target keeps both; narrowed to 8, the registry goes.
TEST(Minimize, NarrowedTargetKeepsOnlyThatInvariant) {
  const Program program = testing::LoadSourceProgram("corpus/faults/callback-while-reachable.fr");
  FaultSet faults;
  faults.Add(Fault::CallbackWhileReachable);
  FailureTarget target = *TargetOf(program, faults, program.profile);
  EXPECT_EQ(target.invariants,
            (std::vector<Invariant>{Invariant::NoCallbackWhileTargetReachable,
                                    Invariant::TokensTargetsWeakHeldValuesStrong}));
  const Program both = Minimize(program, StillViolates(target))->program;
  EXPECT_TRUE(
      Reports(testing::RunAndCheck(both, faults), Invariant::NoCallbackWhileTargetReachable))
      << PrintProgram(both);
  target.invariants = {Invariant::TokensTargetsWeakHeldValuesStrong};
  const Program only8 = Minimize(program, StillViolates(target))->program;
  EXPECT_EQ(PrintProgram(only8),
            "# profile: es2023\n"
            "h0 = object\n"
            "h1 = object\n"
            "link h0 h1\n"
            "drop h1\n"
            "gc\n");
}

class MinimizeFaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(MinimizeFaultTest, PaddedProgramShrinksToAFixpointThatStillFails) {
  const Program original = StripToSemantics(
      testing::LoadSourceProgram("corpus/faults/" + std::string(FaultName(GetParam())) + ".fr"));
  const Program padded = Padded(original);
  FaultSet faults;
  faults.Add(GetParam());
  const Invariant invariant = InvariantItBreaks(GetParam());
  ASSERT_TRUE(Reports(testing::RunAndCheck(padded, faults), invariant))
      << PrintProgram(padded) << testing::Describe(testing::RunAndCheck(padded, faults));
  ASSERT_GT(OpCount(padded), 2 * OpCount(original));

  const FailurePredicate stillFails = StillViolates(*TargetOf(padded, faults, padded.profile));
  const MinimizeResult result = *Minimize(padded, stillFails);
  const std::string text = PrintProgram(result.program);
  EXPECT_TRUE(result.complete);
  EXPECT_TRUE(Reports(testing::RunAndCheck(result.program, faults), invariant)) << text;
  EXPECT_LE(OpCount(result.program), OpCount(original)) << text;
  EXPECT_EQ(PrintProgram(Minimize(result.program, stillFails)->program), text);
}

INSTANTIATE_TEST_SUITE_P(AllFaults, MinimizeFaultTest, ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name(FaultName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace finrig
