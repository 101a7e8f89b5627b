// Every fault is caught: corpus/faults/NAME.fr passes on the spec model and, with the
// fault injected, the checker reports an invariant violation (not merely a failed
// expect line), which proves that invariant check can fire.
#include <algorithm>

#include <gtest/gtest.h>

#include "model/faults.h"
#include "tests/test_support.h"

namespace finrig {
namespace {

// The invariant each fault's program is meant to trip; together they cover all 12.
int ExpectedInvariant(Fault fault) {
  switch (fault) {
    case Fault::CallbackAfterUnregister: return 1;
    case Fault::MissingSameValueCheck: return 2;
    case Fault::RegisteredSymbolAccepted: return 3;
    case Fault::CallbackWhileReachable: return 4;
    case Fault::WrongHeldValue: return 4;  // the other cell's target is still reachable
    case Fault::DoubleDelivery: return 5;
    case Fault::SynchronousCallback: return 6;
    case Fault::UnregisterWrongResult: return 7;
    case Fault::UnregisterOtherRegistry: return 7;
    case Fault::TokenHeldStrongly: return 8;
    case Fault::HeldValueHeldWeakly: return 8;
    case Fault::CollectedRegistryDelivers: return 9;
    case Fault::KeptAliveIgnored: return 10;
    case Fault::WeakRefNotCleared: return 10;
    case Fault::ThrowDropsCells: return 11;
    case Fault::LostCleanupJob: return 12;
  }
  return 0;
}

bool Reports(const std::vector<Violation>& violations, int invariant) {
  return std::any_of(violations.begin(), violations.end(),
                     [&](const Violation& v) { return v.invariant == invariant; });
}

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
  EXPECT_TRUE(Reports(violations, ExpectedInvariant(GetParam())))
      << "invariant " << ExpectedInvariant(GetParam()) << " not reported; all findings:\n"
      << testing::Describe(violations);
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultTest, ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name(FaultName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(FaultCoverage, EveryInvariantHasAFaultThatTripsIt) {
  for (int invariant = 1; invariant <= 12; ++invariant) {
    const std::vector<Fault> all = AllFaults();
    EXPECT_TRUE(std::any_of(all.begin(), all.end(),
                            [&](Fault f) { return ExpectedInvariant(f) == invariant; }))
        << "invariant " << invariant;
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
