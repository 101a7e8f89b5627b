// finrig's SpiderMonkey host as a process, for a SpiderMonkey that cannot share finrig's
// (libmozjs-78 beside the libmozjs-102 linked into finrig: the two export the same
// symbols). It runs a script as the js shell would, for finrig's ShellEngine: each line
// the script prints goes to stdout at once, so that a program that hangs or crashes the
// engine loses only itself.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <jsapi.h>

#include "engines/spidermonkey/host.h"

int main(int argc, char** argv) {
  CLI::App app{
      "Run a script in a fresh SpiderMonkey global (print, gc, setTimeout, FinalizationRegistry "
      "and WeakRef), then its event loop until it is empty"};
  std::string script;
  int timeoutMs = 0;
  app.add_option("script", script, "The script file (finrig's jsshell flavor)")->required();
  app.add_option("--timeout-ms", timeoutMs, "End the run after this long (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  app.set_version_flag("--version", JS_GetImplementationVersion());
  app.footer(
      "Exit status: 0 the event loop ran dry, 1 an uncaught exception (on stderr), "
      "2 usage or an unreadable script, 3 out of memory, 4 the timeout.");
  CLI11_PARSE(app, argc, argv);

  std::ifstream in(script, std::ios::binary);
  std::ostringstream source;
  if (!in || !(source << in.rdbuf())) {
    std::cerr << "finrig-spidermonkey: cannot read " << script << "\n";
    return 2;
  }
  const auto timeout =
      timeoutMs == 0 ? std::chrono::hours(24 * 365) : std::chrono::milliseconds(timeoutMs);
  finrig::spidermonkey::Host host;
  const finrig::spidermonkey::ScriptResult result =
      host.Run(source.str(), std::chrono::duration_cast<std::chrono::milliseconds>(timeout),
               [](std::string_view line) {
                 std::fwrite(line.data(), 1, line.size(), stdout);
                 std::fputc('\n', stdout);
                 std::fflush(stdout);
               });
  switch (result.end) {
    case finrig::spidermonkey::ScriptResult::End::Completed:
      return 0;
    case finrig::spidermonkey::ScriptResult::End::Exception:
      std::cerr << "uncaught exception: " << result.error << "\n";
      return 1;
    case finrig::spidermonkey::ScriptResult::End::OutOfMemory:
      std::cerr << "out of memory\n";
      return 3;
    case finrig::spidermonkey::ScriptResult::End::Timeout:
      std::cerr << "no end after " << timeoutMs << " ms\n";
      return 4;
  }
  return 0;
}
