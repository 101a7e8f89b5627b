// The property suite's entry point: GoogleTest's, with the suite's default budget of
// 1000 cases per property (RapidCheck's own is 100) unless RC_PARAMS names another.
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

int main(int argc, char** argv) {
  const char* given = std::getenv("RC_PARAMS");
  const std::string params = given != nullptr ? given : "";
  if (params.find("max_success") == std::string::npos) {
    // RapidCheck reads RC_PARAMS when the first property runs, after this.
    setenv("RC_PARAMS", ("max_success=1000 " + params).c_str(), 1);
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
