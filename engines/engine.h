// An engine under test, as the differential runner sees it: it runs programs (already
// approximated, engines/js.h) and reports what each did, in the wire format's terms.
#pragma once

#include <vector>

#include "engines/wire.h"
#include "model/program.h"

namespace finrig::engines {

class Engine {
 public:
  virtual ~Engine() = default;
  // One EngineRun per program, in order. A crash or hang of the engine is that
  // program's run, never an exception; throws only when the engine cannot be run.
  virtual std::vector<EngineRun> Run(const std::vector<const Program*>& programs) = 0;
};

}  // namespace finrig::engines
