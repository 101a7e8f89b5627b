#include "engines/repro.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "engines/js.h"
#include "engines/spec.h"
#include "engines/test262.h"
#include "model/checker.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

// What the repro checks beyond what every engine must do.
enum class Beyond {
  Nothing,         // the finding is among what every engine must do
  CleanupRuns,     // a stall: a fresh registry's callback still comes
  ReachesTheEnd,   // a crash, hang or stray exception: the checks every repro makes
  TheModelsRun,    // every result and each turn's callbacks, as the model gives them
};

Beyond BeyondFor(const Program& program, const Finding& finding) {
  if (WhyNotMandatory(program, finding).empty()) return Beyond::Nothing;
  if (finding.kind == "stalled") return Beyond::CleanupRuns;
  if (!finding.invariant && !finding.kind.starts_with("disagree")) return Beyond::ReachesTheEnd;
  return Beyond::TheModelsRun;
}

// Ops whose result the repro compares: the calls of FinalizationRegistry, WeakRef,
// WeakMap and WeakSet, and links (a TypeError from a primitive).
bool HasResult(OpKind kind) {
  return kind == OpKind::Register || kind == OpKind::Unregister || kind == OpKind::NewWeakRef ||
         kind == OpKind::Deref || kind == OpKind::Link || kind == OpKind::Unlink ||
         kind == OpKind::WeakMapSet || kind == OpKind::WeakMapGet || kind == OpKind::WeakHas ||
         kind == OpKind::WeakDelete || kind == OpKind::WeakSetAdd;
}

const Op* OpAt(const Program& program, const std::string& path) {
  for (const auto& [op, p] : OpPaths(program)) {
    if (p == path) return op;
  }
  return nullptr;
}

// The model's run, by top-level op: its result and, for a turn, the callbacks it ran as
// the repro spells them (callback("@0", spell("a"))); and the registries it collected,
// whose callbacks an engine may drop (Execution's note).
struct ModelRun {
  std::map<const Op*, Completion> results;
  std::map<const Op*, std::vector<std::string>> callbacks;
  std::set<HeapId> deadRegistries;
};

ModelRun RunModel(const Program& program) {
  ModelRun run;
  std::set<HeapId> registries, collected;
  std::vector<std::string> callbacks;
  int depth = 0;
  for (const Event& event : RunProgram(program).events) {
    if (const auto* begin = std::get_if<CallbackBegin>(&event)) {
      if (depth++ == 0) {
        callbacks.push_back(fmt::format("callback(\"@{}\", {})", begin->registry,
                                        ResultSpelling(Completion::Normal(begin->held), "spell")));
      }
    } else if (std::holds_alternative<CallbackEnd>(event)) {
      --depth;
    } else if (const auto* c = std::get_if<Collected>(&event)) {
      collected.insert(c->ids.begin(), c->ids.end());
    } else if (const auto* done = std::get_if<OpDone>(&event)) {
      if (const auto* r = std::get_if<ObjectRef>(&done->result.value);
          r != nullptr && done->op->kind == OpKind::NewRegistry) {
        registries.insert(r->id);
      }
      if (depth > 0) continue;
      run.results.emplace(done->op, done->result);
      std::sort(callbacks.begin(), callbacks.end());
      run.callbacks[done->op] = std::move(callbacks);
      callbacks.clear();
    }
  }
  std::set_intersection(registries.begin(), registries.end(), collected.begin(), collected.end(),
                        std::inserter(run.deadRegistries, run.deadRegistries.begin()));
  return run;
}

class Writer {
 public:
  Writer(std::string& out, const Finding& finding, Beyond beyond,
         const std::map<const Op*, Completion>& mandatory, const ModelRun& model,
         const std::map<const Op*, std::string>& paths)
      : out_(out), finding_(finding), beyond_(beyond), mandatory_(mandatory), model_(model),
        paths_(paths) {}

  void Ops(const std::vector<Op>& ops, int depth) {
    for (const Op& op : ops) Statement(op, depth);
  }

 private:
  // A line of the program, with the op's .fr text beside it unless the line quotes it.
  void Line(int depth, const std::string& text, const Op& op, bool quoted = false) {
    std::string line = std::string(2 * depth + 2, ' ') + text;
    std::string note = quoted ? "" : PrintOpHead(op);
    if (paths_.at(&op) == finding_.op) note += (note.empty() ? "" : "  ") + std::string("<- the finding");
    if (!note.empty()) line += std::string(line.size() < 56 ? 56 - line.size() : 1, ' ') + "// " + note;
    out_ += line + "\n";
  }

  static std::string Operand(const finrig::Operand& operand, int depth) {
    if (const auto* h = std::get_if<HandleRef>(&operand)) return fmt::format("h[{}]", h->handle);
    if (std::holds_alternative<HeldRef>(operand)) return depth > 0 ? "held" : "undefined";
    if (std::holds_alternative<IterationRef>(operand)) return "i";
    return JsLiteral(std::get<Value>(operand));
  }

  static std::string Arg(const Op& op, std::size_t i, int depth) {
    return i < op.args.size() ? Operand(op.args[i], depth) : "undefined";
  }

  // The op as plain JS, assigning its handle when it has one.
  static std::string Call(const Op& op, int depth) {
    const std::string dest = op.dest ? fmt::format("h[{}] = ", *op.dest) : "";
    switch (op.kind) {
      // A method of the first operand, named as the .fr keyword, on the others: a
      // receiver of the wrong kind throws the TypeError (no such method, or the brand
      // check, as of WeakMap's has and delete on anything but a WeakSet).
      case OpKind::Register:
      case OpKind::Unregister:
      case OpKind::Deref:
      case OpKind::WeakMapSet:
      case OpKind::WeakMapGet:
      case OpKind::WeakHas:
      case OpKind::WeakDelete:
      case OpKind::WeakSetAdd: {
        std::vector<std::string> args;
        for (std::size_t i = 1; i < op.args.size(); ++i) args.push_back(Operand(op.args[i], depth));
        return fmt::format("{}{}.{}({})", dest, Arg(op, 0, depth), OpKindName(op.kind),
                           fmt::join(args, ", "));
      }
      case OpKind::NewWeakRef: return fmt::format("{}named(new WeakRef({}))", dest, Arg(op, 0, depth));
      case OpKind::Link: return fmt::format("{}link({}, {})", dest, Arg(op, 0, depth), Arg(op, 1, depth));
      default: return fmt::format("{}unlink({}, {})", dest, Arg(op, 0, depth), Arg(op, 1, depth));
    }
  }

  void Statement(const Op& op, int depth) {
    const std::string dest = op.dest ? fmt::format("h[{}] = ", *op.dest) : "";
    switch (op.kind) {
      case OpKind::NewObject: Line(depth, dest + "named({});", op); return;
      case OpKind::NewWeakMap: Line(depth, dest + "named(new WeakMap());", op); return;
      case OpKind::NewWeakSet: Line(depth, dest + "named(new WeakSet());", op); return;
      case OpKind::NewSymbol:
        Line(depth, fmt::format("{}named(Symbol({}));", dest,
                                op.description ? JsString(*op.description) : ""), op);
        return;
      case OpKind::Assign: Line(depth, fmt::format("{}{};", dest, Arg(op, 0, depth)), op); return;
      case OpKind::Drop: Line(depth, dest + "undefined;", op); return;
      case OpKind::NewRegistry: {
        const std::string_view async = op.registryAsync ? "async " : "";
        if (op.args.empty() && op.body.empty()) {
          Line(depth, fmt::format("{}registry({}() => {{}});", dest, async), op);
          return;
        }
        if (op.args.empty()) {
          Line(depth, fmt::format("{}registry({}(held) => {{", dest, async), op);
          Ops(op.body, depth + 1);
          out_ += std::string(2 * depth + 2, ' ') + "});\n";
          return;
        }
        // The callback closes over its captures and compares them with held, so that
        // the engine keeps them in its environment (engines/js.cpp's script says why).
        std::vector<std::string> captures;
        for (std::size_t i = 0; i < op.args.size(); ++i) captures.push_back(Arg(op, i, depth));
        Line(depth, fmt::format("{}registry(((captured) => {}(held) => {{", dest, async), op);
        out_ += std::string(2 * depth + 4, ' ') + "if (held === captured) return;\n";
        Ops(op.body, depth + 1);
        out_ += std::string(2 * depth + 2, ' ') +
                fmt::format("}})([{}]));\n", fmt::join(captures, ", "));
        return;
      }
      case OpKind::Gc: Line(depth, "collect();", op); return;
      case OpKind::Then:
        // Its `held` is the value the promise resolved with, undefined, as in finrig's model.
        Line(depth, "Promise.resolve().then((held) => {", op);
        Ops(op.body, depth + 1);
        out_ += std::string(2 * depth + 2, ' ') + "});\n";
        return;
      case OpKind::Repeat:
        // Its ops' results differ from one iteration to the next: none is asserted (an
        // op below the top level never is).
        Line(depth, fmt::format("for (let i = 0; i < {}; i++) {{", op.repeatCount), op);
        Ops(op.body, depth + 1);
        out_ += std::string(2 * depth + 2, ' ') + "}\n";
        return;
      case OpKind::Turn: Turn(op, depth); return;
      case OpKind::Throw:
        Line(depth, op.args.empty() ? "throw new Thrown();"
                                    : fmt::format("if (Object.is(held, {})) throw new Thrown();",
                                                  Arg(op, 0, depth)),
             op);
        return;
      default: break;
    }
    const auto expected = [&]() -> std::optional<std::pair<Completion, std::string_view>> {
      if (depth > 0) return std::nullopt;
      if (const auto m = mandatory_.find(&op); m != mandatory_.end()) {
        return std::pair(m->second, "every engine");
      }
      if (beyond_ != Beyond::TheModelsRun) return std::nullopt;
      return std::pair(model_.results.at(&op), "a full collection");
    }();
    if (!expected) {
      Line(depth, fmt::format("attempt(() => {});", Call(op, depth)), op);
      return;
    }
    Line(depth, fmt::format("expect({}, () => {}, {}, \"{}\");", JsString(PrintOpHead(op)),
                            Call(op, depth), ResultSpelling(expected->first, "spell"),
                            expected->second),
         op, true);
  }

  void Turn(const Op& op, int depth) {
    if (depth > 0 || beyond_ != Beyond::TheModelsRun) {
      Line(depth, "await turn();", op);
      return;
    }
    Line(depth, fmt::format("await turn({}, [{}]);", JsString(PrintOpHead(op)),
                            fmt::join(model_.callbacks.at(&op), ", ")),
         op, true);
  }

  std::string& out_;
  const Finding& finding_;
  Beyond beyond_;
  const std::map<const Op*, Completion>& mandatory_;
  const ModelRun& model_;
  const std::map<const Op*, std::string>& paths_;
};

bool Uses(const std::vector<Op>& ops, OpKind kind) {
  return std::any_of(ops.begin(), ops.end(),
                     [&](const Op& op) { return op.kind == kind || Uses(op.body, kind); });
}

// A text as comment lines of at most ~90 columns, each starting with `prefix`; its own
// line breaks are spaces.
std::string Comment(std::string text, std::string_view prefix = "// ") {
  std::replace(text.begin(), text.end(), '\n', ' ');
  std::string out;
  std::string line;
  std::size_t from = 0;
  while (from <= text.size()) {
    std::size_t end = text.find(' ', from);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(from, end - from);
    if (!line.empty() && line.size() + 1 + word.size() > 88) {
      out += std::string(prefix) + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    from = end + 1;
  }
  if (!line.empty()) out += std::string(prefix) + line + "\n";
  return out;
}

// The rule the finding breaks, in the header's words.
std::string RuleText(const Program& program, const Finding& finding) {
  if (finding.invariant && IsNumbered(*finding.invariant)) {
    const Rule& rule = RuleOf(*finding.invariant);
    return fmt::format("{}. ECMA-262, {} ({}), {}: {}\nhttps://tc39.es/ecma262/#{}",
                       InvariantLabel(*finding.invariant), rule.title, rule.esid, rule.steps,
                       rule.text, rule.esid);
  }
  if (finding.invariant == Invariant::Expectation) {
    return "An `expect` line of the program (a TypeError, or none, ECMA-262 requires) did not "
           "hold.";
  }
  if (finding.invariant == Invariant::TraceMismatch) {
    return "The engine's output does not follow the program (an op or callback missing, "
           "repeated or out of place).";
  }
  if (finding.kind.starts_with("disagree")) {
    const Op* op = OpAt(program, finding.op);
    const auto sections = OpSections();
    const auto section = std::find_if(sections.begin(), sections.end(), [&](const Section& s) {
      return op != nullptr && s.op == op->kind;
    });
    return fmt::format("The engine's result differs from every run ECMA-262 allows (finrig's "
                       "model, whatever it collects and whenever it cleans up){}.",
                       section != sections.end()
                           ? fmt::format("; the op follows {}: https://tc39.es/ecma262/#{}",
                                         section->esid, section->esid)
                           : "");
  }
  return fmt::format("Not a rule of ECMA-262's: the engine must run the program to its end "
                     "and report no exception but the program's own (it {}).",
                     finding.kind);
}

// The prelude every repro shares: the host's print, collector and tasks, found
// portably, and the checks' bookkeeping.
constexpr std::string_view kPrelude = R"JS("use strict";
const print = globalThis.__finrig ? (s) => __finrig.print(s)  // finrig's QuickJS host
  : typeof console === "object" && typeof console.log === "function" ? (s) => console.log(s)
  : (s) => globalThis.print(s);                                // d8, js, jsc
// A full collection: node/deno --expose-gc, d8 --expose-gc, SpiderMonkey's js and jsc
// give gc(); Bun's gc() may collect what a WeakRef keeps alive in the same job, so
// bun:jsc's fullGC; qjs --std gives std.gc; quickjs-emscripten exports none, so make
// cyclic garbage until a cycle made first is gone. Null: no collector.
const collector = typeof Bun === "object" ? require("bun:jsc").fullGC
  : typeof gc === "function" ? gc
  : typeof std === "object" && typeof std.gc === "function" ? std.gc
  : globalThis.__finrig ? COLLECT_CYCLES : null;
// One task of the host's event loop, by which time it has run the cleanup jobs it posted.
const task = globalThis.__finrig ? () => new Promise((r) => __finrig.tasks.push(r))
  : typeof setTimeout === "function" ? () => new Promise((r) => setTimeout(r, 0))
  : typeof os === "object" && typeof os.setTimeout === "function" ? () => new Promise((r) => os.setTimeout(r, 0))
  : null;

const failures = [];
let finished = false;
const fail = (message) => { failures.push(message); print("FAIL: " + message); };
// The wire spelling of a value, as finrig's .fr writes it: @N for the Nth object made,
// %N for a unique symbol.
const names = new WeakMap();
let symbolsAreWeak = true;
try { new WeakMap().set(Symbol(), 0); } catch { symbolsAreWeak = false; }
const symbolNames = new Map();  // where symbols cannot be WeakMap keys
let made = 0;
const named = (x) => {
  (typeof x === "symbol" && !symbolsAreWeak ? symbolNames : names).set(x, (typeof x === "symbol" ? "%" : "@") + made++);
  return x;
};
const spell = (x) => {
  switch (typeof x) {
    case "string": return JSON.stringify(x);
    case "bigint": return x + "n";
    case "number": return Object.is(x, -0) ? "-0" : String(x);
    case "symbol": {
      if (Symbol.keyFor(x) !== undefined) return "Symbol.for(" + JSON.stringify(Symbol.keyFor(x)) + ")";
      const known = Object.getOwnPropertyNames(Symbol).find((n) => Symbol[n] === x);
      return known ? "Symbol." + known : (symbolsAreWeak ? names : symbolNames).get(x) ?? "a symbol";
    }
    case "object": case "function": return x === null ? "null" : names.get(x) ?? "an object";
    default: return String(x);
  }
};
const callback = (registry, held) => registry + "(" + held + ")";

// Ops run in closures of their own, so that no value waits in this script's frames.
let synchronous = true;  // in the program's own ops, where no cleanup callback may run
const attempt = (f) => {
  try { return spell(f()); } catch (e) { if (e instanceof TypeError) return "TypeError"; throw e; }
};
const expect = (what, f, expected, rule) => {
  const got = attempt(f);
  if (got === expected) print(what + ": expected " + expected + ", got " + got);
  else fail(what + ": expected " + expected + ", got " + got + " (as " + rule + " gives)");
};
const link = (from, to) => {
  if (Object(from) !== from) throw new TypeError("link from a primitive");
  if (!from.links) from.links = new Set();
  from.links.add(to);
};
const unlink = (from, to) => {
  if (Object(from) !== from) throw new TypeError("unlink from a primitive");
  if (from.links) from.links.delete(to);
};
// The `throw` op's exception, which ends a cleanup job and reaches the host: a host that
// prints it prints this.
class Thrown extends Error { constructor() { super("the program's own throw, as expected"); } }
const calls = [];  // the callbacks since the last turn, spelled
const registry = (body) => {
  const r = named(new FinalizationRegistry((held) => {
    if (synchronous) fail("a cleanup callback ran during the program's synchronous ops");
    calls.push(callback(spell(r), spell(held)));
    return body(held);  // an async body's promise, rejected where it throws
  }));
  return r;
};
const collect = () => collector();
)JS";

// The end of every repro: hooks for a host that ends it early or reports an exception,
// then the verdict.
constexpr std::string_view kVerdict = R"JS(
if (typeof process === "object" && typeof process.on === "function") {
  const uncaught = (e) => {
    if (!(e instanceof Thrown)) fail("an exception no one caught: " + e);
  };
  process.on("uncaughtException", uncaught).on("unhandledRejection", uncaught);
  process.on("exit", () => {
    if (!finished) print("FAIL: the engine ended the program before its end");
  });
} else if (globalThis.__finrig) {
  __finrig.uncaught = (e) => { if (!(e instanceof Thrown)) fail("an exception no one caught: " + e); };
}
)JS";

}  // namespace

std::string WhyNotMandatory(const Program& program, const Finding& finding) {
  if (const std::string_view obstacle = Test262Obstacle(program); !obstacle.empty()) {
    return fmt::format("the program has {}", obstacle);
  }
  const Op* op = OpAt(program, finding.op);
  if (op != nullptr && ChoiceFreeResults(program).contains(op)) return "";
  // Whatever the operands, a test checks the TypeErrors and that no callback comes
  // during an op.
  if (finding.invariant == Invariant::RegisterRejectsTargetEqualsHeldValue ||
      finding.invariant == Invariant::TypeErrorExactlyForBadArguments ||
      (finding.invariant == Invariant::CallbacksOnlyFromCleanupJobs && op != nullptr &&
       op->kind != OpKind::Turn)) {
    return "";
  }
  return "what it shows comes after the program's first gc or turn, where what an engine "
         "does may depend on what its host collected and when it cleaned up; ECMA-262 "
         "requires no collection, and test262 does not test collection";
}

std::string EmitRepro(const ReproCase& repro) {
  const Program& program = repro.program;
  const Beyond beyond = BeyondFor(program, repro.finding);
  const std::string whyNot = WhyNotMandatory(program, repro.finding);
  const bool gc = Uses(program.ops, OpKind::Gc) || beyond == Beyond::CleanupRuns;
  const bool turn = Uses(program.ops, OpKind::Turn) || beyond == Beyond::CleanupRuns;

  std::string header = fmt::format("{}.js: a standalone repro of a finding of finrig's.", repro.name);
  std::string out = Comment(header);
  for (const std::string& line : repro.seen) out += Comment(line, "//   ");
  out += "//\n" + Comment("What the engine did: " + repro.finding.message) + "//\n";
  const std::string rule = RuleText(program, repro.finding);
  out += Comment("The rule: " + rule.substr(0, rule.find('\n')));
  if (rule.find('\n') != std::string::npos) out += "// " + rule.substr(rule.find('\n') + 1) + "\n";
  out += "//\n" + Comment(fmt::format("The program, in finrig's .fr language ({}.fr; profile {}):",
                                      repro.name, ProfileName(program.profile)));
  const std::string text = PrintProgram(StripToSemantics(program));
  for (std::size_t from = 0; from < text.size();) {
    const std::size_t end = text.find('\n', from);
    out += "//   " + text.substr(from, end - from) + "\n";
    from = end + 1;
  }
  out += "//\n";
  switch (beyond) {
    case Beyond::Nothing:
      out += Comment("Every check is of what ECMA-262 requires of every engine, whatever its "
                     "host collects and whenever it cleans up. test262 test: " +
                     repro.name + ".test262.js.");
      break;
    case Beyond::CleanupRuns:
      out += Comment("Beyond what every engine must do, it checks that after the program "
                     "a fresh registry's callback still comes within 8 tasks of a full "
                     "collection: an engine may skip any cleanup, but one that stops all "
                     "cleanup for good has lost it. No test262 test: " + whyNot + ".");
      break;
    case Beyond::ReachesTheEnd:
      out += Comment("It checks what every engine must do, the program reaching its end "
                     "included. No test262 test: " + whyNot + ".");
      break;
    case Beyond::TheModelsRun:
      out += Comment("Checks marked \"every engine\" are what ECMA-262 requires of every "
                     "engine; those marked \"a full collection\" are what finrig's model of "
                     "it gives when each gc collects everything unreachable and cleanup "
                     "runs within the tasks awaited, as node --expose-gc does; an engine "
                     "may legally collect less or clean up later. No test262 test: " +
                     whyNot + ".");
      break;
  }
  const std::string_view needs = gc && turn ? "a collector and timers"
                                 : gc       ? "a collector"
                                 : turn     ? "timers"
                                            : "";
  out += fmt::format(
      "//\n// Run it with the shell's collector exposed:\n"
      "//   node --expose-gc {0}.js\n//   deno run --v8-flags=--expose-gc {0}.js\n"
      "//   bun {0}.js\n//   d8 --expose-gc {0}.js\n//   js {0}.js  (SpiderMonkey)\n"
      "//   jsc {0}.js\n//   qjs --std {0}.js\n",
      repro.name);
  out += Comment(fmt::format("It prints one line per check, \"expected X, got Y\", and ends with "
                             "PASS or FAIL{}.",
                             needs.empty() ? ""
                                           : fmt::format("; a host without {} fails it, never "
                                                         "passes it",
                                                         needs)));
  std::string prelude(kPrelude);
  const std::string_view placeholder = "COLLECT_CYCLES";
  prelude.replace(prelude.find(placeholder), placeholder.size(), CollectCycles());
  out += prelude;

  // turn(): a turn of the event loop for cleanup; with the model's callbacks, checked.
  std::set<std::string> dead;
  const ModelRun model = RunModel(program);
  for (const HeapId id : model.deadRegistries) dead.insert(fmt::format("\"@{}\"", id));
  out += fmt::format(R"JS(// Registries the model collected: an engine may drop their callbacks.
const dead = [{}];
const turn = async (what, expected) => {{
  synchronous = false;
  for (let i = 0; i < 3; i++) await task();
  synchronous = true;
  if (expected === undefined) return void calls.splice(0);
  const live = (list) => list.filter((c) => !dead.some((r) => c.startsWith(r + "("))).sort().join(", ");
  const got = live(calls.splice(0));
  const want = live(expected);
  if (got === want) print(what + ": expected callbacks [" + want + "], got [" + got + "]");
  else fail(what + ": expected callbacks [" + want + "], got [" + got + "] (as a full collection gives)");
}};
)JS",
                     fmt::join(dead, ", "));
  out += "\nconst h = [];  // the program's handles: h[1] is .fr's h1\n";
  out += "async function program() {\n";
  if (gc) out += "  if (collector === null) throw new Error(\"this host gives no collector (node: --expose-gc)\");\n";
  if (turn) out += "  if (task === null) throw new Error(\"this host gives no timers\");\n";
  const std::map<const Op*, Completion> mandatory = [&] {
    std::map<const Op*, Completion> results = ChoiceFreeResults(program);
    std::erase_if(results, [](const auto& r) { return !HasResult(r.first->kind); });
    return results;
  }();
  Writer(out, repro.finding, beyond, mandatory, model, OpPaths(program)).Ops(program.ops, 0);
  out += "  h.length = 0;\n  synchronous = false;\n}\n";
  if (beyond == Beyond::CleanupRuns) {
    out += R"JS(
// Whether cleanup still runs at all: a fresh registry's, within 8 tasks of a collection.
// The target is made in a function of its own, so that no frame holds it.
async function cleanupStillRuns() {
  let fired = false;
  const registry = new FinalizationRegistry(() => { fired = true; });
  (function () { registry.register({}, 0); })();
  collect();
  for (let i = 0; i < 8 && !fired; i++) await task();
  const what = "after the program, a fresh registry's callback";
  if (fired && registry !== undefined) print(what + ": expected 1, got 1");
  else fail(what + ": expected 1, got none within 8 tasks of a full collection");
}
)JS";
  }
  out += kVerdict;
  out += fmt::format(R"JS(program(){}.then(
  () => {{
    finished = true;
    print(failures.length === 0 ? "PASS" : "FAIL: " + failures.length + " check(s) failed");
  }},
  (e) => {{
    finished = true;
    fail("the program could not run: " + e);
    print("FAIL");
  }});
)JS",
                     beyond == Beyond::CleanupRuns ? ".then(cleanupStillRuns)" : "");
  return out;
}

namespace {

bool UsesConstructorForms(const std::vector<Op>& ops) {
  return std::any_of(ops.begin(), ops.end(), [](const Op& op) {
    return op.registryCallbackArg || op.registryNewTarget != RegistryNewTarget::Constructor ||
           UsesConstructorForms(op.body);
  });
}

}  // namespace

std::vector<Artifact> ReproFiles(const ReproCase& repro, const Program& test262,
                                 const std::string& directory) {
  const std::filesystem::path stem = std::filesystem::path(directory) / repro.name;
  std::vector<Artifact> files;
  // The repro's plain JS has no spelling yet for a registry built without `new`, with
  // a throwing NewTarget or a callback that is a program value: none is written for
  // such a program rather than one that runs something else.
  if (!UsesConstructorForms(repro.program.ops)) {
    files.push_back({stem.string() + ".js", EmitRepro(repro), true});
  }
  if (WhyNotMandatory(repro.program, repro.finding).empty()) {
    files.push_back({stem.string() + ".test262.js",
                     EmitTest262(test262, repro.name + ".fr", {}), true});
    files.push_back({(std::filesystem::path(directory) / "harness" / kTest262Include).string(),
                     Test262Include()});
  }
  return files;
}

}  // namespace finrig::engines
