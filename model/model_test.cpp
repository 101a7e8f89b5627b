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

}  // namespace
}  // namespace finrig
