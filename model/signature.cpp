#include "model/signature.h"

#include <cctype>
#include <cstdint>

#include <fmt/format.h>

#include "model/minimize.h"
#include "model/model.h"

namespace finrig {
namespace {

// Whether `op` is one of the ops in `ops` or in their bodies, and if so, whether it is
// in a body.
enum class Place { Absent, TopLevel, InBody };
Place PlaceOf(const Op* op, const std::vector<Op>& ops, bool inBody) {
  for (const Op& candidate : ops) {
    if (&candidate == op) return inBody ? Place::InBody : Place::TopLevel;
    if (const Place found = PlaceOf(op, candidate.body, true); found != Place::Absent) {
      return found;
    }
  }
  return Place::Absent;
}

// Whether an op only makes or clears a value (header: left out of the shape).
bool OnlyMakesOrClearsAValue(const Op& op) {
  switch (op.kind) {
    case OpKind::NewObject:
    case OpKind::NewSymbol:
    case OpKind::NewWeakRef:
    case OpKind::NewWeakMap:
    case OpKind::NewWeakSet:
    case OpKind::Assign:
    case OpKind::Drop:
      return true;
    // A registry made another way (a value for its callback, another NewTarget) is
    // a test of the constructor's steps, not a value made in passing.
    case OpKind::NewRegistry:
      return op.body.empty() && !op.registryCallbackArg &&
             op.registryNewTarget == RegistryNewTarget::Constructor;
    default:
      return false;
  }
}

void AppendShape(const std::vector<Op>& ops, std::string& out) {
  for (const Op& op : ops) {
    if (OnlyMakesOrClearsAValue(op)) continue;
    if (!out.empty() && out.back() != '{') out += ' ';
    out += OpKindName(op.kind);
    // A callback's ops are part of the shape: a bug in what a callback does is not one
    // in what the program around it does. So is its being async, which changes what its
    // throw does.
    if (op.kind == OpKind::NewRegistry || op.kind == OpKind::Repeat) {
      if (op.registryAsync) out += " async";
      out += '{';
      AppendShape(op.body, out);
      out += '}';
    }
  }
}

// FNV-1a, 64 bits: stable across compilers and runs, unlike std::hash.
std::uint64_t Fnv1a(std::string_view text) {
  std::uint64_t hash = 0xcbf29ce484222325ULL;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

// A witness's size as a reader follows it: a repeat's ops as many times as it runs them
// (else `repeat 2 { object register }` would read as smaller than the two registrations
// it stands for, and a loop would change which witness, so which signature, wins).
int UnrolledOpCount(const std::vector<Op>& ops) {
  int n = 0;
  for (const Op& op : ops) {
    const int body = UnrolledOpCount(op.body);
    n += 1 + (op.kind == OpKind::Repeat ? static_cast<int>(op.repeatCount) * body : body);
  }
  return n;
}

}  // namespace

std::string ViolationKind(const Violation& violation, const Program& program) {
  if (violation.op == nullptr) return fmt::format("{} at end", InvariantId(violation.invariant));
  const bool inBody = PlaceOf(violation.op, program.ops, false) == Place::InBody;
  return fmt::format("{} at {}{}", InvariantId(violation.invariant), inBody ? "callback " : "",
                     OpKindName(violation.op->kind));
}

std::string ProgramShape(const Program& program) {
  std::string shape;
  AppendShape(program.ops, shape);
  return shape;
}

std::string Signature::Text() const { return kind + " | " + shape; }

std::string Signature::Id() const {
  std::string slug;
  for (const char c : kind) {
    if (std::isalnum(static_cast<unsigned char>(c)) != 0) {
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    } else if (!slug.empty() && slug.back() != '-') {
      slug += '-';
    }
  }
  return fmt::format("{}-{:08x}", slug, Fnv1a(Text()) & 0xffffffffU);
}

Signature SignatureOf(const Program& program, const std::vector<Violation>& violations) {
  return Signature{ViolationKind(violations.front(), program), ProgramShape(program)};
}

std::optional<Witness> SimplestWitness(const Program& failing, FaultSet faults, Profile profile) {
  const std::optional<FailureTarget> target = TargetOf(failing, faults, profile);
  if (!target) return std::nullopt;
  // Candidates: the program minimized while it violates anything at all (a second
  // delivery first seen as a callback for an unregistered cell loses the unregister
  // and shows as what it is), and minimized for each invariant it violates, alone
  // (ddmin's result is only 1-minimal, so one of these may be smaller).
  std::vector<FailurePredicate> predicates = {[&](const Program& candidate) {
    return TargetOf(candidate, faults, profile).has_value();
  }};
  for (const Invariant invariant : target->invariants) {
    predicates.push_back(StillViolates(FailureTarget{{invariant}, faults, profile}));
  }
  std::optional<Program> best;
  for (const FailurePredicate& stillFails : predicates) {
    const std::optional<MinimizeResult> result = Minimize(failing, stillFails);
    if (result && (!best || UnrolledOpCount(result->program.ops) < UnrolledOpCount(best->ops))) {
      best = result->program;
    }
  }
  if (!best) return std::nullopt;
  best->profile = profile;
  const std::vector<Violation> violations = CheckTrace(
      *best, RunProgram(*best, faults, profile), CheckOptions{.profile = profile, .strict = true});
  Signature signature = SignatureOf(*best, violations);
  return Witness{*std::move(best), std::move(signature)};
}

}  // namespace finrig
