// A libFuzzer target that does nothing: bench/fuzz-speed.sh runs it beside model_fuzzer,
// built the same way, so that model_fuzzer's exec/s can be read as a fraction of what
// libFuzzer itself manages on the machine at hand. Not a *_fuzzer: nothing ships it.
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
