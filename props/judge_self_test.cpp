// The judge's self-test as properties: the model plays an engine that makes any choice
// ECMA-262 leaves open (engines::ModelEngine, a model::RandomHost), and the checker,
// judging its trace as an engine's, must accept it. A counterexample shrinks to a
// small program and a seed; `finrig diff --engine model` is the same test at scale.
#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <vector>
#include <rapidcheck/gtest.h>

#include "engines/model_engine.h"
#include "gen/lookalike.h"
#include "props/generators.h"

namespace finrig::props {
namespace {

void RequireAccepted(const Program& program, std::uint64_t seed, bool complete,
                     bool letter = false) {
  const engines::SelfTestRun test = engines::JudgeModelAsEngine(program, seed, complete, {}, letter);
  RC_ASSERT(test.run.end == engines::EngineRun::End::Completed);
  for (const Violation& v : test.violations) RC_LOG() << v.line << ": " << v.message << "\n";
  RC_ASSERT(test.violations.empty());
}

RC_GTEST_PROP(Judge, AcceptsAnyLegalRun, ()) {
  RequireAccepted(*GenProgram(), *rc::gen::arbitrary<std::uint64_t>(), false);
}

// With --strict the engine must also deliver what it owes; the complete host does.
RC_GTEST_PROP(Judge, AcceptsACompleteRunStrictly, ()) {
  RequireAccepted(*GenProgram(), *rc::gen::arbitrary<std::uint64_t>(), true);
}

// An engine that never re-posts a job after a throw, judged by the letter of ECMA-262
// (--letter): counting jobs against the collections that may have enqueued them must
// not reject it. Look-alike programs throw often.
RC_GTEST_PROP(Judge, AcceptsALegalRunByTheLetter, ()) {
  const Program program = *rc::gen::oneOf(
      GenProgram(), rc::gen::map(rc::gen::arbitrary<std::uint64_t>(), gen::LookalikeProgram));
  RequireAccepted(program, *rc::gen::arbitrary<std::uint64_t>(), false, /*letter=*/true);
}

// The other half: a legal run changed so that no choice explains it must be rejected.
// Look-alike programs, where the judge has the most choices to hide a corruption in.
RC_GTEST_PROP(Judge, RejectsWhatNoChoiceExplains, ()) {
  std::vector<engines::CorruptionFacts> illegal;
  std::copy_if(engines::kCorruptions.begin(), engines::kCorruptions.end(),
               std::back_inserter(illegal), [](const auto& c) { return c.alwaysIllegal; });
  const auto facts = *rc::gen::elementOf(illegal);
  const Program program = gen::LookalikeProgram(*rc::gen::arbitrary<std::uint64_t>());
  const auto test =
      engines::JudgeCorruptedRun(program, *rc::gen::arbitrary<std::uint64_t>(), facts.kind);
  RC_PRE(test.has_value());
  RC_LOG() << facts.name << "\n" << test->wire;
  RC_ASSERT(!test->violations.empty());
}

}  // namespace
}  // namespace finrig::props
