#include "engines/diff.h"

#include <algorithm>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "model/checker.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

// The op a violation is about ("turn" for a callback's), or "end" for the end of the run.
std::string Kind(const Violation& v) {
  return fmt::format("{} at {}", InvariantId(v.invariant),
                     v.op != nullptr ? OpKindName(v.op->kind) : "end");
}

// What the in-step walk compares: each top-level op's completion, and for each turn the
// callbacks it ran, as a sorted list (engines choose the order).
struct Step {
  const Op* op;
  std::string result;
  std::vector<std::string> callbacks;  // turns only
};

std::vector<Step> Steps(const Trace& trace) {
  std::vector<Step> steps;
  std::vector<std::string> callbacks;
  int depth = 0;  // callbacks being run
  for (const Event& event : trace.events) {
    if (const auto* begin = std::get_if<CallbackBegin>(&event)) {
      if (depth++ == 0) callbacks.push_back(fmt::format("@{}({})", begin->registry, ToText(begin->held)));
    } else if (std::holds_alternative<CallbackEnd>(event)) {
      --depth;
    } else if (const auto* done = std::get_if<OpDone>(&event); done != nullptr && depth == 0) {
      std::sort(callbacks.begin(), callbacks.end());
      steps.push_back(Step{done->op, CompletionToText(done->result), std::move(callbacks)});
      callbacks.clear();
    }
  }
  return steps;
}

// Ops whose result a correct engine and the model must share once their histories
// agree: the rest (deref, unregister) answer what the engine chose to collect and
// deliver, which it may choose differently.
bool DependsOnChoices(const Op& op) {
  return op.kind == OpKind::Deref || op.kind == OpKind::Unregister;
}

std::optional<Finding> FirstDisagreement(const Trace& engine, const Trace& model,
                                         const std::map<const Op*, std::string>& paths) {
  const std::vector<Step> e = Steps(engine);
  const std::vector<Step> m = Steps(model);
  for (std::size_t i = 0; i < std::min(e.size(), m.size()); ++i) {
    if (e[i].op != m[i].op) return std::nullopt;  // the checker reports the mismatch
    if (e[i].callbacks != m[i].callbacks) return std::nullopt;
    if (e[i].result == m[i].result) continue;
    if (DependsOnChoices(*e[i].op)) return std::nullopt;
    return Finding{Finding::Source::Disagreement,
                   fmt::format("line {}: `{}` gave {} on the engine and {} on the model",
                               e[i].op->line, PrintOpHead(*e[i].op), e[i].result, m[i].result),
                   fmt::format("disagree at {}", OpKindName(e[i].op->kind)), std::nullopt,
                   paths.at(e[i].op)};
  }
  return std::nullopt;
}

}  // namespace

std::string_view SourceName(Finding::Source source) {
  switch (source) {
    case Finding::Source::Engine: return "engine";
    case Finding::Source::Model: return "finrig";
    case Finding::Source::Disagreement: return "disagree";
  }
  return "?";
}

DiffResult Diff(const Program& program, const EngineRun& engine, const DiffOptions& options) {
  DiffResult result;
  const std::map<const Op*, std::string> paths = OpPaths(program);
  const auto add = [&](Finding::Source source, std::string message, std::string kind,
                       std::optional<Invariant> invariant = std::nullopt,
                       const Op* op = nullptr) {
    const auto path = paths.find(op);
    result.findings.push_back(Finding{source, std::move(message), std::move(kind), invariant,
                                      path != paths.end() ? path->second : ""});
  };
  if (engine.end != EngineRun::End::Completed && engine.end != EngineRun::End::Budget &&
      engine.end != EngineRun::End::EndedAtThrow) {
    add(Finding::Source::Engine, fmt::format("{}: {}", EndName(engine.end), engine.detail),
        std::string(EndName(engine.end)));
  }
  if (engine.stalled && options.strict) {
    add(Finding::Source::Engine,
        FormatViolation(Violation{.invariant = Invariant::Completeness,
                                  .message = "after this program the engine ran no cleanup "
                                             "callback at all, not even a fresh registry's"}),
        "stalled", Invariant::Completeness);
  }
  if (!engine.diedAfterEnd.empty()) {
    add(Finding::Source::Engine,
        "the engine died after the program's end, before the batch was done: " +
            engine.diedAfterEnd,
        "died after end");
  }
  for (const std::string& uncaught : engine.uncaught) {
    add(Finding::Source::Engine, "an exception no one caught: " + uncaught, "uncaught");
  }
  if (engine.end != EngineRun::End::BadOutput) {
    const CheckOptions acceptor{.profile = options.profile,
                                .strict = false,
                                .partial = engine.Partial(),
                                .completeAtEnd = options.strict && !engine.Partial(),
                                .letter = options.letter,
                                .maxRuns = options.searchRuns};
    CheckStats stats;
    const std::vector<Violation> violations = CheckTrace(program, engine.trace, acceptor, &stats);
    for (const Violation& v : violations) {
      add(Finding::Source::Engine, FormatViolation(v), Kind(v), v.invariant, v.op);
    }
    result.undecided = stats.undecided;
    // A trace the checker accepts, some legal choices explain: the model must be able
    // to make them and produce it.
    if (violations.empty() && !stats.undecided && options.replayRuns > 0) {
      result.replay = ReplayOnModel(program, engine.trace,
                                    ReplayOptions{.profile = options.profile,
                                                  .faults = options.modelFaults,
                                                  .partial = engine.Partial(),
                                                  .letter = options.letter,
                                                  .promised = acceptor.completeAtEnd,
                                                  .maxRuns = options.replayRuns});
    }
  }

  result.model = RunProgram(program, options.modelFaults, options.profile);
  for (const Violation& v :
       CheckTrace(program, result.model, CheckOptions{.profile = options.profile})) {
    add(Finding::Source::Model, "the model's own run breaks " + FormatViolation(v), Kind(v),
        v.invariant, v.op);
  }
  if (result.replay && result.replay->outcome == Replay::Outcome::Impossible) {
    const Replay& r = *result.replay;
    add(Finding::Source::Disagreement,
        fmt::format("{}the engine's trace goes on with {}; no choice the model can make "
                    "produces that: its closest runs give {}",
                    r.op != nullptr ? fmt::format("line {}: ", r.op->line) : "", r.engineEvent,
                    r.modelEvents),
        fmt::format("disagree at {}", r.op != nullptr ? OpKindName(r.op->kind) : "end"),
        std::nullopt, r.op);
  } else if (!result.replay || result.replay->outcome == Replay::Outcome::Undecided) {
    if (std::optional<Finding> d = FirstDisagreement(engine.trace, result.model, paths)) {
      result.findings.push_back(std::move(*d));
    }
  }
  return result;
}

Program WithSettle(Program program) {
  program.ops.push_back(Op{.kind = OpKind::Gc});
  for (int i = 0; i < 3; ++i) program.ops.push_back(Op{.kind = OpKind::Turn});
  return program;
}

}  // namespace finrig::engines
