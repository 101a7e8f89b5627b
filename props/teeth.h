// Running a property to see it fail: the teeth tests (fault_kills_test.cpp,
// stateful_test.cpp) inject a fault and need the outcome of a whole RapidCheck run as a
// value, not a test failure. RapidCheck offers that only in rc::detail; this header is
// the one place that uses it.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>

#include <rapidcheck.h>

namespace finrig::props {

// Runs `property` from `seed` for max(RC_PARAMS' max_success, minCases) cases. Returns
// the number of cases that passed before the first failure (after which RapidCheck
// has shrunk it, unless `shrink` is false), or nothing when every case passed.
template <typename Property>
std::optional<int> CasesBeforeFailure(const Property& property, std::uint64_t seed,
                                      int minCases, bool shrink = true) {
  rc::detail::TestParams params = rc::detail::configuration().testParams;
  params.seed = seed;
  params.maxSuccess = std::max(params.maxSuccess, minCases);
  params.disableShrinking = !shrink;
  const auto result = rc::detail::checkTestable(property, rc::detail::TestMetadata{}, params);
  if (!result.template is<rc::detail::FailureResult>()) return std::nullopt;
  return result.template get<rc::detail::FailureResult>().numSuccess;
}

}  // namespace finrig::props
