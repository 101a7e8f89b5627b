#include "model/program.h"

namespace finrig {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::NewObject: return "object";
    case OpKind::NewSymbol: return "symbol";
    case OpKind::Assign: return "assign";
    case OpKind::NewRegistry: return "registry";
    case OpKind::NewWeakRef: return "weakref";
    case OpKind::Deref: return "deref";
    case OpKind::Register: return "register";
    case OpKind::Unregister: return "unregister";
    case OpKind::Link: return "link";
    case OpKind::Unlink: return "unlink";
    case OpKind::Drop: return "drop";
    case OpKind::Gc: return "gc";
    case OpKind::Turn: return "turn";
    case OpKind::Throw: return "throw";
  }
  return "?";
}

namespace {

std::vector<Op> StripOps(const std::vector<Op>& ops) {
  std::vector<Op> out;
  out.reserve(ops.size());
  for (const Op& op : ops) {
    Op stripped = op;
    stripped.expects.clear();
    stripped.line = stripped.column = 0;
    stripped.comments.clear();
    stripped.trailingComment.clear();
    stripped.body = StripOps(op.body);
    out.push_back(std::move(stripped));
  }
  return out;
}

}  // namespace

Program StripToSemantics(const Program& program) {
  return Program{.profile = program.profile, .ops = StripOps(program.ops), .trailingComments = {}};
}

}  // namespace finrig
