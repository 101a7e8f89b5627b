// The wire format: what an emitted script (engines/js.h) prints for one program, and
// its reading back into a Trace the checker can judge. One event per line:
//   begin NAME            the program starts (batches run many)
//   op PATH VALUE         an op completed normally ("op 3 @2", "op 4 undefined")
//   op PATH TypeError     an op threw a TypeError
//   op PATH throw         a `throw` op fired
//   op PATH error "MSG"   an op threw something else (never allowed)
//   cb @R VALUE           a cleanup callback of registry @R began, with this heldValue
//   ret | threw           the callback returned | threw (a `throw` op fired)
//   budget                the program made more callbacks than the model would; it stops
//   uncaught "MSG"        an exception no one caught, other than a `throw` op's
//   error "MSG"           the program itself failed
//   end                   the program finished
//   stalled               (after end) a fresh registry's callback then never came: the
//                         engine has stopped running cleanup callbacks altogether
// VALUE is a .fr literal, `@N` for an object and `%N` for a unique symbol, numbered in
// allocation order as the model numbers them. Engines show no job boundaries: a job
// is taken to begin at a callback of another registry than the last one, after a
// callback that threw, or after the top level ran again.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/program.h"
#include "model/trace.h"

namespace finrig::engines {

struct EngineRun {
  enum class End {
    Completed,  // `end` seen
    Budget,     // stopped at the callback budget: the trace is a prefix
    Error,      // an op or the program threw what it must not
    Crashed,    // the engine died before `end`
    TimedOut,   // the engine did not finish in time
    BadOutput,  // a line the wire format does not allow
  };
  End end = End::Completed;
  Trace trace;
  std::string detail;                 // for every End but Completed and Budget
  std::vector<std::string> uncaught;  // `uncaught` lines
  // After this program the engine ran no cleanup callback at all (`stalled`): a
  // completeness failure, and the next program needs a fresh engine.
  bool stalled = false;
  // A trace that stops early (Budget, Crashed, TimedOut) is judged as a prefix.
  bool Partial() const { return end != End::Completed; }
};
std::string_view EndName(EngineRun::End end);

// `lines`: what the program printed after its `begin` line. `processEnd` says how the
// engine ended when the output has no `end` line (Crashed or TimedOut).
EngineRun ReadWire(const Program& program, std::string_view lines,
                   EngineRun::End processEnd = EngineRun::End::Crashed,
                   std::string processDetail = "");

}  // namespace finrig::engines
