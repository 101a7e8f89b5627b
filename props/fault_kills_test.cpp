// The properties have teeth: with each fault injected into the model, the property of
// the invariant that fault breaks finds a counterexample within the default budget
// (kKillBudget cases; a fixed seed keeps this deterministic), and shrinking brings it down to a program
// small enough to read.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>

#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "model/text.h"
#include "props/generators.h"
#include "props/judge.h"
#include "props/teeth.h"

namespace finrig::props {
namespace {

// Largest shrunk counterexample accepted, in ops (bodies included).
constexpr int kMaxShrunkOps = 16;
// Cases a property may take to find a fault: the suite's default budget (README:
// RC_PARAMS), raised by RC_PARAMS="max_success=..." but never lowered below this.
constexpr int kKillBudget = 1000;

// Fixed, so the suite is deterministic; FINRIG_KILL_SEED=N hunts with another seed
// (bench/rc-kills.sh takes the median over several).
std::uint64_t KillSeed() {
  const char* seed = std::getenv("FINRIG_KILL_SEED");
  return seed != nullptr && *seed != '\0' ? std::strtoull(seed, nullptr, 10) : 20261127;
}

struct Kill {
  bool found = false;
  int casesBefore = 0;  // passing cases before the first failure
  Program shrunk;
};

Kill Hunt(Fault fault) {
  FaultSet faults;
  faults.Add(fault);
  Kill kill;
  const auto property = [&] {
    const Program program = *GenProgram();
    try {
      RequireInvariant(InvariantItBreaks(fault), program, faults);
    } catch (...) {
      kill.shrunk = program;  // the last failing case is the fully shrunk one
      throw;
    }
  };
  if (const std::optional<int> cases = CasesBeforeFailure(property, KillSeed(), kKillBudget)) {
    kill.found = true;
    kill.casesBefore = *cases;
  }
  return kill;
}

class FaultKill : public ::testing::TestWithParam<Fault> {};

TEST_P(FaultKill, PropertyFindsASmallCounterexample) {
  const Kill kill = Hunt(GetParam());
  ASSERT_TRUE(kill.found) << "no counterexample for " << InvariantId(InvariantItBreaks(GetParam()));
  const int size = CountOps(kill.shrunk);
  std::cout << "[ kill    ] " << FaultName(GetParam()) << ": "
            << InvariantId(InvariantItBreaks(GetParam())) << ", after " << kill.casesBefore
            << " passing cases, shrunk to " << size << " ops\n";
  EXPECT_LE(size, kMaxShrunkOps) << PrintProgram(kill.shrunk);
}

INSTANTIATE_TEST_SUITE_P(AllFaults, FaultKill, ::testing::ValuesIn(AllFaults()),
                         [](const ::testing::TestParamInfo<Fault>& info) {
                           std::string name(FaultName(info.param));
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace finrig::props
