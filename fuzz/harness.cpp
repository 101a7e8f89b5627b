#include "fuzz/harness.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>

#include <fmt/format.h>

#include "engines/model_engine.h"
#include "engines/wire.h"
#include "model/binary.h"
#include "model/checker.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::fuzz {

namespace {
void WithoutKnownSpiderMonkeyBug(std::vector<Op>& ops) {
  for (Op& op : ops) {
    if (op.registryCallbackArg && op.registryNewTarget == RegistryNewTarget::Throwing) {
      op.registryNewTarget = RegistryNewTarget::Constructor;
    }
    WithoutKnownSpiderMonkeyBug(op.body);
  }
}
}  // namespace

Program WithoutKnownSpiderMonkeyBug(Program program) {
  WithoutKnownSpiderMonkeyBug(program.ops);
  return program;
}

std::variant<FaultSet, std::string> FaultsFromEnvironment() {
  FaultSet faults;
  const char* names = std::getenv("FINRIG_FAULTS");
  if (names == nullptr) return faults;
  std::string_view rest(names);
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    if (const std::optional<Fault> fault = FaultFromName(name)) {
      faults.Add(*fault);
    } else if (!name.empty()) {
      return fmt::format("FINRIG_FAULTS: unknown fault '{}'\n", name);
    }
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
  }
  return faults;
}

Program DecodeForFuzzing(std::span<const std::uint8_t> bytes) {
  Program program = DecodeProgram(bytes);
  std::int64_t left = kFuzzOps;
  for (Op& op : program.ops) {
    const std::int64_t ops = 1 + OpCount(op.body);
    if (op.kind == OpKind::Repeat) {
      op.repeatCount = static_cast<std::uint32_t>(
          std::clamp<std::int64_t>(left / ops, 1, op.repeatCount));
    }
    left -= ops * op.repeatCount;
  }
  program.callbackBudget = std::min(program.callbackBudget, kFuzzBudget);
  return program;
}

std::optional<std::string> FuzzModel(std::span<const std::uint8_t> bytes, FaultSet faults) {
  const Program program = DecodeForFuzzing(bytes);
  const Trace trace = RunProgram(program, faults);
  const std::vector<Violation> violations =
      CheckTrace(program, trace, CheckOptions{.profile = program.profile, .strict = true});
  if (violations.empty()) return std::nullopt;
  std::string report = "finrig: the model's trace breaks the spec\n";
  for (const Violation& v : violations) {
    report += "  " + FormatViolation(v, {}, ViolationStyle::Tagged) + "\n";
  }
  return report + "program:\n" + PrintProgram(program);
}

std::optional<std::string> FuzzAcceptor(std::span<const std::uint8_t> bytes,
                                        FaultSet engineFaults) {
  const bool complete = !bytes.empty() && (bytes.back() & 1) != 0;
  const engines::SelfTestRun test =
      engines::JudgeModelAsEngine(DecodeForFuzzing(bytes), /*seed=*/0, complete, engineFaults);
  const std::vector<Violation>& violations = test.violations;
  if (violations.empty()) return std::nullopt;
  std::string report = fmt::format("finrig: the judgement rejects a legal run{}\n",
                                   complete ? " (complete host, --strict)" : "");
  for (const Violation& v : violations) {
    report += "  " + FormatViolation(v, {}, ViolationStyle::Tagged) + "\n";
  }
  return report + "program:\n" + PrintProgram(test.ran) + "engine's trace:\n" +
         engines::WriteWire(test.ran, test.run.trace);
}

std::optional<std::string> FuzzParse(std::string_view text) {
  std::string printed;
  try {
    printed = PrintProgram(ParseProgram(text, "<fuzz>"));
  } catch (const ParseError&) {
    return std::nullopt;  // rejecting bad input with a located message is the job
  }
  try {
    const std::string again = PrintProgram(ParseProgram(printed, "<printed>"));
    if (again != printed) {
      return "finrig: canonical text is not a fixpoint\nfirst:\n" + printed + "second:\n" + again;
    }
  } catch (const ParseError& e) {
    return fmt::format("finrig: canonical text does not parse: {}\n{}", e.what(), printed);
  }
  return std::nullopt;
}

std::optional<std::string> FuzzRoundTrip(std::span<const std::uint8_t> bytes) {
  const Program program = DecodeProgram(bytes);
  const std::string text = PrintProgram(program);
  const std::vector<std::uint8_t> encoded = EncodeProgram(program);
  try {
    const Program fromText = ParseProgram(text, "<printed>");
    if (EncodeProgram(fromText) != encoded) {
      return "finrig: text and binary forms disagree on\n" + text;
    }
  } catch (const ParseError& e) {
    return fmt::format("finrig: a decoded program prints as text that does not parse: {}\n{}",
                       e.what(), text);
  }
  if (PrintProgram(DecodeProgram(encoded)) != text) {
    return "finrig: decode(encode(p)) differs from p\n" + text;
  }
  return std::nullopt;
}

void AbortOn(const std::optional<std::string>& report) {
  if (!report) return;
  std::fputs(report->c_str(), stderr);
  std::abort();
}

FaultSet FaultsOrAbort() {
  std::variant<FaultSet, std::string> faults = FaultsFromEnvironment();
  if (const auto* report = std::get_if<std::string>(&faults)) AbortOn(*report);
  return std::get<FaultSet>(faults);
}

}  // namespace finrig::fuzz
