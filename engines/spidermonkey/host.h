// An in-process SpiderMonkey host that runs one script per fresh global and then its
// event loop: promise jobs, setTimeout callbacks and FinalizationRegistry cleanup. It
// builds against Debian's libmozjs-102 (linked into finrig) and libmozjs-78 (linked into
// a host process of its own, shell_main.cpp: the two cannot share a process).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace finrig::spidermonkey {

struct ScriptResult {
  // Everything the script passed to print(), one '\n'-terminated line per call.
  std::string output;
  enum class End { Completed, Exception, Timeout, OutOfMemory } end = End::Completed;
  // For Exception: the uncaught exception as a string, with file:line when known.
  std::string error;
};

// SpiderMonkey keeps per-thread and per-process state, so at most one Host may be alive
// in a process at a time (a second one throws std::logic_error), and it must be used
// only on the thread that created it. Hosts may be created again after the last one is
// destroyed.
class Host {
 public:
  Host();
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Evaluates `source` as a classic script in a new global (its own realm, with
  // FinalizationRegistry and WeakRef, plus print, gc and setTimeout), then runs the
  // event loop until it is empty, an uncaught exception ends it, or `timeout` passes.
  // Nothing queued by one Run survives into the next. `echo`, when given, also sees each
  // printed line (without its '\n') as it is printed, for a host that streams them.
  using Echo = std::function<void(std::string_view line)>;
  ScriptResult Run(std::string_view source, std::chrono::milliseconds timeout,
                   const Echo& echo = {});

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace finrig::spidermonkey
