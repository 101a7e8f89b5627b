// Programs shaped where judging an engine is hardest: a few registries whose cells
// share heldValues and tokens, targets that die at different times, unregisters
// before, between and after deliveries, WeakRefs whose deref revives a target, and
// callbacks that unregister, deref, register, collect or throw. Corpus mutants seldom
// reach these shapes; the judge's self-test (`finrig diff --engine model
// --generator lookalike`) needs them.
#pragma once

#include <cstdint>

#include "model/program.h"

namespace finrig::gen {

// The same seed, the same program, everywhere.
Program LookalikeProgram(std::uint64_t seed);

}  // namespace finrig::gen
