// Google Benchmark figures for the model and the checker (BENCHMARKS.md, bench/run.sh):
//   Op/*          throughput of single ops through the interpreter (trace included);
//   Gc*/N         one full gc on a heap of N objects and N cells: all live, or N live
//                 plus N garbage (complexity fitted; the target is T(1e6)/T(1e5) <= 12);
//   Turn/N        one turn delivering N callbacks;
//   FuzzModel     decode + run + check, the fuzz target's work, over the corpus encoded;
//   Judge/lookalike/N/0|1  acceptor mode on an engine trace where N cells share one
//                 heldValue and N/2 were delivered, which only N unregister answers
//                 tell apart: legal (0), or illegal in its last answer (1), where the
//                 search must try every choice or give up (counters: runs, undecided).
// Programs are written as .fr text: the benchmark states what it runs in the language
// users read.
#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "engines/wire.h"
#include "fuzz/harness.h"
#include "model/binary.h"
#include "model/checker.h"
#include "model/model.h"
#include "model/text.h"

namespace finrig {
namespace {

// The ops of `text`, which may use handles that `context` (parsed, then dropped)
// assigns: the parser insists that a handle is assigned before use.
std::vector<Op> Ops(const std::string& text, const std::string& context = "") {
  std::vector<Op> ops = ParseProgram(context + text, "bench").ops;
  ops.erase(ops.begin(), ops.begin() + static_cast<std::ptrdiff_t>(
                                           ParseProgram(context, "bench").ops.size()));
  return ops;
}

// `ops` repeated `times` times after `setup`: one program.
Program Repeat(const std::string& setup, const std::string& ops, int times) {
  std::string text = setup;
  for (int i = 0; i < times; ++i) text += ops;
  return ParseProgram(text, "bench");
}

// Runs a whole program per iteration and counts `items` ops of interest in each.
void RunRepeated(benchmark::State& state, const Program& program, int items) {
  for (auto _ : state) {
    Trace trace = RunProgram(program);
    benchmark::DoNotOptimize(trace.events.data());
  }
  state.SetItemsProcessed(state.iterations() * items);
}

constexpr int kOpsPerProgram = 1000;

void BM_OpRegister(benchmark::State& state) {
  RunRepeated(state,
              Repeat("h0 = registry\nh1 = object\nh2 = object\n", "register h0 h1 \"x\" h2\n",
                     kOpsPerProgram),
              kOpsPerProgram);
}
BENCHMARK(BM_OpRegister)->Name("Op/register");

// An unregister that finds its cell: each pair leaves the registry as it was.
void BM_OpRegisterUnregister(benchmark::State& state) {
  RunRepeated(state,
              Repeat("h0 = registry\nh1 = object\nh2 = object\n",
                     "register h0 h1 \"x\" h2\nunregister h0 h2\n", kOpsPerProgram),
              kOpsPerProgram);
}
BENCHMARK(BM_OpRegisterUnregister)->Name("Op/register+unregister");

void BM_OpDeref(benchmark::State& state) {
  RunRepeated(state, Repeat("h0 = object\nh1 = weakref h0\n", "deref h1\n", kOpsPerProgram),
              kOpsPerProgram);
}
BENCHMARK(BM_OpDeref)->Name("Op/deref");

// A gc on a small heap (a registry, two objects, one cell): the per-gc overhead.
void BM_OpGcSmall(benchmark::State& state) {
  RunRepeated(state,
              Repeat("h0 = registry\nh1 = object\nh2 = object\nregister h0 h1 \"x\"\n", "gc\n",
                     kOpsPerProgram),
              kOpsPerProgram);
}
BENCHMARK(BM_OpGcSmall)->Name("Op/gc-small-heap");

// A turn with one job and one callback: each round makes a target, drops it, collects
// it and delivers its cell.
void BM_OpTurn(benchmark::State& state) {
  RunRepeated(state,
              Repeat("h0 = registry\n", "h1 = object\nregister h0 h1 \"x\"\ndrop h1\ngc\nturn\n",
                     kOpsPerProgram / 5),
              kOpsPerProgram / 5);
}
BENCHMARK(BM_OpTurn)->Name("Op/object+register+drop+gc+turn");

// An agent that has run the ops of a growing heap: h0 a registry, h2 the tail of a
// chain of objects rooted at h1, each object the target of one cell of h0.
class Heap {
 public:
  Heap() : agent_(Profile::Es2023, {}, trace_, host_) {
    Run(start_);
  }
  // `live` more objects on the chain, each with a cell.
  void AddLive(std::int64_t live) {
    for (std::int64_t i = 0; i < live; ++i) Run(live_);
  }
  // `garbage` objects reachable from nothing, each with a cell.
  void AddGarbage(std::int64_t garbage) {
    for (std::int64_t i = 0; i < garbage; ++i) Run(garbage_);
  }
  void Run(const std::vector<Op>& ops) {
    agent_.RunTopLevel(ops);
    trace_.events.clear();  // the heap is the point here, not the trace
  }

 private:
  static constexpr const char* kStart = "h0 = registry\nh1 = object\nh2 = h1\n";
  const std::vector<Op> start_ = Ops(kStart);
  const std::vector<Op> live_ =
      Ops("h3 = object\nlink h2 h3\nregister h0 h3 \"x\"\nh2 = h3\n", kStart);
  const std::vector<Op> garbage_ = Ops("h4 = object\nregister h0 h4 \"x\"\ndrop h4\n", kStart);
  Trace trace_;
  model::ProgramHost host_;
  model::Agent agent_;
};

const std::vector<Op>& FullGc() {
  static const std::vector<Op> gc = Ops("gc\n");
  return gc;
}

// Every object live: the gc marks N objects, walks N cells, collects nothing.
void BM_GcAllLive(benchmark::State& state) {
  Heap heap;
  heap.AddLive(state.range(0));
  for (auto _ : state) heap.Run(FullGc());
  state.SetComplexityN(state.range(0));
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_GcAllLive)
    ->Name("GcAllLive")
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// Times `measure` on a heap that `build` makes anew, untimed, for each iteration (for
// measurements that change the heap).
template <class Build, class Measure>
void TimeOnFreshHeaps(benchmark::State& state, Build build, Measure measure) {
  for (auto _ : state) {
    state.PauseTiming();
    auto heap = std::make_unique<Heap>();
    build(*heap);
    state.ResumeTiming();
    measure(*heap);
    state.PauseTiming();
    heap.reset();  // untimed too: freeing a large heap takes longer than its gc
    state.ResumeTiming();
  }
  state.SetComplexityN(state.range(0));
}

// N live objects and N garbage ones, every one a cell's target: the gc collects N
// and enqueues the registry's job.
void BM_GcHalfGarbage(benchmark::State& state) {
  TimeOnFreshHeaps(
      state,
      [&](Heap& heap) {
        heap.AddLive(state.range(0));
        heap.AddGarbage(state.range(0));
      },
      [](Heap& heap) { heap.Run(FullGc()); });
  state.SetItemsProcessed(state.iterations() * state.range(0) * 2);
}
BENCHMARK(BM_GcHalfGarbage)
    ->Name("GcHalfGarbage")
    ->RangeMultiplier(10)
    ->Range(1000, 1000000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// One turn delivering N callbacks (the job of a registry with N emptied cells).
void BM_TurnDelivers(benchmark::State& state) {
  static const std::vector<Op> turn = Ops("turn\n");
  TimeOnFreshHeaps(
      state,
      [&](Heap& heap) {
        heap.AddGarbage(state.range(0));
        heap.Run(FullGc());
      },
      [](Heap& heap) { heap.Run(turn); });
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_TurnDelivers)
    ->Name("TurnDelivers")
    ->RangeMultiplier(10)
    ->Range(1000, 100000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oN);

// The corpus in binary form, as the fuzzer's seeds are.
std::vector<std::vector<std::uint8_t>> EncodedCorpus() {
  std::vector<std::vector<std::uint8_t>> inputs;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(FINRIG_CORPUS_DIR)) {
    if (entry.path().extension() != ".fr") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), {});
    inputs.push_back(EncodeProgram(ParseProgram(text, entry.path().string())));
  }
  return inputs;
}

// What model_fuzzer does per input, without libFuzzer: decode, run, check. Corpus
// programs are fuzzer-sized (the seeds); the faults' programs are among them, so
// some inputs produce reports (with the clean model, only the corpus's own
// expectations could fail, and none do).
void BM_FuzzModel(benchmark::State& state) {
  static const std::vector<std::vector<std::uint8_t>> inputs = EncodedCorpus();
  for (auto _ : state) {
    for (const auto& input : inputs) benchmark::DoNotOptimize(fuzz::FuzzModel(input, {}));
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(inputs.size()));
  state.counters["inputs"] = static_cast<double>(inputs.size());
}
BENCHMARK(BM_FuzzModel)->Name("FuzzModel/corpus");

// N targets with N tokens in one registry, one heldValue; all die; the engine delivered
// the last N/2 cells, and N unregisters tell which (or, `illegal`, the last answer
// claims a delivered cell was still there).
void BM_JudgeLookalike(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const bool illegal = state.range(1) != 0;
  std::string text = "h0 = registry\n", wire;
  int op = 0;
  for (int i = 1; i <= 2 * n; ++i) text += "h" + std::to_string(i) + " = object\n";
  for (int i = 1; i <= n; ++i) {
    text += "register h0 h" + std::to_string(i) + " \"a\" h" + std::to_string(n + i) + "\n";
  }
  for (int i = 1; i <= n; ++i) text += "drop h" + std::to_string(i) + "\n";
  text += "gc\nturn\n";
  for (int i = 1; i <= n; ++i) text += "unregister h0 h" + std::to_string(n + i) + "\n";
  for (; op <= 2 * n; ++op) wire += "op " + std::to_string(op) + " @" + std::to_string(op) + "\n";
  for (int i = 0; i < 2 * n + 1; ++i) wire += "op " + std::to_string(op++) + " undefined\n";
  for (int i = 0; i < n / 2; ++i) wire += "cb @0 \"a\"\nret\n";
  wire += "op " + std::to_string(op++) + " undefined\n";
  for (int i = 1; i <= n; ++i) {
    const bool delivered = i > n - n / 2;
    const bool answer = !delivered || (illegal && i == n);
    wire += "op " + std::to_string(op++) + (answer ? " true\n" : " false\n");
  }
  const Program program = ParseProgram(text + "", "bench");
  const engines::EngineRun run = engines::ReadWire(program, wire + "end\n");
  CheckStats stats;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        CheckTrace(program, run.trace, CheckOptions{.strict = false}, &stats).size());
  }
  state.counters["runs"] = stats.runs;
  state.counters["undecided"] = stats.undecided;
  state.counters["refuted"] = stats.refuted;
}
BENCHMARK(BM_JudgeLookalike)
    ->Name("Judge/lookalike")
    ->ArgsProduct({{8, 16, 32, 64}, {0, 1}})
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace finrig

BENCHMARK_MAIN();
