// The wire format (docs/WIRE.md): what an emitted script (engines/js.h) prints for one
// program, one event per line ("op 3 @2", "cb @1 \"x\"", "ret", "end", ...), and its
// reading back into a Trace the checker can judge. Engines show no job boundaries: the
// reader begins a job at a callback of another registry than the last one, after a
// callback that threw, or after the top level ran again; the checker considers the
// boundaries it cannot see.
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
    // The shell ended the program where a cleanup callback threw, as jsc does with an
    // exception no one caught (ShellOptions::endsAtThrow): the trace is a prefix.
    EndedAtThrow,
    Error,      // an op or the program threw what it must not
    Crashed,    // the engine died before `end`
    TimedOut,   // the engine did not finish in time
    BadOutput,  // a line the wire format does not allow
  };
  End end = End::Completed;
  Trace trace;
  std::string detail;                 // for every End but Completed, Budget, EndedAtThrow
  std::vector<std::string> uncaught;  // `uncaught` lines
  // After this program the engine ran no cleanup callback at all (`stalled`): a
  // completeness failure, and the next program needs a fresh engine.
  bool stalled = false;
  // The engine died after this program's `end`, before the batch was done (in the
  // liveness canary, or cleaning up): how, for a finding; a crash is a bug wherever.
  std::string diedAfterEnd = {};
  // A trace that stops early (Budget, EndedAtThrow, Crashed, TimedOut) is judged as a
  // prefix.
  bool Partial() const { return end != End::Completed; }
};
std::string_view EndName(EngineRun::End end);

// The lines an engine would print for `trace` (from the `op` after `begin` to `end`):
// what a run of the model looks like from outside, without its collections and job
// boundaries. The model plays an engine through this (engines/selftest.h).
std::string WriteWire(const Program& program, const Trace& trace);

// `lines`: what the program printed after its `begin` line. `processEnd` says how the
// engine ended when the output has no `end` line (Crashed or TimedOut).
EngineRun ReadWire(const Program& program, std::string_view lines,
                   EngineRun::End processEnd = EngineRun::End::Crashed,
                   std::string processDetail = "");

}  // namespace finrig::engines
