#include "engines/model_engine.h"

#include "engines/diff.h"
#include "engines/js.h"
#include "model/binary.h"
#include "model/host.h"
#include "model/model.h"

namespace finrig::engines {
namespace {

// FNV-1a over the program's binary form: the same program, the same choices.
std::uint64_t Fingerprint(const Program& program, std::uint64_t seed) {
  std::uint64_t hash = 0xcbf29ce484222325 ^ seed;
  for (std::uint8_t byte : EncodeProgram(program)) {
    hash = (hash ^ byte) * 0x100000001b3;
  }
  return hash;
}

}  // namespace

std::string ModelEngine::Wire(const Program& program) const {
  model::RandomHost host(Fingerprint(program, seed_), complete_, repost_);
  return WriteWire(program, RunProgram(program, host, faults_, profile_));
}

std::vector<EngineRun> ModelEngine::Run(const std::vector<const Program*>& programs) {
  std::vector<EngineRun> runs;
  for (const Program* program : programs) runs.push_back(ReadWire(*program, Wire(*program)));
  return runs;
}

SelfTestRun JudgeModelAsEngine(const Program& program, std::uint64_t seed, bool complete,
                               FaultSet faults, bool letter) {
  SelfTestRun test{.ran = Approximate(program).program, .run = {}, .violations = {}};
  if (complete) test.ran = WithSettle(std::move(test.ran));
  test.run =
      ModelEngine(test.ran.profile, seed, faults, complete, /*repost=*/!letter).Run({&test.ran}).at(0);
  test.violations = CheckTrace(test.ran, test.run.trace,
                               CheckOptions{.profile = test.ran.profile,
                                            .strict = false,
                                            .completeAtEnd = complete,
                                            .letter = letter});
  return test;
}

std::optional<CorruptedRun> JudgeCorruptedRun(const Program& program, std::uint64_t seed,
                                              Corruption kind) {
  CorruptedRun test{.ran = Approximate(program).program, .wire = {}, .violations = {}, .stats = {}};
  const ModelEngine engine(test.ran.profile, seed);
  SplitMix64 random(Fingerprint(test.ran, seed) ^ static_cast<std::uint64_t>(kind));
  std::optional<std::string> wire = Corrupt(kind, test.ran, engine.Wire(test.ran), random);
  if (!wire) return std::nullopt;
  test.wire = std::move(*wire);
  const EngineRun run = ReadWire(test.ran, test.wire);
  test.violations = CheckTrace(test.ran, run.trace,
                               CheckOptions{.profile = test.ran.profile, .strict = false,
                                            .partial = run.Partial()},
                               &test.stats);
  if (run.end == EngineRun::End::BadOutput) {
    test.violations.push_back(Violation{.invariant = Invariant::TraceMismatch, .message = run.detail});
  }
  return test;
}

}  // namespace finrig::engines
