// The binary program form, for fuzzers: every byte string decodes to a valid program
// (decoding is total and never fails), and Decode(Encode(p)) == StripToSemantics(p).
// Layout documented in binary.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "model/program.h"

namespace finrig {

Program DecodeProgram(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> EncodeProgram(const Program& program);

}  // namespace finrig
