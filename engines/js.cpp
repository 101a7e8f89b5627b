#include "engines/js.h"

#include <algorithm>
#include <array>
#include <map>

#include <fmt/format.h>

#include "engines/runtime_js.h"
#include "engines/test262.h"
#include "model/model.h"
#include "model/overloaded.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

constexpr std::array<std::string_view, 7> kFlavorNames = {
    "node", "jsshell", "jsc", "test262", "deno", "bun", "quickjs"};

}  // namespace

std::string_view CollectCycles() {
  // QuickJS frees what reference counting can at once, and cycles when its cycle
  // collector runs, which allocation starts: so make cyclic garbage until a cycle made
  // first is gone. Each sentinel is derefed once only, after its chunk, as a deref keeps
  // its target alive to the end of the job (AddToKeptObjects) in an engine that
  // implements it.
  return R"(() => {
    const sentinels = [];
    for (let i = 0; i < 64; i++) {
      const o = {};
      o.o = o;
      sentinels.push(new WeakRef(o));
    }
    for (const sentinel of sentinels) {
      for (let i = 0; i < 2048; i++) {
        const a = {};
        a.b = { a };
      }
      if (sentinel.deref() === undefined) return;
    }
    throw new Error("gc: no cycle collection after 131072 cyclic allocations");
  })";
}

// The host each flavor runs on: print a line, collect everything collectable, wait
// for a macrotask (by which time an engine that runs cleanup jobs promptly has run
// them), and hear of exceptions no one caught (a `throw` op ends a cleanup job so).
std::string_view HostPrelude(Flavor flavor) {
  switch (flavor) {
    case Flavor::Node:
      return R"(const host = {
  print: (line) => require("fs").writeSync(1, line + "\n"),
  gc: () => globalThis.gc(),  // node --expose-gc
  // V8 posts cleanup tasks to the platform's queue: a timer and then an immediate
  // give them two passes of the event loop.
  macrotask: () => new Promise((r) => setTimeout(r, 0)).then(() => new Promise((r) => setImmediate(r))),
  // A `registry async` callback's throw rejects a promise no one handles.
  onUncaught: (f) => process.on("uncaughtException", f).on("unhandledRejection", f),
  exit: () => process.exit(0),
};
)";
    case Flavor::Deno:
      // Deno runs a .js file as an ES module: no require, so Deno's own I/O. The trace
      // goes to stderr: Deno 2 writes what it reports of a cleanup callback's exception
      // to stdout, in pieces that would split the trace's lines (the adapter swaps the
      // two streams back).
      return R"(const host = {
  print: (line) => {
    const bytes = new TextEncoder().encode(line + "\n");
    for (let done = 0; done < bytes.length;) done += Deno.stderr.writeSync(bytes.subarray(done));
  },
  gc: () => globalThis.gc(),  // deno run --v8-flags=--expose-gc
  // Two timers: Deno has no setImmediate in a module, and V8's cleanup tasks come
  // through the same platform queue as in node.
  macrotask: () => new Promise((r) => setTimeout(r, 0)).then(() => new Promise((r) => setTimeout(r, 0))),
  // Deno calls no "error" listener for an exception of a cleanup callback: 1.46 drops
  // it, 2.x prints "file://...: Uncaught ..." to stdout and goes on. The trace shows
  // the callback threw either way. A rejection no one handles (a `registry async`
  // callback's throw) would end the program, unless prevented.
  onUncaught: (f) => globalThis.addEventListener("unhandledrejection", (e) => {
    e.preventDefault();
    f(e.reason);
  }),
  exit: () => Deno.exit(0),
};
)";
    case Flavor::Bun:
      // As node, but for the collector: bun:jsc's fullGC is a full synchronous
      // collection that respects [[KeptAlive]], where Bun.gc(true) collects a target
      // a WeakRef made KeptAlive in the same job (ECMA-262 AddToKeptObjects).
      return R"(const host = {
  print: (line) => require("fs").writeSync(1, line + "\n"),
  gc: () => require("bun:jsc").fullGC(),
  macrotask: () => new Promise((r) => setTimeout(r, 0)).then(() => new Promise((r) => setImmediate(r))),
  onUncaught: (f) => process.on("uncaughtException", f).on("unhandledRejection", f),
  exit: () => process.exit(0),
};
)";
    case Flavor::QuickJs: {
      static const std::string prelude = fmt::format(R"(const host = {{
  print: (line) => __finrig.print(line),
  gc: {},
  // A task of engines/quickjs-host.js, which runs the job queue dry after each.
  macrotask: () => new Promise((r) => __finrig.tasks.push(r)),
  onUncaught: (f) => {{ __finrig.uncaught = f; }},
  exit: () => __finrig.exit(),
}};
)",
                                                     CollectCycles());
      return prelude;
    }
    case Flavor::JsShell:
    case Flavor::Jsc:
      return R"(const host = {
  print: (line) => print(line),
  gc: () => gc(),
  macrotask: () => new Promise((r) => setTimeout(r, 0)),
  onUncaught: () => {},  // the shell reports them; the trace shows the callback threw
  exit: () => { if (typeof quit === "function") quit(0); },  // finrig's host has none
};
)";
    case Flavor::Test262:
      // Every exception reaches finish: $262.gc() throws where the host has no
      // collector (INTERPRETING.md), and macrotask where it has no timer.
      return R"(const host = {
  verify: true,
  print: () => {},
  gc: () => $262.gc(),
  // Three timer tasks: hosts post cleanup jobs as tasks of their own, not always
  // ahead of a timer set just after the gc.
  macrotask: async () => {
    if (typeof setTimeout !== "function") throw new Test262Error("the host has no setTimeout");
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setTimeout(resolve, 0));
  },
  onUncaught: () => {},
  exit: () => {},
  finish: (failures) =>
    $DONE(failures.length === 0 ? undefined : new Test262Error(failures.join("\n"))),
};
)";
  }
  return "";
}

std::string JsString(std::string_view bytes) {
  // Each byte becomes one UTF-16 code unit, so SameValue of strings is SameValue of
  // their bytes and the runtime prints the bytes back.
  std::string out = "\"";
  for (const unsigned char c : bytes) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("\\x{:02x}", c);
    }
  }
  return out + "\"";
}

std::string JsLiteral(const Value& v) {
  return std::visit(
      Overloaded{
          [](Undefined) -> std::string { return "undefined"; },
          [](Null) -> std::string { return "null"; },
          [](bool b) -> std::string { return b ? "true" : "false"; },
          [&](double) -> std::string { return "(" + ToText(v) + ")"; },  // NaN, -0, 1e+21
          [](const String& s) { return JsString(s.bytes); },
          [](const BigInt& b) { return "(" + b.decimal + "n)"; },
          [](const RegisteredSymbol& s) { return "Symbol.for(" + JsString(s.key) + ")"; },
          [](const WellKnownSymbol& s) { return "Symbol." + s.name; },
          // Identities come only from handles (program.h); a literal never holds one.
          [](const UniqueSymbol&) -> std::string { return "undefined"; },
          [](const ObjectRef&) -> std::string { return "undefined"; },
      },
      v);
}

// The results no choice can change: those of the top-level ops the model runs before the program's first gc or turn. Until then the
// program is one synchronous job, so
//  - no cleanup callback runs (callbacks come only from cleanup jobs, which wait for
//    the job to end): no cell leaves a registry but by unregister, nothing a callback
//    does has happened, and objects are numbered in the model's order;
//  - a collection the engine makes on its own may only empty cells and WeakRefs of
//    unreachable targets, and every WeakRef's target is in [[KeptAlive]] (WeakRef
//    ( target ) step 4), so deref answers it, and unregister answers by the tokens
//    alone (it removes emptied cells too);
//  - every operand is what the program wrote, so register's and WeakRef's TypeErrors
//    follow from the values alone.
// After the first gc or turn any of these may depend on what was collected or
// delivered, so nothing there is asserted; the verifier's (test262) and the checker's
// (other flavors) choice-proof checks judge it. A result claimed here wrongly would
// be a false alarm in every generated test, so the rule stays this coarse: stopping at
// a gc as well as at a turn also spares us trusting a host's gc() not to end the job.
std::map<const Op*, Completion> ChoiceFreeResults(const Program& program) {
  std::map<const Op*, Completion> results;
  const Trace trace = RunProgram(program);
  for (const Event& event : trace.events) {
    const auto* done = std::get_if<OpDone>(&event);
    if (done == nullptr || done->op->kind == OpKind::Gc || done->op->kind == OpKind::Turn) break;
    if (done->result.type == Completion::Type::Throw) break;  // not at the top level; never assert it
    results.emplace(done->op, done->result);
  }
  // A repeat's ops have a result per iteration, and one line of the script would assert
  // them all.
  for (const Op& op : program.ops) {
    if (op.kind != OpKind::Repeat) continue;
    const auto erase = [&](auto& self, const std::vector<Op>& ops) -> void {
      for (const Op& inner : ops) {
        results.erase(&inner);
        self(self, inner.body);
      }
    };
    erase(erase, op.body);
  }
  return results;
}

std::string ResultSpelling(const Completion& c, std::string_view spell) {
  if (c.type == Completion::Type::TypeError || c.type == Completion::Type::NewTargetError) {
    return "\"" + CompletionToText(c) + "\"";
  }
  if (const auto* object = std::get_if<ObjectRef>(&c.value)) return fmt::format("\"@{}\"", object->id);
  if (const auto* symbol = std::get_if<UniqueSymbol>(&c.value)) {
    return fmt::format("\"%{}\"", symbol->id);
  }
  if (std::holds_alternative<Undefined>(c.value) || std::holds_alternative<Null>(c.value) ||
      std::holds_alternative<bool>(c.value)) {
    return "\"" + ToText(c.value) + "\"";
  }
  return fmt::format("{}({})", spell, JsLiteral(c.value));  // the script's own spelling
}

namespace {

class Emitter {
 public:
  // `last`: the program's last top-level op; a turn there drains (runtime.js's turn).
  Emitter(std::string& out, const std::map<const Op*, Completion>& expected, const Op* last)
      : out_(out), expected_(expected), last_(last) {}

  void Ops(const std::vector<Op>& ops, const std::string& prefix, int depth) {
    for (std::size_t i = 0; i < ops.size(); ++i) {
      Statement(ops[i], prefix + std::to_string(i), depth);
    }
  }

 private:
  void Line(int depth, std::string_view text) {
    out_ += std::string(2 * (depth + loops_) + 4, ' ');
    out_ += text;
    out_ += '\n';
  }

  // A parameter of the callback whose body is at `depth` (held, captured). Each depth
  // has its own name: SpiderMonkey 102 keeps an outer callback's `held` in its
  // environment when an arrow nested in it declares a parameter of the same name, so
  // the heldValue outlived its callback in any closure made there (a registry the
  // callback created).
  static std::string Param(std::string_view name, int depth) {
    return depth == 1 ? std::string(name) : fmt::format("{}{}", name, depth);
  }
  static std::string Held(int depth) { return Param("held", depth); }

  static std::string Operand(const finrig::Operand& operand, int depth) {
    if (const auto* h = std::get_if<HandleRef>(&operand)) return fmt::format("h[{}]", h->handle);
    if (std::holds_alternative<HeldRef>(operand)) return depth > 0 ? "rt.held()" : "undefined";
    if (std::holds_alternative<IterationRef>(operand)) return "i";
    return JsLiteral(std::get<Value>(operand));
  }

  std::string Args(const Op& op, int depth, std::size_t from = 0) const {
    std::vector<std::string> args;
    for (std::size_t i = from; i < op.args.size(); ++i) args.push_back(Operand(op.args[i], depth));
    return fmt::format("{}", fmt::join(args, ", "));
  }

  std::string Arg(const Op& op, std::size_t i, int depth) const {
    return i < op.args.size() ? Operand(op.args[i], depth) : "undefined";
  }

  // The runtime's name for how a `registry` op calls FinalizationRegistry, as the
  // argument after the callback: none for `new`.
  static std::string NewTarget(RegistryNewTarget newTarget) {
    switch (newTarget) {
      case RegistryNewTarget::Constructor: return "";
      case RegistryNewTarget::Undefined: return ", \"undefined\"";
      case RegistryNewTarget::Throwing: return ", \"throwing\"";
    }
    return "";
  }

  // `h[N] = ` when the op assigns its value to a handle.
  static std::string Dest(const Op& op) {
    return op.dest ? fmt::format("h[{}] = ", *op.dest) : std::string();
  }

  // `, EXPECTED` when the op's result is asserted (ChoiceFreeResults).
  std::string Expected(const Op& op) const {
    const auto expected = expected_.find(&op);
    return expected == expected_.end() ? std::string()
                                       : ", " + ResultSpelling(expected->second, "rt.spell");
  }

  void Statement(const Op& op, const std::string& path, int depth) {
    const auto opLine = [&](const std::string& expression) {
      Line(depth, fmt::format("rt.op(\"{}\", () => {}{}{});", path, Dest(op), expression, Expected(op)));
    };
    switch (op.kind) {
      case OpKind::NewObject: opLine("rt.object()"); break;
      case OpKind::NewSymbol:
        opLine(op.description ? "rt.symbol(" + JsString(*op.description) + ")" : "rt.symbol()");
        break;
      case OpKind::Assign: opLine(Arg(op, 0, depth)); break;
      case OpKind::NewRegistry: {
        const std::string newTarget = NewTarget(op.registryNewTarget);
        if (op.registryCallbackArg) {
          opLine(fmt::format("rt.registryOf({}{})", Arg(op, 0, depth), newTarget));
          break;
        }
        const std::string_view make = op.registryAsync ? "asyncRegistry" : "registry";
        if (op.args.empty()) {
          Line(depth, fmt::format("rt.op(\"{}\", () => {}rt.{}(({}) => {{", path, Dest(op), make,
                                  Held(depth + 1)));
          Ops(op.body, path + ".", depth + 1);
          Line(depth, "}" + newTarget + ")" + Expected(op) + ");");
          break;
        }
        // The callback closes over an array of the captures, which its body compares
        // with held so that the engine keeps it in the closure's environment: a bare
        // `void captured;` is dead code that JavaScriptCore leaves out of the closure,
        // and Bun then collected a captured target (never true: the array is the
        // callback's alone).
        const std::string captured = Param("captured", depth + 1);
        Line(depth, fmt::format("rt.op(\"{}\", () => {}rt.{}((({}) => ({}) => {{", path,
                                Dest(op), make, captured, Held(depth + 1)));
        Line(depth + 1, fmt::format("if ({} === {}) return;", Held(depth + 1), captured));
        Ops(op.body, path + ".", depth + 1);
        Line(depth, fmt::format("}})([{}]){}){});", Args(op, depth), newTarget, Expected(op)));
        break;
      }
      case OpKind::Then:
        // A promise job: its lines come when the engine runs it, at a microtask checkpoint.
        Line(depth, fmt::format("rt.op(\"{}\", () => rt.then(\"{}\", () => {{", path, path));
        Ops(op.body, path + ".", depth + 1);
        Line(depth, "})" + Expected(op) + ");");
        break;
      case OpKind::Repeat:
        // A loop as written: its ops print one trace line per iteration, then its own.
        Line(depth, fmt::format("for (let i = 0; i < {}; i++) {{", op.repeatCount));
        ++loops_;
        Ops(op.body, path + ".", depth);
        --loops_;
        Line(depth, "}");
        opLine("undefined");
        break;
      case OpKind::NewWeakRef: opLine("rt.weakRef(" + Arg(op, 0, depth) + ")"); break;
      // rt.deref, rt.register, …: the runtime's method has the .fr keyword as its name.
      case OpKind::Deref:
      case OpKind::Register:
      case OpKind::Unregister:
      case OpKind::Link:
      case OpKind::Unlink:
      case OpKind::WeakMapSet:
      case OpKind::WeakMapGet:
      case OpKind::WeakHas:
      case OpKind::WeakDelete:
      case OpKind::WeakSetAdd:
        opLine(fmt::format("rt.{}({})", OpKindName(op.kind), Args(op, depth)));
        break;
      case OpKind::NewWeakMap: opLine("rt.weakMap()"); break;
      case OpKind::NewWeakSet: opLine("rt.weakSet()"); break;
      case OpKind::Drop: opLine("undefined"); break;
      case OpKind::Gc: Line(depth, fmt::format("rt.gc(\"{}\");", path)); break;
      case OpKind::Turn:
        Line(depth, fmt::format("await rt.turn(\"{}\"{});", path, &op == last_ ? ", true" : ""));
        break;
      case OpKind::Throw:
        Line(depth, fmt::format("rt.throwIf(\"{}\", {});", path,
                                op.args.empty() ? "true"
                                                : "Object.is(rt.held(), " + Arg(op, 0, depth) + ")"));
        break;
    }
  }

  std::string& out_;
  int loops_ = 0;  // repeat loops around the line, for its indentation
  const std::map<const Op*, Completion>& expected_;
  const Op* const last_;
};

void ProgramEntry(std::string& out, std::string_view name, const Program& program) {
  out += fmt::format("  [{}, \"{}\", {}, async (rt, h) => {{\n", JsString(name),
                     ProfileName(program.profile), program.callbackBudget);
  Emitter(out, ChoiceFreeResults(program), program.ops.empty() ? nullptr : &program.ops.back())
      .Ops(program.ops, "", 0);
  // The handles end with the program's last op, as in the model (model/run.cpp): a
  // cleanup callback's closure holds `h`, and a host that runs jobs before the program
  // is done (QuickJS) would otherwise let callbacks after the last op read them.
  if (!program.ops.empty()) out += "    h.length = 0;\n";
  out += "  }],\n";
}

}  // namespace

std::string Runtime() { return std::string(kRuntimeJs); }

std::string RunPrograms(const std::vector<std::pair<std::string, const Program*>>& programs,
                        bool lazyCanary) {
  std::string out = "finrig(host).main([\n";
  for (const auto& [name, program] : programs) ProgramEntry(out, name, *program);
  return out + (lazyCanary ? "], true);\n" : "]);\n");
}

std::string_view FlavorName(Flavor flavor) { return kFlavorNames[static_cast<int>(flavor)]; }

std::optional<Flavor> FlavorFromName(std::string_view name) {
  for (std::size_t i = 0; i < kFlavorNames.size(); ++i) {
    if (kFlavorNames[i] == name) return static_cast<Flavor>(i);
  }
  return std::nullopt;
}

Approximation Approximate(const Program& program, std::optional<Profile> engine) {
  Approximation result{.program = program, .changes = {}};
  const bool otherProfile = engine && *engine != program.profile;
  if (otherProfile) {
    result.changes.push_back(fmt::format("the program is written for {}, the engine follows {}: "
                                         "its expect lines are dropped",
                                         ProfileName(program.profile), ProfileName(*engine)));
    result.program.profile = *engine;
  }
  const auto visit = [&](auto& self, std::vector<Op>& ops) -> void {
    for (Op& op : ops) {
      if (op.kind == OpKind::Gc && !op.gcOnly.empty()) {
        result.changes.push_back(
            fmt::format("line {}: `{}` runs as a full gc", op.line, PrintOpHead(op)));
        op.gcOnly.clear();
      }
      if (op.kind == OpKind::Gc &&
          (op.gcEnqueue != JobsEnqueued::OnePerRegistry || op.gcHold != JobHold::Strong)) {
        result.changes.push_back(fmt::format(
            "line {}: `{}` enqueues the jobs the engine enqueues, holding what it holds", op.line,
            PrintOpHead(op)));
        op.gcEnqueue = JobsEnqueued::OnePerRegistry;
        op.gcHold = JobHold::Strong;
      }
      if (op.kind == OpKind::Turn &&
          (op.turnJobs || op.turnLimit || op.turnOrder != CellOrder::Fifo || op.turnRepost)) {
        result.changes.push_back(fmt::format(
            "line {}: `{}` runs the jobs the engine runs, in its order", op.line, PrintOpHead(op)));
        op.turnJobs.reset();
        op.turnLimit.reset();
        op.turnOrder = CellOrder::Fifo;
        op.turnRepost = false;
      }
      // What is collected and delivered is the engine's choice: only expectations
      // about how an op completes still hold.
      std::erase_if(op.expects, [&](const Expectation& e) {
        return otherProfile || (!std::holds_alternative<ExpectOk>(e.what) &&
                                !std::holds_alternative<ExpectTypeError>(e.what) &&
                                !std::holds_alternative<ExpectNewTargetError>(e.what));
      });
      self(self, op.body);
    }
  };
  visit(visit, result.program.ops);
  return result;
}

std::string EmitBatch(const std::vector<std::pair<std::string, const Program*>>& programs,
                      Flavor flavor, bool lazyCanary) {
  return "\"use strict\";\n" + std::string(HostPrelude(flavor)) + Runtime() +
         RunPrograms(programs, lazyCanary);
}

std::string EmitScript(const Program& program, Flavor flavor, std::string_view name,
                       const std::vector<std::string>& changes) {
  if (flavor == Flavor::Test262) return EmitTest262(program, name, changes);
  std::string header = fmt::format(
      "// finrig program {} (profile {}), emitted for {}.\n"
      "// Prints its trace in finrig's wire format (engines/wire.h).\n",
      name, ProfileName(program.profile), FlavorName(flavor));
  if (flavor == Flavor::Node) header += "// Run: node --expose-gc FILE.js\n";
  if (flavor == Flavor::Jsc) header += "// Run: jsc FILE.js\n";
  if (flavor == Flavor::Deno) header += "// Run: deno run --v8-flags=--expose-gc FILE.js\n";
  if (flavor == Flavor::Bun) header += "// Run: bun FILE.js\n";
  if (flavor == Flavor::QuickJs) {
    header += "// Run: node -e \"$(cat engines/quickjs-host.js)\" VARIANT_PACKAGE_FOLDER FILE.js\n";
  }
  for (const std::string& change : changes) header += "// Approximated: " + change + "\n";
  return header + EmitBatch({{std::string(name), &program}}, flavor);
}

}  // namespace finrig::engines
