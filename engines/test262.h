// test262's format for a finrig program (`finrig js --flavor test262`): front matter
// that says what the program is about (esid, the ECMA-262 steps it exercises as info)
// and what it needs (features, flags), then the host and the program. The runtime is
// not pasted in: tests include it as the harness file finrigRuntime.js.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/program.h"

namespace finrig::engines {

inline constexpr std::string_view kTest262Include = "finrigRuntime.js";

// `program` already approximated (js.h); `changes` are listed in the info.
std::string EmitTest262(const Program& program, std::string_view name,
                        const std::vector<std::string>& changes);

// Why `program` cannot be a test262 test, or "" when it can: an exception thrown by a
// cleanup callback (the `throw` op) reaches the host, and test262 hosts report it as
// the test's failure, so a correct engine would fail it.
std::string_view Test262Obstacle(const Program& program);

// The harness file kTest262Include: engines/runtime.js as test262 includes it.
std::string Test262Include();

}  // namespace finrig::engines
