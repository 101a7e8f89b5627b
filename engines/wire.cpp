#include "engines/wire.h"

#include <charconv>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "model/overloaded.h"
#include "model/text.h"

namespace finrig::engines {
namespace {

struct BadLine {
  std::string message;
};

std::optional<HeapId> ParseId(std::string_view digits) {
  HeapId id = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (error != std::errc() || end != digits.data() + digits.size() || digits.empty()) {
    return std::nullopt;
  }
  return id;
}

Value ParseValue(std::string_view text) {
  if (!text.empty() && (text[0] == '@' || text[0] == '%')) {
    const std::optional<HeapId> id = ParseId(text.substr(1));
    if (!id) throw BadLine{fmt::format("'{}' is not a heap id (the engine lost an identity)", text)};
    return text[0] == '@' ? Value{ObjectRef{*id}} : Value{UniqueSymbol{*id}};
  }
  // Every other value is spelled as a .fr literal: let the .fr parser read it.
  try {
    const Program p = ParseProgram("h0 = " + std::string(text) + "\n", "<wire>");
    if (p.ops.size() == 1 && p.ops[0].args.size() == 1) {
      if (const auto* v = std::get_if<Value>(&p.ops[0].args[0])) return *v;
    }
  } catch (const ParseError&) {
  }
  throw BadLine{fmt::format("'{}' is not a value", text)};
}

// Splits "word rest of line" at the first space.
std::pair<std::string_view, std::string_view> Word(std::string_view line) {
  const std::size_t space = line.find(' ');
  if (space == std::string_view::npos) return {line, {}};
  return {line.substr(0, space), line.substr(space + 1)};
}

class Reader {
 public:
  explicit Reader(const Program& program) {
    for (const auto& [op, path] : OpPaths(program)) ops_[path] = op;
  }

  // Returns true at `end`.
  bool Line(std::string_view line, EngineRun& run) {
    const auto [word, rest] = Word(line);
    if (word == "op") {
      const auto [path, result] = Word(rest);
      const auto op = ops_.find(std::string(path));
      if (op == ops_.end()) throw BadLine{fmt::format("no op has the path '{}'", path)};
      if (inCallback_ == 0) EndJob(run);
      run.trace.events.push_back(OpDone{.op = op->second, .result = Completion(result, run)});
    } else if (word == "cb") {
      const auto [registry, held] = Word(rest);
      const Value r = ParseValue(registry);
      const auto* ref = std::get_if<ObjectRef>(&r);
      if (ref == nullptr) throw BadLine{"a callback's registry must be @N"};
      if (inCallback_ > 0) throw BadLine{"a callback began inside another"};
      if (!job_ || *job_ != ref->id || lastThrew_) {
        EndJob(run);
        run.trace.events.push_back(JobBegin{.registry = ref->id});
        job_ = ref->id;
      }
      lastThrew_ = false;
      ++inCallback_;
      run.trace.events.push_back(CallbackBegin{.registry = ref->id, .held = ParseValue(held)});
    } else if (word == "ret" || word == "threw") {
      if (inCallback_ == 0) throw BadLine{"a callback ended that had not begun"};
      --inCallback_;
      lastThrew_ = word == "threw";
      run.trace.events.push_back(CallbackEnd{.threw = lastThrew_});
    } else if (word == "then") {
      const auto op = ops_.find(std::string(rest));
      if (op == ops_.end() || op->second->kind != OpKind::Then) {
        throw BadLine{fmt::format("no `then` op has the path '{}'", rest)};
      }
      if (inCallback_ > 0) throw BadLine{"a promise job began inside a callback"};
      EndJob(run);
      ++inPromiseJob_;
      run.trace.events.push_back(PromiseJobBegin{.then = op->second});
    } else if (word == "then-ret" || word == "then-threw") {
      if (inPromiseJob_ == 0) throw BadLine{"a promise job ended that had not begun"};
      --inPromiseJob_;
      run.trace.events.push_back(PromiseJobEnd{.threw = word == "then-threw"});
    } else if (word == "uncaught") {
      run.uncaught.emplace_back(rest);
    } else if (word == "budget") {
      run.end = EngineRun::End::Budget;
    } else if (word == "error") {
      run.end = EngineRun::End::Error;
      run.detail = fmt::format("the program threw {}", rest);
    } else if (word == "end") {
      EndJob(run);
      return true;
    } else {
      throw BadLine{"unknown line"};
    }
    return false;
  }

 private:
  finrig::Completion Completion(std::string_view text, EngineRun& run) {
    if (text == "TypeError") return Completion::TypeError();
    if (text == "NewTargetError") return Completion::NewTargetError();
    if (text == "throw") return Completion::Throw();
    if (Word(text).first == "error") {
      run.end = EngineRun::End::Error;
      run.detail = fmt::format("an op threw {}", Word(text).second);
      return Completion::TypeError();  // keeps the trace in step; the error is the finding
    }
    return Completion::Normal(ParseValue(text));
  }

  void EndJob(EngineRun& run) {
    if (!job_) return;
    run.trace.events.push_back(JobEnd{.registry = *job_, .abrupt = lastThrew_});
    job_.reset();
    lastThrew_ = false;
  }

  std::map<std::string, const Op*> ops_;
  std::optional<HeapId> job_;
  bool lastThrew_ = false;
  int inCallback_ = 0;
  int inPromiseJob_ = 0;
};

// runtime.js's spelling: .fr literals, but %N for a unique symbol.
std::string WireValue(const Value& v) {
  if (const auto* symbol = std::get_if<UniqueSymbol>(&v)) return fmt::format("%{}", symbol->id);
  return ToText(v);
}

}  // namespace

std::string WriteWire(const Program& program, const Trace& trace) {
  const std::map<const Op*, std::string> paths = OpPaths(program);
  std::string out;
  for (const Event& event : trace.events) {
    std::visit(Overloaded{
                   [&](const OpDone& done) {
                     const std::string result =
                         done.result.type == Completion::Type::Normal
                             ? WireValue(done.result.value)
                             : CompletionToText(done.result);
                     out += fmt::format("op {} {}\n", paths.at(done.op), result);
                   },
                   [&](const CallbackBegin& call) {
                     out += fmt::format("cb @{} {}\n", call.registry, WireValue(call.held));
                   },
                   [&](const CallbackEnd& end) { out += end.threw ? "threw\n" : "ret\n"; },
                   [&](const PromiseJobBegin& begin) {
                     out += fmt::format("then {}\n", paths.at(begin.then));
                   },
                   [&](const PromiseJobEnd& end) {
                     out += end.threw ? "then-threw\n" : "then-ret\n";
                   },
                   [](const auto&) {},  // collections and job boundaries do not show
               },
               event);
  }
  return out + "end\n";
}

std::string_view EndName(EngineRun::End end) {
  switch (end) {
    case EngineRun::End::Completed: return "completed";
    case EngineRun::End::Budget: return "stopped at the callback budget";
    case EngineRun::End::EndedAtThrow: return "ended by the shell at a callback's exception";
    case EngineRun::End::Error: return "error";
    case EngineRun::End::Crashed: return "crashed";
    case EngineRun::End::TimedOut: return "timed out";
    case EngineRun::End::BadOutput: return "bad output";
  }
  return "?";
}

EngineRun ReadWire(const Program& program, std::string_view lines, EngineRun::End processEnd,
                   std::string processDetail) {
  EngineRun run;
  Reader reader(program);
  int number = 0;
  while (!lines.empty()) {
    const std::size_t newline = lines.find('\n');
    const std::string_view line = lines.substr(0, newline);
    lines = newline == std::string_view::npos ? std::string_view() : lines.substr(newline + 1);
    ++number;
    try {
      if (reader.Line(line, run)) return run;
    } catch (const BadLine& bad) {
      run.end = EngineRun::End::BadOutput;
      run.detail = fmt::format("line {} '{}': {}", number, line, bad.message);
      return run;
    }
    if (run.end == EngineRun::End::Budget) return run;
  }
  // A shell that ended the program at a callback's throw leaves what the script said
  // went wrong before it a finding; a crash is one itself.
  if (processEnd == EngineRun::End::EndedAtThrow && run.end == EngineRun::End::Error) return run;
  run.end = processEnd;
  run.detail = std::move(processDetail);
  return run;
}

}  // namespace finrig::engines
