#include "engines/profiles.h"

#include <array>

namespace finrig::engines {
namespace {

constexpr std::array kProfiles = {
    EngineProfile{
        .name = "node",
        .engine = "V8, as in Node.js 20 (checked with v20.20.2)",
        .how = "node --expose-gc, a batch of programs per process (FINRIG_NODE names the binary)",
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "gc() is a full, precise collection; cleanup tasks run from the event loop, "
                 "in no fixed order, and after a callback throws the rest come in a later task; "
                 "a registry that dies with a job pending stops all cleanup in the isolate "
                 "(corpus/engines/), which --strict reports",
    },
    EngineProfile{
        .name = "spidermonkey",
        .engine = "SpiderMonkey 102 (Debian's libmozjs-102, in process)",
        .how = "engines/spidermonkey: a fresh global per program, JS_GC, the host's task queue",
        .profile = Profile::Es2021,
        .strictCompleteness = false,
        .repostsAfterThrow = false,
        .notes = "symbols cannot be held weakly in 102 (es2021): symbol targets and tokens are "
                 "TypeErrors, as the profile expects; cells a throwing callback leaves are "
                 "delivered only after another target of the registry dies, so --strict "
                 "reports them",
    },
    EngineProfile{
        .name = "model",
        .engine = "finrig's reference model, making any choice ECMA-262 allows (the judge's self-test)",
        .how = "in process: model::RandomHost, choices seeded by --seed and the program; "
               "--engine-fault NAME breaks it on purpose",
        .profile = Profile::Es2023,
        .strictCompleteness = true,
        .repostsAfterThrow = true,
        .notes = "every run is legal by construction, so every finding is finrig's own bug: "
                 "the checker rejecting a legal trace, or the model misbehaving under a host "
                 "other than the program's; with --strict the host delivers everything it "
                 "owes (every gc takes all it can, every job runs to the end, a throw re-posts)",
    },
};

}  // namespace

std::span<const EngineProfile> EngineProfiles() { return kProfiles; }

std::optional<EngineProfile> EngineProfileNamed(std::string_view name) {
  for (const EngineProfile& profile : kProfiles) {
    if (profile.name == name) return profile;
  }
  return std::nullopt;
}

}  // namespace finrig::engines
