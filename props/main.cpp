// The property suite's entry point: GoogleTest's, with the suite's default budget of
// FINRIG_PROPS_CASES cases per property (1000; 100 in sanitizer builds, which run
// several times slower; RapidCheck's own default is 100) unless RC_PARAMS names one.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  const char* given = std::getenv("RC_PARAMS");
  const std::string params = given != nullptr ? given : "";
  if (params.find("max_success") == std::string::npos) {
    // RapidCheck reads RC_PARAMS when the first property runs, after this.
    const std::string budget = "max_success=" + std::to_string(FINRIG_PROPS_CASES) + " ";
    setenv("RC_PARAMS", (budget + params).c_str(), 1);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
