// The fuzz targets' checks fire: the model target reports every fault on its fault
// program's binary form and nothing on the clean model; the other two accept what
// they should and report what they should.
#include <gtest/gtest.h>

#include "fuzz/harness.h"
#include "model/binary.h"
#include "model/text.h"
#include "model/test_support.h"

namespace finrig::fuzz {
namespace {

std::vector<std::uint8_t> FaultProgramBytes(Fault fault) {
  return EncodeProgram(testing::LoadSourceProgram("corpus/faults/" + std::string(FaultName(fault)) + ".fr"));
}

TEST(KnownSpiderMonkeyBug, OnlyItsTriggerRunsWithNew) {
  const Program p = WithoutKnownSpiderMonkeyBug(ParseProgram(
      "h0 = registry newtarget throwing callback 1\nh1 = registry newtarget throwing {\n"
      "  h2 = registry newtarget throwing callback held\n}\nh3 = registry newtarget undefined "
      "callback 1\n"));
  EXPECT_EQ(PrintProgram(p),
            "# profile: es2023\nh0 = registry callback 1\nh1 = registry newtarget throwing {\n"
            "  h2 = registry callback held\n}\nh3 = registry newtarget undefined callback 1\n");
}

TEST(DecodeForFuzzing, CutsRepeatsToTheOpBudgetInOrder) {
  const Program p = DecodeForFuzzing(EncodeProgram(ParseProgram(
      "h0 = registry\nrepeat 100000 {\n  h1 = object\n  register h0 h1 i\n}\n"
      "repeat 3 {\n  gc\n}\nrepeat 100000 {\n  h1 = object\n}\nrepeat 5 {\n  turn\n}\n")));
  // The first repeat takes what the registry left: (512 - 1) / 3 ops an iteration.
  EXPECT_EQ(p.ops[1].repeatCount, (kFuzzOps - 1) / 3);
  EXPECT_EQ(p.ops[2].repeatCount, 1u);  // 1 op left, 2 an iteration: once still
  EXPECT_EQ(p.ops[3].repeatCount, 1u);  // none left
  EXPECT_EQ(p.ops[4].repeatCount, 1u);
  // Under the budget, nothing changes.
  const Program small = DecodeForFuzzing(
      EncodeProgram(ParseProgram("repeat 70 {\n  h1 = object\n  drop h1\n}\n")));
  EXPECT_EQ(small.ops[0].repeatCount, 70u);
}

TEST(FuzzModel, CleanModelPassesEveryFaultProgram) {
  for (Fault fault : AllFaults()) {
    EXPECT_EQ(FuzzModel(FaultProgramBytes(fault), {}), std::nullopt) << FaultName(fault);
  }
}

TEST(FuzzModel, ReportsEveryFault) {
  for (Fault fault : AllFaults()) {
    FaultSet faults;
    faults.Add(fault);
    const std::optional<std::string> report = FuzzModel(FaultProgramBytes(fault), faults);
    ASSERT_TRUE(report.has_value()) << FaultName(fault);
    EXPECT_NE(report->find("program:\n# profile:"), std::string::npos) << *report;
  }
}

TEST(FuzzModel, FaultsFromEnvironment) {
  setenv("FINRIG_FAULTS", "double-delivery,lost-cleanup-job", 1);
  const std::variant<FaultSet, std::string> faults = FaultsFromEnvironment();
  unsetenv("FINRIG_FAULTS");
  ASSERT_TRUE(std::holds_alternative<FaultSet>(faults));
  EXPECT_TRUE(std::get<FaultSet>(faults).Has(Fault::DoubleDelivery));
  EXPECT_TRUE(std::get<FaultSet>(faults).Has(Fault::LostCleanupJob));
  EXPECT_FALSE(std::get<FaultSet>(faults).Has(Fault::WrongHeldValue));
}

TEST(FuzzModel, FaultsFromEnvironmentReportsAnUnknownName) {
  setenv("FINRIG_FAULTS", "double-delivery,nope", 1);
  const std::variant<FaultSet, std::string> faults = FaultsFromEnvironment();
  unsetenv("FINRIG_FAULTS");
  ASSERT_TRUE(std::holds_alternative<std::string>(faults));
  EXPECT_EQ(std::get<std::string>(faults), "FINRIG_FAULTS: unknown fault 'nope'\n");
}

TEST(FuzzParse, AcceptsBadTextAndCanonicalText) {
  EXPECT_EQ(FuzzParse("regster h0\n\xff"), std::nullopt);
  EXPECT_EQ(FuzzParse("h0 = object\nh1 = registry\nregister h1 h0 1.50\n"), std::nullopt);
}

TEST(FuzzRoundTrip, AgreesOnArbitraryBytes) {
  for (int seed = 0; seed < 200; ++seed) {
    std::vector<std::uint8_t> bytes;
    for (int i = 0; i < 64; ++i) bytes.push_back(static_cast<std::uint8_t>((seed * 131 + i * 29) % 251));
    EXPECT_EQ(FuzzRoundTrip(bytes), std::nullopt);
  }
}

}  // namespace
}  // namespace finrig::fuzz
