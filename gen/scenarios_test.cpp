// The scenarios (gen/scenarios.h) reach what they are written for: on the spec model
// every variant of each keeps every invariant, and with the fault it aims at injected,
// its plain form breaks an invariant (the model_fuzzer check, fuzz/harness.h). Were a
// scenario to drift from its fault, the fuzzers would lose their shortest road to it.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "fuzz/harness.h"
#include "gen/scenarios.h"
#include "model/binary.h"
#include "model/text.h"

namespace finrig::gen {
namespace {

std::optional<std::string> Check(const ScenarioDraw& draw, FaultSet faults) {
  return fuzz::FuzzModel(EncodeProgram(Program{.ops = MakeScenario(draw)}), faults);
}

TEST(Scenarios, KeepEveryInvariantOnTheSpecModel) {
  for (int s = 0; s < kScenarioCount; ++s) {
    for (std::uint32_t variation = 0; variation < kScenarioVariations; ++variation) {
      for (int shift : {0, 3, 7}) {
        const ScenarioDraw draw{.scenario = Scenario(s), .shift = shift, .variation = variation};
        const std::optional<std::string> report = Check(draw, {});
        EXPECT_FALSE(report) << ScenarioName(Scenario(s)) << ": " << *report;
      }
    }
  }
}

// The fault each scenario is the shortest road to (CallbackReenters aims at none alone).
TEST(Scenarios, EachBreaksTheModelWithItsFault) {
  struct Aim {
    Scenario scenario;
    const char* fault;
  };
  const Aim aims[] = {
      {Scenario::UnregisterAfterDeath, "callback-after-unregister"},
      {Scenario::SharedToken, "unregister-other-registry"},
      {Scenario::ThrowLeavesCells, "throw-drops-cells"},
      {Scenario::WeakRefAcrossTurn, "weakref-not-cleared"},
      {Scenario::RegistryDiesWithJob, "collected-registry-delivers"},
      {Scenario::LinkKeepsTarget, "callback-while-reachable"},
      {Scenario::CellKeepsHeldValue, "held-value-held-weakly"},
      {Scenario::KeptAliveBeforeTurn, "kept-alive-ignored"},
      {Scenario::RegisteredSymbolTarget, "registered-symbol-accepted"},
      {Scenario::ManyCells, "cells-past-64-lost"},
      {Scenario::AsyncThrowGoesOn, "async-rejection-ends-job"},
      {Scenario::KeptAliveThroughCheckpoint, "kept-alive-cleared-before-microtasks"},
  };
  for (const Aim& aim : aims) {
    FaultSet faults;
    faults.Add(*FaultFromName(aim.fault));
    for (std::uint32_t variation = 0; variation < kScenarioVariations; ++variation) {
      const ScenarioDraw draw{.scenario = aim.scenario, .variation = variation};
      EXPECT_TRUE(Check(draw, faults))
          << ScenarioName(aim.scenario) << " (variation " << variation << ") misses " << aim.fault
          << ":\n"
          << PrintProgram(Program{.ops = MakeScenario(draw)});
    }
  }
}

TEST(Scenarios, SlotsStayAmongTheHandlesGiven) {
  for (int s = 0; s < kScenarioCount; ++s) {
    std::set<Handle> used;
    for (const Op& op : MakeScenario({.scenario = Scenario(s), .first = 10, .count = 6, .shift = 5})) {
      if (op.dest) used.insert(*op.dest);
    }
    ASSERT_FALSE(used.empty());
    EXPECT_GE(*used.begin(), 10);
    EXPECT_LT(*used.rbegin(), 16);
  }
}

// fuzz/model_fuzzer.dict's scenario_* entries are these scenarios' bytes (plain, on
// h0..h7, without the header byte), so byte mutation can splice in the same roads.
TEST(Scenarios, DictionaryHoldsTheirBytes) {
  std::ifstream dict(std::string(FINRIG_SOURCE_DIR) + "/fuzz/model_fuzzer.dict");
  ASSERT_TRUE(dict) << "no fuzz/model_fuzzer.dict";
  std::map<std::string, std::string> entries;  // name -> the quoted text, escapes as written
  for (std::string line; std::getline(dict, line);) {
    const std::size_t eq = line.find("=\"");
    if (line.starts_with("scenario_") && eq != std::string::npos && line.ends_with('"')) {
      entries[line.substr(0, eq)] = line.substr(eq + 2, line.size() - eq - 3);
    }
  }
  for (int s = 0; s < kScenarioCount; ++s) {
    std::string name = "scenario_" + std::string(ScenarioName(Scenario(s)));
    std::replace(name.begin(), name.end(), '-', '_');
    const std::vector<std::uint8_t> bytes = EncodeProgram(Program{.ops = MakeScenario({.scenario = Scenario(s)})});
    std::string escaped;
    for (std::size_t i = 1; i < bytes.size(); ++i) {  // past the header
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", bytes[i]);
      escaped += hex;
    }
    EXPECT_EQ(entries[name], escaped) << "fuzz/model_fuzzer.dict should say " << name << "=\"" << escaped << '"';
  }
}

}  // namespace
}  // namespace finrig::gen
