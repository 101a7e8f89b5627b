// An engine run as a separate shell process (node, deno, bun, jsc, QuickJS's host): programs go out in batches,
// one emitted script per batch, and come back as wire lines on stdout. A program that
// hangs past the timeout or takes the process down is reported as such, and the batch
// goes on in a fresh process from the next program.
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
  // Programs between the script's liveness canaries (engines/runtime.js): a gc and up
  // to eight tasks until a fresh registry's callback comes, and a fresh engine when it
  // does not. --strict's stall finding needs one after every program; without it a
  // stall is no finding, and the canary only keeps a stalled engine from running the
  // rest of its batch without cleanup. On node it was 40 % of the engine's time.
  std::size_t canaryEvery = 1;
};
// Without --strict, the stalled engine runs at most this many programs more.
inline constexpr std::size_t kCanaryEveryWithoutStrict = 16;

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
