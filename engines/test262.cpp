#include "engines/test262.h"

#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "engines/js.h"
#include "model/model.h"

namespace finrig::engines {
namespace {

// An ECMA-262 section a program can exercise, with the steps quoted in its info.
struct Section {
  std::optional<OpKind> op;  // the op that runs it; none for CanBeHeldWeakly
  std::string_view esid;
  std::string_view steps;
};

constexpr Section kCanBeHeldWeakly{std::nullopt, "sec-canbeheldweakly", R"(CanBeHeldWeakly ( v )
  1. If v is an Object, return true.
  2. If v is a Symbol and KeyForSymbol(v) is undefined, return true.
  3. Return false.
)"};

// In the order a program's esid is chosen by (Esid): the more specific first.
constexpr std::array<Section, 7> kSections = {{
    {OpKind::Unregister, "sec-finalization-registry.prototype.unregister",
     R"(FinalizationRegistry.prototype.unregister ( unregisterToken )
  1. Let finalizationRegistry be the this value.
  2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  3. If CanBeHeldWeakly(unregisterToken) is false, throw a TypeError exception.
  4. Let removed be false.
  5. For each Record { [[WeakRefTarget]], [[HeldValue]], [[UnregisterToken]] } cell of
     finalizationRegistry.[[Cells]], do
    a. If cell.[[UnregisterToken]] is not empty and SameValue(cell.[[UnregisterToken]],
       unregisterToken) is true, then
      i. Remove cell from finalizationRegistry.[[Cells]].
      ii. Set removed to true.
  6. Return removed.
)"},
    {OpKind::Gc, "sec-weakref-execution",
     R"(Execution
  At any time, if a set of objects and/or symbols S is not live, an ECMAScript
  implementation may perform the following steps atomically:
  1. For each element value of S, do
    a. For each WeakRef ref such that ref.[[WeakRefTarget]] is value, do
      i. Set ref.[[WeakRefTarget]] to empty.
    b. For each FinalizationRegistry fg such that fg.[[Cells]] contains a Record cell
       such that cell.[[WeakRefTarget]] is value, do
      i. Set cell.[[WeakRefTarget]] to empty.
      ii. Optionally, perform HostEnqueueFinalizationRegistryCleanupJob(fg).
    ...
)"},
    {OpKind::Turn, "sec-cleanup-finalization-registry",
     R"(CleanupFinalizationRegistry ( finalizationRegistry )
  1. Assert: finalizationRegistry has [[Cells]] and [[CleanupCallback]] internal slots.
  2. Let callback be finalizationRegistry.[[CleanupCallback]].
  3. While finalizationRegistry.[[Cells]] contains a Record cell such that
     cell.[[WeakRefTarget]] is empty, an implementation may perform the following steps:
    a. Choose any such cell.
    b. Remove cell from finalizationRegistry.[[Cells]].
    c. Perform ? HostCallJobCallback(callback, undefined, « cell.[[HeldValue]] »).
  4. Return unused.
)"},
    {OpKind::Deref, "sec-weak-ref.prototype.deref", R"(WeakRef.prototype.deref ( )
  1. Let weakRef be the this value.
  2. Perform ? RequireInternalSlot(weakRef, [[WeakRefTarget]]).
  3. Return WeakRefDeref(weakRef).

WeakRefDeref ( weakRef )
  1. Let target be weakRef.[[WeakRefTarget]].
  2. If target is not empty, then
    a. Perform AddToKeptObjects(target).
    b. Return target.
  3. Return undefined.
)"},
    {OpKind::Register, "sec-finalization-registry.prototype.register",
     R"(FinalizationRegistry.prototype.register ( target, heldValue [ , unregisterToken ] )
  1. Let finalizationRegistry be the this value.
  2. Perform ? RequireInternalSlot(finalizationRegistry, [[Cells]]).
  3. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  4. If SameValue(target, heldValue) is true, throw a TypeError exception.
  5. If CanBeHeldWeakly(unregisterToken) is false, then
    a. If unregisterToken is not undefined, throw a TypeError exception.
    b. Set unregisterToken to empty.
  6. Let cell be the Record { [[WeakRefTarget]]: target, [[HeldValue]]: heldValue,
     [[UnregisterToken]]: unregisterToken }.
  7. Append cell to finalizationRegistry.[[Cells]].
  8. Return undefined.
)"},
    {OpKind::NewWeakRef, "sec-weak-ref-target", R"(WeakRef ( target )
  1. If NewTarget is undefined, throw a TypeError exception.
  2. If CanBeHeldWeakly(target) is false, throw a TypeError exception.
  3. Let weakRef be ? OrdinaryCreateFromConstructor(NewTarget, "%WeakRef.prototype%",
     « [[WeakRefTarget]] »).
  4. Perform AddToKeptObjects(target).
  5. Set weakRef.[[WeakRefTarget]] to target.
  6. Return weakRef.
)"},
    {OpKind::NewRegistry, "sec-finalization-registry-cleanup-callback",
     R"(FinalizationRegistry ( cleanupCallback )
  1. If NewTarget is undefined, throw a TypeError exception.
  2. If IsCallable(cleanupCallback) is false, throw a TypeError exception.
  3. Let finalizationRegistry be ? OrdinaryCreateFromConstructor(NewTarget,
     "%FinalizationRegistry.prototype%", « [[Realm]], [[CleanupCallback]], [[Cells]] »).
  ...
  6. Set finalizationRegistry.[[CleanupCallback]] to HostMakeJobCallback(cleanupCallback).
  7. Set finalizationRegistry.[[Cells]] to a new empty List.
  8. Return finalizationRegistry.
)"},
}};

bool Uses(const std::vector<Op>& ops, OpKind kind) {
  return std::any_of(ops.begin(), ops.end(),
                     [&](const Op& op) { return op.kind == kind || Uses(op.body, kind); });
}

// Symbols in any operand or op: only then does the es2023 profile differ from es2021.
bool UsesSymbols(const std::vector<Op>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const Op& op) {
    const auto isSymbol = [](const finrig::Operand& operand) {
      const Value* v = std::get_if<Value>(&operand);
      return v != nullptr &&
             (std::holds_alternative<RegisteredSymbol>(*v) || std::holds_alternative<WellKnownSymbol>(*v));
    };
    return op.kind == OpKind::NewSymbol || std::any_of(op.args.begin(), op.args.end(), isSymbol) ||
           UsesSymbols(op.body);
  });
}

// The op whose TypeError the model's run shows first, if any: a program that makes
// one is about that op's argument checks.
std::optional<OpKind> FirstTypeError(const Program& program) {
  for (const Event& event : RunProgram(program).events) {
    const auto* done = std::get_if<OpDone>(&event);
    if (done == nullptr || done->result.type != Completion::Type::TypeError) continue;
    const auto section = std::find_if(kSections.begin(), kSections.end(),
                                      [&](const Section& s) { return s.op == done->op->kind; });
    if (section != kSections.end()) return done->op->kind;
  }
  return std::nullopt;
}

// What the program is about: the op it makes throw, else the most specific op it uses
// (kSections' order; every program makes a registry).
const Section& About(const Program& program, std::optional<OpKind> typeError) {
  for (const Section& section : kSections) {
    if (typeError ? section.op == typeError : Uses(program.ops, *section.op)) return section;
  }
  return kSections.back();
}

// The info block, indented: the steps of the section the program is about, then of
// every other it exercises, then how the test judges the engine.
std::string Info(const Program& program, const Section& about, bool typeError,
                 std::string_view name, const std::vector<std::string>& changes) {
  std::string steps(about.steps);
  for (const Section& section : kSections) {
    if (&section != &about && section.op != OpKind::NewRegistry && Uses(program.ops, *section.op)) {
      steps += "\n" + std::string(section.steps);
    }
  }
  if (typeError) steps += "\n" + std::string(kCanBeHeldWeakly.steps);
  const bool gc = Uses(program.ops, OpKind::Gc);
  const bool turn = Uses(program.ops, OpKind::Turn);
  std::string needs = gc && turn ? "Needs $262.gc() (a full collection) and setTimeout (a macrotask)."
                      : gc       ? "Needs $262.gc() (a full collection)."
                      : turn     ? "Needs setTimeout (a macrotask)."
                                 : "Needs no collector and no timer.";
  std::string text = fmt::format(
      "{}\n"
      "Generated by `finrig js --flavor test262` from\n"
      "{} (profile {}). The program runs as written but\n"
      "for what an engine cannot be told (below). It asserts every result that no engine\n"
      "choice can change (the model's, up to the program's first gc or turn). Whatever the\n"
      "engine then collects and whenever it cleans up, it must throw TypeError exactly where\n"
      "CanBeHeldWeakly says, answer register with undefined and unregister with a boolean,\n"
      "never call back during an op, and never call back more often with a heldValue than\n"
      "that heldValue was registered.\n{}\n",
      steps, name, ProfileName(program.profile), needs);
  for (const std::string& change : changes) text += "Approximated: " + change + "\n";
  std::string indented;
  for (std::size_t from = 0; from < text.size();) {
    const std::size_t end = text.find('\n', from);
    const std::string_view line(text.data() + from, end - from);
    indented += line.empty() ? "\n" : "  " + std::string(line) + "\n";
    from = end + 1;
  }
  return indented;
}

}  // namespace

std::string_view Test262Obstacle(const Program& program) {
  return Uses(program.ops, OpKind::Throw)
             ? "a `throw` op: its exception would reach the host, which fails the test"
             : "";
}

std::string EmitTest262(const Program& program, std::string_view name,
                        const std::vector<std::string>& changes) {
  std::string description;
  for (const std::string& comment : program.ops.empty() ? std::vector<std::string>{}
                                                        : program.ops.front().comments) {
    if (comment.find("profile:") == std::string::npos) description += "  " + comment + "\n";
  }
  if (description.empty()) description = "  finrig program " + std::string(name) + "\n";
  std::string features = "FinalizationRegistry, WeakRef";
  // Only a program that collects or awaits cleanup depends on the host's collector.
  const bool gc = Uses(program.ops, OpKind::Gc);
  const bool turn = Uses(program.ops, OpKind::Turn);
  if (gc) features += ", host-gc-required";
  if (program.profile == Profile::Es2023 && UsesSymbols(program.ops)) {
    features += ", symbols-as-weakmap-keys";
  }
  const std::optional<OpKind> typeError = FirstTypeError(program);
  const Section& about = About(program, typeError);
  return fmt::format(
      "// Copyright (C) 2026 the finrig authors. All rights reserved.\n"
      "// This code is governed by the BSD license found in the LICENSE file.\n"
      "/*---\nesid: {}\ndescription: |\n{}info: |\n{}includes: [{}]\nfeatures: [{}]\n"
      "flags: [{}]\n---*/\n\n{}{}",
      about.esid, description, Info(program, about, typeError.has_value(), name, changes),
      kTest262Include, features,
      gc || turn ? "async, non-deterministic" : "async",
      std::string(HostPrelude(Flavor::Test262)),
      RunPrograms({{std::string(name), &program}}));
}

std::string Test262Include() {
  return fmt::format(
      "// Copyright (C) 2026 the finrig authors. All rights reserved.\n"
      "// This code is governed by the BSD license found in the LICENSE file.\n"
      "/*---\n"
      "description: |\n"
      "  finrig's runtime, for the tests `finrig js --flavor test262` writes: it runs a finrig\n"
      "  program on the host's FinalizationRegistry and WeakRef and reports to the `host`\n"
      "  object the test defines. Written by `finrig js --test262-include` from finrig's\n"
      "  engines/runtime.js; do not edit.\n"
      "defines: [finrig]\n"
      "---*/\n{}",
      Runtime());
}

}  // namespace finrig::engines
