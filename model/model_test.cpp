// Behaviours of the model that the corpus cannot state with expect lines alone.
#include <gtest/gtest.h>

#include "model/text.h"
#include "model/test_support.h"

namespace finrig {
namespace {

TEST(Model, SameProgramSameTrace) {
  const Program program = testing::LoadSourceProgram("corpus/faults/throw-drops-cells.fr");
  EXPECT_EQ(PrintTrace(program, RunProgram(program)), PrintTrace(program, RunProgram(program)));
}

TEST(Model, ProfileDecidesWhetherSymbolsAreTargets) {
  const Program program = ParseProgram(R"(h0 = registry
h1 = symbol "s"
register h0 h1 "x"
)");
  const auto result = [&](Profile profile) {
    const Trace trace = RunProgram(program, {}, profile);
    return std::get<OpDone>(trace.events.back()).result.type;
  };
  EXPECT_EQ(result(Profile::Es2023), Completion::Type::Normal);
  EXPECT_EQ(result(Profile::Es2021), Completion::Type::TypeError);
}

TEST(Model, TraceNamesOpsByPath) {
  const Program program = ParseProgram(R"(h0 = registry {
  unregister h0 held
}
h1 = object
h2 = object
register h0 h1 h2
drop h1
gc
turn
)");
  const std::string trace = PrintTrace(program, RunProgram(program));
  EXPECT_NE(trace.find("callback @0(@2)\n    0.0 unregister h0 held => false"), std::string::npos)
      << trace;
}

// Each corpus program of a host-choice option meets its expect lines, and would not
// with the option left out: the model's program host does what the option states.
Program WithoutHostChoices(Program program) {
  for (Op& op : program.ops) {
    op.gcEnqueue = JobsEnqueued::OnePerRegistry;
    op.gcHold = JobHold::Strong;
    op.turnRepost = false;
  }
  return program;
}

TEST(Model, HostChoiceOptionsDecideWhatTheExpectLinesSee) {
  for (const char* path : {"corpus/gc-enqueue-none.fr", "corpus/gc-enqueue-each.fr",
                           "corpus/gc-hold-weak.fr", "corpus/turn-repost.fr"}) {
    SCOPED_TRACE(path);
    const Program program = testing::LoadSourceProgram(path);
    const std::vector<Violation> stated = testing::RunAndCheck(program);
    EXPECT_TRUE(stated.empty()) << testing::Describe(stated);
    const std::vector<Violation> ignored = testing::RunAndCheck(WithoutHostChoices(program));
    EXPECT_TRUE(testing::Reports(ignored, Invariant::Expectation)) << testing::Describe(ignored);
  }
}

// `enqueue each` enqueues one job per distinct collected value: a value that is the
// target of two cells counts once.
TEST(Model, EnqueueEachCountsDistinctValues) {
  const Program program = ParseProgram(R"(h0 = registry
h1 = object
h2 = object
register h0 h1 "a"
register h0 h1 "b"
register h0 h2 "c"
drop h1
drop h2
gc enqueue each
turn limit 1
expect calls h0("a") h0("b")
)");
  const std::vector<Violation> violations = testing::RunAndCheck(program);
  EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
}

}  // namespace
}  // namespace finrig
