// The host: every choice ECMA-262 leaves to an implementation, asked of one object
// (docs/SEMANTICS.md, "Choices ECMA-262 leaves to the host"). The model makes no such
// choice itself. A program's own ops state its choices (ProgramHost: `gc @… enqueue …
// hold …`, `turn jobs … order … limit … repost`), which is how a .fr program fixes one
// execution; a RandomHost makes any legal choice, so that the model can play an engine
// and the checker be tested against every behaviour it must accept.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "model/program.h"
#include "model/splitmix.h"
#include "model/value.h"

namespace finrig::model {

// What a collection may take: the largest non-live subset of these candidates.
struct Collection {
  bool everything = false;        // every value is a candidate
  std::vector<HeapId> only = {};  // otherwise, these
};

// A cleanup job waiting in the host's queue.
struct Job {
  HeapId registry;
  std::uint64_t serial;  // tells apart two pending jobs of one registry
  // Choice 3: the job keeps its registry alive, and runs; otherwise the registry may die
  // while it waits, and a job whose registry was collected is dropped.
  bool holdsRegistry = true;
};

class Host {
 public:
  virtual ~Host() = default;

  // Choice 1, at an op the program wrote: what `gc` collects.
  virtual Collection GcOp(const Op& op, std::size_t heapSize) = 0;
  // Choice 1, anywhere else ("at any time"): before each op and each callback, and
  // before each job of a turn. nullopt: no collection here.
  virtual std::optional<Collection> Spontaneous(std::size_t heapSize) = 0;
  // Choice 2: a collection emptied cells of `registry` for `values` distinct collected
  // values; each pair may enqueue a job, and the host may merge them. How many jobs.
  virtual std::uint32_t JobsToEnqueue(HeapId registry, std::uint32_t values) = 0;
  // Choice 3: whether a job being enqueued for `registry` keeps it alive (and runs) or
  // lets it die with the job pending (and is dropped then).
  virtual bool JobHoldsRegistry(HeapId registry) = 0;
  // Choice 6: a turn begins (the synchronous run ended; KeptAlive was cleared).
  virtual void BeginTurn(const Op& op, const std::vector<Job>& queue) = 0;
  // Choice 6: after the program's last op, run jobs before it is done (a turn of the
  // host's own, which BeginTurn and NextJob then steer), or end there.
  virtual bool TurnAfterTheLastOp() = 0;
  // Choice 6: the position in `queue` of the next job this turn runs, or nullopt to end
  // the turn. Each job is a job of its own: KeptAlive is cleared after it. Jobs
  // enqueued during the turn are in `queue` too.
  virtual std::optional<std::size_t> NextJob(const std::vector<Job>& queue) = 0;
  // Choice 4: of the cells of a running job whose target is empty (`empty`: their
  // positions in [[Cells]], oldest first, never empty), the one to deliver next, as an
  // index into `empty`; nullopt stops the job. `delivered`: callbacks so far in it.
  virtual std::optional<std::size_t> ChooseCell(const std::vector<std::size_t>& empty,
                                                std::uint32_t delivered) = 0;
  // Choice 5: a callback threw, ending its job, and empty cells are left: post another
  // job for them now (V8 does) or wait for another collection (the letter of ECMA-262).
  virtual bool RepostAfterThrow(HeapId registry) = 0;
  // Choice 6: the synchronous run ended: call ClearKeptObjects before its promise jobs
  // run, or (as HTML's microtask checkpoint does) after them.
  virtual bool ClearKeptObjectsBeforePromiseJobs() = 0;
  // Choice 6: in a turn, with promise jobs and cleanup jobs both waiting, run a cleanup
  // job first (QuickJS queues both in one queue) or the promise jobs (HTML).
  virtual bool CleanupJobBeforePromiseJobs() = 0;
};

// The choices a program writes: `gc` collects what it lists (or all); nothing else is
// collected; its collection enqueues the jobs its `enqueue` option says (one per
// registry without it), each keeping its registry alive unless it says `hold weak`; a
// turn runs the jobs its `jobs` option selects (positions in the queue as the turn
// begins; all of them, oldest first, without it), each delivering in its `order` up to
// `limit` cells, and re-posts a job ended by a throw if it says `repost` (that job
// keeps its registry alive). Outside a turn (the synchronous-callback fault) a job
// delivers every cell, oldest first, and is not re-posted.
class ProgramHost final : public Host {
 public:
  Collection GcOp(const Op& op, std::size_t heapSize) override;
  std::optional<Collection> Spontaneous(std::size_t heapSize) override;
  std::uint32_t JobsToEnqueue(HeapId registry, std::uint32_t values) override;
  bool JobHoldsRegistry(HeapId registry) override;
  bool TurnAfterTheLastOp() override;
  void BeginTurn(const Op& op, const std::vector<Job>& queue) override;
  std::optional<std::size_t> NextJob(const std::vector<Job>& queue) override;
  std::optional<std::size_t> ChooseCell(const std::vector<std::size_t>& empty,
                                        std::uint32_t delivered) override;
  bool RepostAfterThrow(HeapId registry) override;
  bool ClearKeptObjectsBeforePromiseJobs() override { return false; }
  bool CleanupJobBeforePromiseJobs() override { return false; }

 private:
  // The gc whose collection is enqueueing jobs; null while a turn re-posts one. (A
  // program's collections happen only at its gc ops, each enqueueing its jobs at once.)
  const Op* gc_ = nullptr;
  const Op* turn_ = nullptr;
  std::vector<std::uint64_t> selected_;  // job serials this turn runs, in order
  std::size_t nextSelected_ = 0;
};

// Any legal choice, drawn from a seeded generator: the same seed, the same execution.
// A `complete` host still chooses orders and extra collections at random, but delivers
// everything it owes, as --strict asks of engines: each `gc` takes all it can, each
// collection enqueues a job, a turn runs jobs until none is left, a job runs until it
// has no cell to deliver, and a throw re-posts the job.
class RandomHost final : public Host {
 public:
  // `repost`: may re-post a job after a throw (choice 5); without it, the letter of ECMA-262.
  explicit RandomHost(std::uint64_t seed, bool complete = false, bool repost = true)
      : random_(seed), complete_(complete), repost_(repost) {}

  Collection GcOp(const Op& op, std::size_t heapSize) override;
  std::optional<Collection> Spontaneous(std::size_t heapSize) override;
  std::uint32_t JobsToEnqueue(HeapId registry, std::uint32_t values) override;
  bool JobHoldsRegistry(HeapId registry) override;
  bool TurnAfterTheLastOp() override;
  void BeginTurn(const Op& op, const std::vector<Job>& queue) override;
  std::optional<std::size_t> NextJob(const std::vector<Job>& queue) override;
  std::optional<std::size_t> ChooseCell(const std::vector<std::size_t>& empty,
                                        std::uint32_t delivered) override;
  bool RepostAfterThrow(HeapId registry) override;
  bool ClearKeptObjectsBeforePromiseJobs() override { return Chance(0.3); }
  bool CleanupJobBeforePromiseJobs() override { return Chance(0.3); }

 private:
  bool Chance(double p) { return random_.Chance(p); }
  std::size_t Below(std::size_t n) { return random_.Below(n); }
  Collection Subset(std::size_t heapSize);

  SplitMix64 random_;
  bool complete_;
  bool repost_;
};

}  // namespace finrig::model
