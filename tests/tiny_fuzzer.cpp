// A tiny libFuzzer target for tests/corpus_min_test.sh (built with clang++-14
// -fsanitize=fuzzer by tests/CMakeLists.txt): a few branches on the first bytes, so a
// merge keeps a handful of inputs; TINY_FUZZER_SLEEP_MS=N makes every input take N ms,
// so that a merge can be interrupted halfway.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <thread>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const int sleep_ms = [] {
    const char* value = std::getenv("TINY_FUZZER_SLEEP_MS");
    return value != nullptr ? std::atoi(value) : 0;
  }();
  if (sleep_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms));
  static volatile int sink = 0;
  if (size > 0 && data[0] == 'a') {
    sink = sink + 1;
    if (size > 1 && data[1] == 'b') {
      sink = sink + 2;
      if (size > 2 && data[2] == 'c') sink = sink + 4;
    }
  } else if (size > 0 && data[0] == 'z') {
    sink = sink + 8;
  }
  return 0;
}
