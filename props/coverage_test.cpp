// The generators reach every feature: over a fixed sample of generated programs at
// all sizes, each op kind, symbol kind, profile, callback, re-entrancy and throw shows
// up in at least 1% of programs. (A run of any property prints the same figures as a
// RapidCheck distribution: Invariant.CoverageReport.)
#include <map>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rapidcheck.h>

#include "props/generators.h"
#include "props/judge.h"

namespace finrig::props {
namespace {

TEST(Coverage, EveryFeatureInAtLeastOnePercentOfPrograms) {
  constexpr int kSamples = 2000;
  const rc::Gen<Program> programs = GenProgram();
  rc::Random random(20261127);
  std::map<std::string, int> seen;
  for (int i = 0; i < kSamples; ++i) {
    const Program program = programs(random.split(), i % (rc::kNominalSize + 1)).value();
    for (const auto& [feature, present] : Coverage(program)) seen[feature] += present ? 1 : 0;
  }
  for (const auto& [feature, count] : seen) {
    const double percent = 100.0 * count / kSamples;
    std::cout << fmt::format("[ coverage ] {:5.1f}%  {}\n", percent, feature);
    EXPECT_GE(percent, 1.0) << feature;
  }
}

}  // namespace
}  // namespace finrig::props
