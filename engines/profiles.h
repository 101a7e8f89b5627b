// Engine profiles: which engines finrig knows how to drive and what to expect of each,
// so that known, allowed differences are configuration rather than false alarms.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "model/value.h"

namespace finrig::engines {

struct EngineProfile {
  std::string_view name;     // as in `finrig diff --engine NAME`
  std::string_view engine;   // what runs, and the version finrig was checked against
  std::string_view how;      // how finrig drives it
  Profile profile;           // the edition whose CanBeHeldWeakly the engine follows
  // Whether --strict (completeness: after a full gc and a few turns, every cell whose
  // target nothing reaches has had its callback) is expected to hold.
  bool strictCompleteness;
  // After a throwing callback, a new job for the cells left, without another collection
  // (docs/SEMANTICS.md, choice 5): beyond the letter of ECMA-262, accepted from an engine
  // that declares it unless `--letter` is asked for.
  bool repostsAfterThrow;
  std::string_view notes;
};

std::span<const EngineProfile> EngineProfiles();
std::optional<EngineProfile> EngineProfileNamed(std::string_view name);

}  // namespace finrig::engines
