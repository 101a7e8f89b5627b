// Every fault is caught: corpus/faults/NAME.fr passes on the spec model and, with the
// fault injected, the checker reports an invariant violation (not merely a failed
// expect line), which proves that invariant check can fire.
#include <algorithm>

#include <gtest/gtest.h>

#include "model/faults.h"
#include "model/test_support.h"

namespace finrig {
namespace {

using testing::Reports;

class FaultTest : public ::testing::TestWithParam<Fault> {};

TEST_P(FaultTest, ProgramPassesWithoutTheFault) {
  const Program program =
      testing::LoadSourceProgram("corpus/faults/" + std::string(FaultName(GetParam())) + ".fr");
  const std::vector<Violation> violations = testing::RunAndCheck(program);
  EXPECT_TRUE(violations.empty()) << testing::Describe(violations);
}

TEST_P(FaultTest, CheckerCatchesTheFault) {
  const Program program =
      testing::LoadSourceProgram("corpus/faults/" + std::string(FaultName(GetParam())) + ".fr");
  FaultSet faults;
  faults.Add(GetParam());
  const std::vector<Violation> violations = testing::RunAndCheck(program, faults);
  EXPECT_TRUE(Reports(violations, InvariantItBreaks(GetParam())))
      << InvariantId(InvariantItBreaks(GetParam())) << " not reported; all findings:\n"
      << testing::Describe(violations);
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultTest, ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name(FaultName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(FaultCoverage, EveryInvariantHasAFaultThatTripsIt) {
  for (int number = 1; number <= 12; ++number) {
    const std::vector<Fault> all = AllFaults();
    EXPECT_TRUE(
        std::any_of(all.begin(), all.end(),
                    [&](Fault f) { return InvariantNumber(InvariantItBreaks(f)) == number; }))
        << "invariant " << number;
  }
}

TEST(FaultNames, RoundTrip) {
  for (Fault fault : AllFaults()) {
    EXPECT_EQ(FaultFromName(FaultName(fault)), fault);
    EXPECT_FALSE(FaultSummary(fault).empty());
  }
  EXPECT_EQ(FaultFromName("no-such-fault"), std::nullopt);
}

}  // namespace
}  // namespace finrig
