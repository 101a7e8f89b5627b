#include "engines/corrupt.h"

#include <algorithm>
#include <map>
#include <vector>

#include "model/trace.h"

namespace finrig::engines {
namespace {

std::vector<std::string> SplitLines(std::string_view wire) {
  std::vector<std::string> lines;
  while (!wire.empty()) {
    const std::size_t newline = wire.find('\n');
    lines.emplace_back(wire.substr(0, newline));
    wire = newline == std::string_view::npos ? std::string_view() : wire.substr(newline + 1);
  }
  return lines;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

bool StartsWith(std::string_view line, std::string_view prefix) {
  return line.substr(0, prefix.size()) == prefix;
}

// The wire lines of one run, with what each `op` line is about.
class Wire {
 public:
  Wire(const Program& program, std::string_view wire) : lines(SplitLines(wire)) {
    std::map<std::string, const Op*> byPath;
    for (const auto& [op, path] : OpPaths(program)) byPath[path] = op;
    bool inCallback = false;
    for (std::size_t i = 0; i < lines.size(); ++i) {
      const std::string& line = lines[i];
      if (StartsWith(line, "op ")) {
        const std::size_t space = line.find(' ', 3);
        ops.push_back({i, byPath.at(line.substr(3, space - 3)), line.substr(space + 1),
                       !inCallback});
      } else if (StartsWith(line, "cb ")) {
        callbacks.push_back({i, i});
        inCallback = true;
      } else if (line == "ret" || line == "threw") {
        callbacks.back().end = i;
        inCallback = false;
      }
    }
  }

  struct OpLine {
    std::size_t index;
    const Op* op;
    std::string result;
    bool topLevel;

    // Threw (a TypeError or the program's own throw), or the engine reported an error.
    bool Abrupt() const {
      return result == "TypeError" || result == "throw" || StartsWith(result, "error");
    }
  };
  struct Callback {  // lines [begin, end]: `cb`, its body's ops, `ret` or `threw`
    std::size_t begin;
    std::size_t end;
  };

  std::vector<OpLine> OpsWhere(auto predicate) const {
    std::vector<OpLine> matching;
    std::copy_if(ops.begin(), ops.end(), std::back_inserter(matching), predicate);
    return matching;
  }
  void SetResult(const OpLine& line, std::string_view result) {
    lines[line.index] = lines[line.index].substr(0, lines[line.index].size() - line.result.size()) +
                        std::string(result);
  }
  // Moves a callback's lines to just before line `before`.
  void MoveCallback(const Callback& callback, std::size_t before) {
    std::vector<std::string> block(lines.begin() + callback.begin,
                                   lines.begin() + callback.end + 1);
    lines.erase(lines.begin() + callback.begin, lines.begin() + callback.end + 1);
    if (before > callback.end) before -= block.size();
    lines.insert(lines.begin() + before, block.begin(), block.end());
  }
  // "cb @R VALUE" -> ("@R", "VALUE")
  std::pair<std::string, std::string> RegistryAndHeld(const Callback& callback) const {
    const std::string& line = lines[callback.begin];
    const std::size_t space = line.find(' ', 3);
    return {line.substr(3, space - 3), line.substr(space + 1)};
  }

  std::vector<std::string> lines;
  std::vector<OpLine> ops;
  std::vector<Callback> callbacks;
};

template <typename T>
std::optional<T> Pick(const std::vector<T>& from, SplitMix64& random) {
  if (from.empty()) return std::nullopt;
  return from[random.Below(from.size())];
}

bool IsKind(const Wire::OpLine& line, std::initializer_list<OpKind> kinds) {
  return std::find(kinds.begin(), kinds.end(), line.op->kind) != kinds.end();
}

std::optional<std::string> Apply(Corruption kind, Wire& wire, SplitMix64& random) {
  switch (kind) {
    case Corruption::ForeignHeldValue: {
      const std::optional<Wire::Callback> callback = Pick(wire.callbacks, random);
      if (!callback) return std::nullopt;
      wire.lines[callback->begin] =
          "cb " + wire.RegistryAndHeld(*callback).first + " \"finrig: no cell holds this\"";
      return JoinLines(wire.lines);
    }
    case Corruption::CallbackInSyncOp: {
      const std::optional<Wire::Callback> callback = Pick(wire.callbacks, random);
      const auto sync = wire.OpsWhere([](const Wire::OpLine& line) {
        return line.topLevel && line.op->kind != OpKind::Turn;
      });
      const std::optional<Wire::OpLine> before = Pick(sync, random);
      if (!callback || !before) return std::nullopt;
      wire.MoveCallback(*callback, before->index);
      return JoinLines(wire.lines);
    }
    case Corruption::TypeErrorForValid: {
      const std::optional<Wire::OpLine> line = Pick(wire.OpsWhere([](const Wire::OpLine& l) {
        return IsKind(l, {OpKind::Register, OpKind::Unregister, OpKind::Deref}) && !l.Abrupt();
      }), random);
      if (!line) return std::nullopt;
      wire.SetResult(*line, "TypeError");
      return JoinLines(wire.lines);
    }
    case Corruption::NoTypeError: {
      const std::optional<Wire::OpLine> line = Pick(
          wire.OpsWhere([](const Wire::OpLine& l) { return l.result == "TypeError"; }), random);
      if (!line) return std::nullopt;
      wire.SetResult(*line, "undefined");
      return JoinLines(wire.lines);
    }
    case Corruption::Resurrection: {
      // A deref that answered `undefined` saw its WeakRef's target collected; a later
      // deref of that WeakRef now answers the target. The lines show which WeakRef and
      // target each handle held: an op's line shows the value it gave its handle.
      std::map<Handle, std::string> value;
      std::map<std::string, std::string> targetOf;  // WeakRef -> its target
      std::map<std::string, bool> collected;        // WeakRef -> a deref answered undefined
      std::vector<std::pair<Wire::OpLine, std::string>> candidates;
      const auto valueOf = [&](const Operand& operand) -> std::optional<std::string> {
        const auto* handle = std::get_if<HandleRef>(&operand);
        if (handle == nullptr || !value.contains(handle->handle)) return std::nullopt;
        return value[handle->handle];
      };
      for (const Wire::OpLine& line : wire.ops) {
        if (line.op->kind == OpKind::Deref) {
          if (const auto weakRef = valueOf(line.op->args.at(0)); weakRef && targetOf.contains(*weakRef)) {
            if (collected[*weakRef]) candidates.emplace_back(line, targetOf[*weakRef]);
            if (line.result == "undefined") collected[*weakRef] = true;
          }
        }
        if (line.op->kind == OpKind::NewWeakRef) {
          if (const auto target = valueOf(line.op->args.at(0))) targetOf[line.result] = *target;
        }
        if (!line.op->dest) continue;
        if (line.op->kind == OpKind::Drop) {
          value[*line.op->dest] = "undefined";
        } else if (line.Abrupt()) {
          value.erase(*line.op->dest);
        } else {
          value[*line.op->dest] = line.result;
        }
      }
      const auto candidate = Pick(candidates, random);
      if (!candidate) return std::nullopt;
      wire.SetResult(candidate->first, candidate->second);
      return JoinLines(wire.lines);
    }
    case Corruption::SecondCallback: {
      // Only a callback without body ops: a body run twice would also repeat its
      // allocations, a different and easier corruption.
      std::vector<Wire::Callback> bare;
      for (const Wire::Callback& c : wire.callbacks) {
        if (c.end == c.begin + 1) bare.push_back(c);
      }
      const std::optional<Wire::Callback> callback = Pick(bare, random);
      if (!callback) return std::nullopt;
      wire.lines.insert(wire.lines.begin() + callback->end + 1,
                        {wire.lines[callback->begin], wire.lines[callback->end]});
      return JoinLines(wire.lines);
    }
    case Corruption::FlippedUnregister: {
      const std::optional<Wire::OpLine> line = Pick(wire.OpsWhere([](const Wire::OpLine& l) {
        return l.op->kind == OpKind::Unregister && (l.result == "true" || l.result == "false");
      }), random);
      if (!line) return std::nullopt;
      wire.SetResult(*line, line->result == "true" ? "false" : "true");
      return JoinLines(wire.lines);
    }
    case Corruption::EarlierCallback: {
      const std::optional<Wire::Callback> callback = Pick(wire.callbacks, random);
      if (!callback) return std::nullopt;
      // The last turn that ended before this callback's turn began.
      const Wire::OpLine* earlier = nullptr;
      for (const Wire::OpLine& line : wire.ops) {
        if (line.index > callback->begin) break;
        if (line.topLevel && line.op->kind == OpKind::Turn) earlier = &line;
      }
      if (earlier == nullptr) return std::nullopt;
      wire.MoveCallback(*callback, earlier->index);
      return JoinLines(wire.lines);
    }
    case Corruption::SwappedHeldValues: {
      std::vector<std::pair<Wire::Callback, Wire::Callback>> pairs;
      for (std::size_t i = 0; i < wire.callbacks.size(); ++i) {
        for (std::size_t j = i + 1; j < wire.callbacks.size(); ++j) {
          const auto [r1, h1] = wire.RegistryAndHeld(wire.callbacks[i]);
          const auto [r2, h2] = wire.RegistryAndHeld(wire.callbacks[j]);
          if (r1 == r2 && h1 != h2) pairs.emplace_back(wire.callbacks[i], wire.callbacks[j]);
        }
      }
      const auto pair = Pick(pairs, random);
      if (!pair) return std::nullopt;
      const auto [r1, h1] = wire.RegistryAndHeld(pair->first);
      const auto [r2, h2] = wire.RegistryAndHeld(pair->second);
      wire.lines[pair->first.begin] = "cb " + r1 + " " + h2;
      wire.lines[pair->second.begin] = "cb " + r2 + " " + h1;
      return JoinLines(wire.lines);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> Corrupt(Corruption kind, const Program& program,
                                   std::string_view wire, SplitMix64& random) {
  Wire lines(program, wire);
  return Apply(kind, lines, random);
}

}  // namespace finrig::engines
