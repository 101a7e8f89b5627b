#include "model/trace.h"

#include <map>

#include <fmt/format.h>

#include "model/overloaded.h"
#include "model/text.h"

namespace finrig {
namespace {

void IndexPaths(const std::vector<Op>& ops, const std::string& prefix,
                std::map<const Op*, std::string>& paths) {
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const std::string path = prefix + std::to_string(i);
    paths[&ops[i]] = path;
    IndexPaths(ops[i].body, path + ".", paths);
  }
}

}  // namespace

std::map<const Op*, std::string> OpPaths(const Program& program) {
  std::map<const Op*, std::string> paths;
  IndexPaths(program.ops, "", paths);
  return paths;
}

std::string CompletionToText(const Completion& c) {
  switch (c.type) {
    case Completion::Type::Normal: return ToText(c.value);
    case Completion::Type::TypeError: return "TypeError";
    case Completion::Type::Throw: return "throw";
    case Completion::Type::NewTargetError: return "NewTargetError";
  }
  return "?";
}

std::string PrintTrace(const Program& program, const Trace& trace) {
  std::map<const Op*, std::string> paths = OpPaths(program);
  std::string out;
  int depth = 0;
  const auto line = [&](const std::string& text) {
    out += std::string(2 * depth, ' ') + text + "\n";
  };
  for (const Event& event : trace.events) {
    std::visit(Overloaded{
                   [&](const OpDone& e) {
                     line(fmt::format("{} {} => {}", paths[e.op], PrintOpHead(*e.op),
                                      CompletionToText(e.result)));
                   },
                   [&](const Collected& e) {
                     std::string ids;
                     for (HeapId id : e.ids) ids += fmt::format(" @{}", id);
                     line("collected" + (ids.empty() ? std::string(" none") : ids));
                   },
                   [&](const JobBegin& e) { line(fmt::format("job @{}", e.registry)), ++depth; },
                   [&](const JobEnd& e) {
                     --depth;
                     line(fmt::format("job @{} {}", e.registry, e.abrupt ? "threw" : "done"));
                   },
                   [&](const CallbackBegin& e) {
                     line(fmt::format("callback @{}({})", e.registry, ToText(e.held))), ++depth;
                   },
                   [&](const CallbackEnd& e) {
                     --depth;
                     line(e.threw ? "callback threw" : "callback returned");
                   },
                   [&](const PromiseJobBegin& e) { line("promise job of " + paths[e.then]), ++depth; },
                   [&](const PromiseJobEnd& e) {
                     --depth;
                     line(e.threw ? "promise job threw" : "promise job returned");
                   },
               },
               event);
  }
  return out;
}

}  // namespace finrig
