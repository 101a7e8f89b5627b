// libFuzzer target: any bytes decode to a program, which runs on the model and on
// SpiderMonkey 102 in this process; any finding of the differential judgement
// (engines/diff.h: the engine's trace in acceptor mode, the model's own run, the two
// compared) is a crash. FINRIG_FAULTS=name,... breaks the model, the oracle. The step is
// `finrig diff`'s (engines/campaign.h); libFuzzer does the reducing.
#include <cstddef>
#include <cstdint>

#include "engines/campaign.h"
#include "fuzz/harness.h"
#include "model/binary.h"
#include "model/text.h"

// LeakSanitizer's hook: libmozjs-102 leaves some small allocations of its own
// unreachable (202 in the first run of the seeds; none is finrig's). Only its frames are
// suppressed.
extern "C" const char* __lsan_default_suppressions() { return "leak:libmozjs-102.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace finrig;
  static const engines::EngineProfile profile = *engines::EngineProfileNamed("spidermonkey");
  // Never destroyed: SpiderMonkey must not shut down during static destruction.
  static engines::Engine* engine =
      engines::MakeEngine(profile, {.timeout = std::chrono::milliseconds(5000)}).release();
  static const engines::DiffOptions options{.profile = profile.profile,
                                            .modelFaults = fuzz::FaultsOrAbort()};
  const engines::Case c = engines::MakeCase(
      {"input", fuzz::WithoutKnownSpiderMonkeyBug(fuzz::DecodeForFuzzing({data, size}))}, options);
  const engines::DiffResult result =
      engines::RunAndJudge(*engine, {&c.runnable}, options).at(0).result;
  if (result.findings.empty()) return 0;
  fuzz::AbortOn("diff_spidermonkey_fuzzer: the engine and the model part\n" +
                engines::FindingLines(result.findings, "  ") + "program:\n" +
                PrintProgram(c.runnable));
  return 0;
}
