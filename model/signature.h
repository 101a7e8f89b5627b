// A finding's signature: what makes two findings the same bug, so that a long fuzzing
// run or an engine campaign reports each bug once, with a count, instead of once per
// input that shows it.
//
// Inputs that show one bug differ by accident: which values they make, how they drop
// them, which symptom the checker saw first (a callback delivered twice may first show
// as a callback for an unregistered cell). So a failing program is first reduced to
// its simplest witness (SimplestWitness): minimized while it violates any invariant,
// and for each invariant it violates alone, and the smallest of those kept. The
// signature is then the witness's first violation (its invariant and the op or
// callback it is about) and its shape: the ops that act on registries, the heap and the
// event loop, in order, callback bodies included; not the ops that only make or clear
// values (object, symbol, weakref, a registry made plainly whose callback does nothing,
// assignments, drop), among which minimization picks by accident (a symbol serves as a
// target as well as an object does).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/checker.h"
#include "model/faults.h"
#include "model/program.h"

namespace finrig {

// What a violation is, without where: "invariant 5 at turn", "invariant 1 at
// callback unregister" (an op in a cleanup callback's body), "invariant 12 at end".
// The words of engines' Finding::kind, with "callback" added for body ops.
std::string ViolationKind(const Violation& violation, const Program& program);

// The shape (header): "registry{unregister} register gc turn".
std::string ProgramShape(const Program& program);

struct Signature {
  std::string kind;   // ViolationKind of the first violation, or an engine finding's kind
  std::string shape;  // ProgramShape of the witness
  // "kind | shape": what a person reads.
  std::string Text() const;
  // A name for a folder: "invariant-5-at-turn-" and 8 hex digits of a hash of Text()
  // (FNV-1a, the same in every build), so that runs on different days agree.
  std::string Id() const;
};

// The signature of a program whose run reported `violations` (not empty), in the
// checker's order: the first is the blame, as in `finrig diff`.
Signature SignatureOf(const Program& program, const std::vector<Violation>& violations);

struct Witness {
  Program program;  // minimized; no comments or expectations
  Signature signature;
};

// The simplest witness (header) of the bug `failing` shows under `faults` and
// `profile`, with its signature; nullopt when its run violates no invariant. The
// smallest by op count, then by lowest invariant number (deterministic).
std::optional<Witness> SimplestWitness(const Program& failing, FaultSet faults, Profile profile);

}  // namespace finrig
