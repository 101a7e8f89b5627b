// The structure-aware mutator, as libprotobuf-mutator's: it decodes the input to a
// Program (decoding is total), edits ops rather than bytes (insert a generated op,
// delete, duplicate, copy, swap, edit operands and options, edit a callback body,
// toggle the profile) and encodes the result canonically, within a size budget.
// model_mutator_fuzzer (fuzz/) is its libFuzzer glue and passes libFuzzer's byte
// mutator in for the byte-level edits (a whole input, or one op's bytes spliced back
// among the others); `finrig diff` makes its mutants with it; unit tests run it alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "model/program.h"

namespace finrig::gen {

// LLVMFuzzerMutate's shape: mutate data[0, size) in place, at most maxSize bytes;
// returns the new size.
using ByteMutator = std::size_t (*)(std::uint8_t* data, std::size_t size, std::size_t maxSize);

// The structural ones are one mutator class each in mutator.cpp (Fuzzilli's
// canMutate + mutate), picked by weight from the one table there; the byte-level ones
// stay steps of MutateProgram, as only the libFuzzer edge has bytes to give them.
enum class Mutation : std::uint8_t {
  InsertOp,       // a generated op (handles of fitting kinds from the program) anywhere
  DeleteOp,       // an op of any op list
  DuplicateOp,    // an op again, just after itself
  CopyOp,         // an op from anywhere in the program to another place
  SwapOps,        // two adjacent ops
  EditOp,         // an operand, the dest, an option, a token, or a related kind
  ToggleProfile,  // es2023 <-> es2021
  EditBody,       // insert/delete/duplicate/swap/edit inside a callback body (makes one)
  EditBudget,     // a small callback budget (`# budget:`), or back to the default
  ByteOp,         // the byte mutator on one top-level op's bytes (needs a ByteMutator)
  ByteAll,        // the byte mutator on the whole input (needs a ByteMutator)
};
inline constexpr int kMutationCount = static_cast<int>(Mutation::ByteAll) + 1;
std::string_view MutationName(Mutation mutation);

// The libFuzzer custom mutator: 1-3 structural edits of the program in data[0, size)
// (or, with a byte mutator, sometimes one byte-level edit), written back to data.
// Never returns more than maxSize (a program too big loses ops); deterministic in
// (input, maxSize, seed) given a deterministic byte mutator. When `applied` is given it
// receives the mutations made, in order.
std::size_t MutateProgram(std::uint8_t* data, std::size_t size, std::size_t maxSize,
                          unsigned seed, ByteMutator byteMutator = nullptr,
                          std::vector<Mutation>* applied = nullptr);

// The libFuzzer custom cross-over: splices the op lists of two programs (a prefix of
// one and a suffix of the other, or a run of the second's ops inserted into the first)
// into out, at most maxOutSize bytes.
std::size_t CrossOver(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                      std::size_t size2, std::uint8_t* out, std::size_t maxOutSize,
                      unsigned seed);

// The structural part on a Program, for tests: one mutation of the given kind (not
// ByteOp/ByteAll) with randomness from seed. The result is a program in the loose
// sense the encoder accepts (EncodeProgram then DecodeProgram makes it valid).
Program MutateStructure(const Program& program, Mutation mutation, unsigned seed);

}  // namespace finrig::gen
