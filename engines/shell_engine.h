// An engine run as a separate shell process (node, deno, bun, jsc, QuickJS's host):
// programs go out in batches, one emitted script per batch, and come back as wire lines
// on stdout. A program that hangs past the timeout or takes the process down is reported
// as such, and the batch goes on in a fresh process from the next program.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engines/engine.h"
#include "engines/js.h"

namespace finrig::engines {

struct ShellOptions {
  std::vector<std::string> command;  // e.g. {"node", "--expose-gc"}; the script's path follows
  Flavor flavor = Flavor::Node;
  std::chrono::milliseconds timeout{10000};  // per program, startup included for the first
  std::size_t batchSize = 500;               // programs per process
  // Processes running batches at once. With more than one, a call's programs are cut
  // into at least that many batches; each program still runs alone in its process's
  // order, so only the wall time changes (and the load the engines see).
  std::size_t workers = 1;
  // The shell exits at an exception no one caught (jsc: "Exception: finrig throw"), so a
  // program whose cleanup callback threw ends there, and the next starts a fresh shell.
  bool endsAtThrow = false;
  // The script's liveness canary after each program (engines/runtime.js) is a gc and up
  // to eight tasks until a fresh registry's callback comes, and a fresh engine when it
  // does not: on node, 40 % of the engine's time. --strict's stall finding needs it
  // after every program. Without --strict a stall is no finding, and the canary only
  // keeps a stalled engine from running the rest of its batch without cleanup: a lazy
  // one, armed after a program, flies on the next one's own gc ops and turns, and the
  // script waits for its own only when that did not come.
  bool lazyCanary = false;
};

class ShellEngine : public Engine {
 public:
  explicit ShellEngine(ShellOptions options) : options_(std::move(options)) {}
  std::vector<EngineRun> Run(const std::vector<const Program*>& programs) override;

 private:
  // Runs programs[first, last) in one process or more; appends their runs. Batches run on
  // several threads at once share nothing but the options.
  void RunBatch(const std::vector<const Program*>& programs, std::size_t first, std::size_t last,
                std::vector<EngineRun>& runs) const;

  ShellOptions options_;
};

}  // namespace finrig::engines
