// libFuzzer target: any bytes decode to a program, which runs on the model and on
// SpiderMonkey 102 in this process; any finding of the differential judgement
// (engines/diff.h: the engine's trace in acceptor mode, the model's own run, the two
// compared) is a crash. FINRIG_FAULTS=name,... breaks the model, the oracle.
#include <cstddef>
#include <cstdint>

#include <fmt/format.h>

#include "engines/diff.h"
#include "engines/js.h"
#include "engines/spidermonkey/engine.h"
#include "fuzz/harness.h"
#include "model/binary.h"
#include "model/text.h"

// LeakSanitizer's hook: libmozjs-102 leaves some small allocations of its own
// unreachable (202 in the first run of the seeds; none is finrig's). Only its frames are
// suppressed.
extern "C" const char* __lsan_default_suppressions() { return "leak:libmozjs-102.so\n"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace finrig;
  // Never destroyed: SpiderMonkey must not shut down during static destruction.
  static auto* engine = new engines::SpiderMonkeyEngine(std::chrono::milliseconds(5000));
  static const engines::DiffOptions options{.profile = Profile::Es2021,
                                            .modelFaults = fuzz::FaultsOrAbort()};
  const Program program = engines::Approximate(DecodeProgram({data, size}), options.profile).program;
  const engines::DiffResult result = engines::Diff(program, engine->Run({&program}).at(0), options);
  if (result.findings.empty()) return 0;
  std::string report = "diff_spidermonkey_fuzzer: the engine and the model part\n";
  for (const engines::Finding& f : result.findings) {
    report += fmt::format("  {}: {}\n", engines::SourceName(f.source), f.message);
  }
  fuzz::AbortOn(report + "program:\n" + PrintProgram(program));
  return 0;
}
