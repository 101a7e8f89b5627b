#include "props/judge.h"

#include <algorithm>
#include <string>

#include <rapidcheck.h>

#include "model/model.h"
#include "model/op_facts.h"

namespace finrig::props {
namespace {

void VisitOps(const std::vector<Op>& ops, int depth, const auto& visit) {
  for (const Op& op : ops) {
    visit(op, depth);
    VisitOps(op.body, depth + 1, visit);
  }
}

}  // namespace

std::vector<Violation> Judge(const Program& program, FaultSet faults) {
  const Trace trace = RunProgram(program, faults);
  return CheckTrace(program, trace, CheckOptions{.profile = program.profile, .strict = true});
}

void RequireInvariant(Invariant invariant, const Program& program, FaultSet faults) {
  std::string found;
  for (const Violation& v : Judge(program, faults)) {
    if (v.invariant == invariant || v.invariant == Invariant::TraceMismatch) {
      found += "  " + FormatViolation(v) + "\n";
    }
  }
  if (!found.empty()) RC_FAIL(InvariantId(invariant) + " violated:\n" + found);
}

std::vector<std::pair<std::string, bool>> Coverage(const Program& program) {
  std::vector<bool> kinds(kOpKindCount, false);
  bool registeredSymbol = false, wellKnownSymbol = false, throws = false, gcChoices = false,
       repost = false;
  VisitOps(program.ops, 0, [&](const Op& op, int) {
    kinds[static_cast<int>(op.kind)] = true;
    throws = throws || op.kind == OpKind::Throw;
    gcChoices = gcChoices || op.gcEnqueue != JobsEnqueued::OnePerRegistry ||
                op.gcHold != JobHold::Strong;
    repost = repost || op.turnRepost;
    for (const Operand& operand : op.args) {
      const Value* v = std::get_if<Value>(&operand);
      registeredSymbol = registeredSymbol || (v && std::holds_alternative<RegisteredSymbol>(*v));
      wellKnownSymbol = wellKnownSymbol || (v && std::holds_alternative<WellKnownSymbol>(*v));
    }
  });
  const Trace trace = RunProgram(program);
  const auto count = [&]<class E>() {
    return std::count_if(trace.events.begin(), trace.events.end(),
                         [](const Event& e) { return std::holds_alternative<E>(e); });
  };
  bool typeError = false, uniqueSymbolTarget = false, reentrant = false, rejected = false;
  int callbackDepth = 0;
  std::vector<bool> bodyThrew;  // per running callback: a `throw` fired in its body
  for (const Event& e : trace.events) {
    if (std::holds_alternative<CallbackBegin>(e)) {
      ++callbackDepth;
      bodyThrew.push_back(false);
    }
    // A promise job's body is a function too, but not a callback.
    if (std::holds_alternative<PromiseJobBegin>(e)) bodyThrew.push_back(false);
    if (std::holds_alternative<PromiseJobEnd>(e)) bodyThrew.pop_back();
    if (const auto* end = std::get_if<CallbackEnd>(&e)) {
      --callbackDepth;
      rejected = rejected || (bodyThrew.back() && !end->threw);  // an async callback's
      bodyThrew.pop_back();
    }
    const auto* done = std::get_if<OpDone>(&e);
    if (done == nullptr) continue;
    if (done->result.type == Completion::Type::Throw) bodyThrew.back() = true;
    typeError = typeError || done->result.type == Completion::Type::TypeError;
    reentrant = reentrant || (callbackDepth > 0 && done->op->kind != OpKind::Throw);
    uniqueSymbolTarget = uniqueSymbolTarget || (done->op->kind == OpKind::NewSymbol);
  }
  std::vector<std::pair<std::string, bool>> coverage;
  for (int k = 0; k < kOpKindCount; ++k) {
    coverage.emplace_back("op " + std::string(OpKindName(static_cast<OpKind>(k))), kinds[k]);
  }
  coverage.emplace_back("es2021 profile", program.profile == Profile::Es2021);
  coverage.emplace_back("unique symbol", uniqueSymbolTarget);
  coverage.emplace_back("registered symbol", registeredSymbol);
  coverage.emplace_back("well-known symbol", wellKnownSymbol);
  coverage.emplace_back("TypeError", typeError);
  coverage.emplace_back("callback", count.operator()<CallbackBegin>() > 0);
  coverage.emplace_back("op run inside a callback", reentrant);
  coverage.emplace_back("callback threw", std::any_of(trace.events.begin(), trace.events.end(),
                                                      [](const Event& e) {
                                                        const auto* end = std::get_if<CallbackEnd>(&e);
                                                        return end && end->threw;
                                                      }));
  coverage.emplace_back("async callback's throw rejected its promise", rejected);
  coverage.emplace_back("throw op", throws);
  coverage.emplace_back("gc enqueue or hold", gcChoices);
  coverage.emplace_back("turn repost", repost);
  coverage.emplace_back("collection", count.operator()<Collected>() > 0);
  coverage.emplace_back("promise job", count.operator()<PromiseJobBegin>() > 0);
  return coverage;
}

void TagCoverage(const Program& program) {
  for (const auto& [name, present] : Coverage(program)) {
    if (present) RC_TAG(name);
  }
}

}  // namespace finrig::props
