// SpiderMonkey 102 as an engine under test, in process: each program is emitted as a
// script (jsshell flavor) and run by the Host in a fresh global.
#pragma once

#include <chrono>

#include "engines/engine.h"
#include "engines/spidermonkey/host.h"

namespace finrig::engines {

class SpiderMonkeyEngine : public Engine {
 public:
  explicit SpiderMonkeyEngine(std::chrono::milliseconds timeout) : timeout_(timeout) {}
  std::vector<EngineRun> Run(const std::vector<const Program*>& programs) override;

 private:
  spidermonkey::Host host_;
  std::chrono::milliseconds timeout_;
};

}  // namespace finrig::engines
