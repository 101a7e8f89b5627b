#include "model/program.h"

#include "model/op_facts.h"

namespace finrig {

std::string_view OpKindName(OpKind kind) { return FactsOf(kind).keyword; }

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

std::uint32_t JobsEnqueuedFor(JobsEnqueued enqueue, std::uint32_t values) {
  if (values == 0) return 0;
  switch (enqueue) {
    case JobsEnqueued::OnePerRegistry: return 1;
    case JobsEnqueued::None: return 0;
    case JobsEnqueued::OnePerValue: return values;
  }
  return 1;
}

int OpCount(const std::vector<Op>& ops) {
  int n = 0;
  for (const Op& op : ops) n += 1 + OpCount(op.body);
  return n;
}

int OpCount(const Program& program) { return OpCount(program.ops); }

Program StripToSemantics(const Program& program) {
  return Program{.profile = program.profile,
                 .callbackBudget = program.callbackBudget,
                 .ops = StripOps(program.ops),
                 .trailingComments = {}};
}

}  // namespace finrig
