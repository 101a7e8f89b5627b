#include "engines/spidermonkey/engine.h"

#include <fmt/format.h>

#include "engines/js.h"

namespace finrig::engines {

std::vector<EngineRun> SpiderMonkeyEngine::Run(const std::vector<const Program*>& programs) {
  std::vector<EngineRun> runs;
  for (const Program* program : programs) {
    const spidermonkey::ScriptResult result =
        host_.Run(EmitBatch({{"0", program}}, Flavor::JsShell), timeout_);
    // The program's lines follow its `begin` line.
    const std::string_view output = result.output;
    const std::size_t begin = output.find("begin 0\n");
    const std::string_view lines =
        begin == std::string_view::npos ? std::string_view() : output.substr(begin + 8);
    switch (result.end) {
      case spidermonkey::ScriptResult::End::Completed:
      case spidermonkey::ScriptResult::End::Exception:
        runs.push_back(ReadWire(*program, lines, EngineRun::End::Crashed,
                                result.error.empty() ? "the script ended early"
                                                     : "uncaught exception: " + result.error));
        break;
      case spidermonkey::ScriptResult::End::Timeout:
        runs.push_back(ReadWire(*program, lines, EngineRun::End::TimedOut,
                                fmt::format("no end after {} ms", timeout_.count())));
        break;
      case spidermonkey::ScriptResult::End::OutOfMemory:
        runs.push_back(ReadWire(*program, lines, EngineRun::End::Crashed, "out of memory"));
        break;
    }
    if (lines.find("\nstalled\n") != std::string_view::npos) runs.back().stalled = true;
  }
  return runs;
}

}  // namespace finrig::engines
