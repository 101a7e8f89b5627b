#include "model/host.h"

#include <algorithm>

namespace finrig::model {

Collection ProgramHost::GcOp(const Op& op, std::size_t) {
  gc_ = &op;
  return Collection{.everything = op.gcOnly.empty(), .only = op.gcOnly};
}

std::optional<Collection> ProgramHost::Spontaneous(std::size_t) { return std::nullopt; }

std::uint32_t ProgramHost::JobsToEnqueue(HeapId, std::uint32_t values) {
  return JobsEnqueuedFor(gc_->gcEnqueue, values);
}

void ProgramHost::BeginTurn(const Op& op, const std::vector<Job>& queue) {
  turn_ = &op;
  selected_.clear();
  nextSelected_ = 0;
  if (!op.turnJobs) {
    for (const Job& job : queue) selected_.push_back(job.serial);
    return;
  }
  for (std::uint32_t position : *op.turnJobs) {
    if (position >= queue.size()) continue;  // no such job: nothing to run
    const std::uint64_t serial = queue[position].serial;
    if (std::find(selected_.begin(), selected_.end(), serial) == selected_.end()) {
      selected_.push_back(serial);
    }
  }
}

std::optional<std::size_t> ProgramHost::NextJob(const std::vector<Job>& queue) {
  while (nextSelected_ < selected_.size()) {
    const std::uint64_t serial = selected_[nextSelected_++];
    const auto job = std::find_if(queue.begin(), queue.end(),
                                  [&](const Job& j) { return j.serial == serial; });
    if (job != queue.end()) return static_cast<std::size_t>(job - queue.begin());
  }
  turn_ = nullptr;
  return std::nullopt;
}

std::optional<std::size_t> ProgramHost::ChooseCell(const std::vector<std::size_t>& empty,
                                                   std::uint32_t delivered) {
  if (turn_ == nullptr) return 0;
  if (turn_->turnLimit && delivered >= *turn_->turnLimit) return std::nullopt;
  return turn_->turnOrder == CellOrder::Fifo ? 0 : empty.size() - 1;
}

bool ProgramHost::JobHoldsRegistry(HeapId) {
  return gc_ == nullptr || gc_->gcHold == JobHold::Strong;
}

// A program runs jobs where it writes `turn`, and nowhere else.
bool ProgramHost::TurnAfterTheLastOp() { return false; }

bool ProgramHost::RepostAfterThrow(HeapId) {
  if (turn_ == nullptr || !turn_->turnRepost) return false;
  gc_ = nullptr;  // the job is the turn's, not a gc's
  return true;
}

Collection RandomHost::Subset(std::size_t heapSize) {
  Collection collection;
  for (std::size_t id = 0; id < heapSize; ++id) {
    if (Chance(0.5)) collection.only.push_back(static_cast<HeapId>(id));
  }
  return collection;
}

// An engine's gc need not collect everything it could.
Collection RandomHost::GcOp(const Op&, std::size_t heapSize) {
  if (complete_ || Chance(0.6)) return Collection{.everything = true};
  return Subset(heapSize);
}

std::optional<Collection> RandomHost::Spontaneous(std::size_t heapSize) {
  if (heapSize == 0 || !Chance(0.25)) return std::nullopt;
  if (Chance(0.5)) return Collection{.everything = true};
  return Subset(heapSize);
}

std::uint32_t RandomHost::JobsToEnqueue(HeapId, std::uint32_t values) {
  if (Chance(0.75)) return 1;
  if (complete_) return 1 + static_cast<std::uint32_t>(Below(values));
  return static_cast<std::uint32_t>(Below(values + 1));
}

// A complete host runs every job it enqueues (--strict holds a reachable registry's
// cells to delivery, and a registry that only its job keeps is reachable).
bool RandomHost::JobHoldsRegistry(HeapId) { return complete_ || Chance(0.5); }

bool RandomHost::TurnAfterTheLastOp() { return Chance(0.3); }

void RandomHost::BeginTurn(const Op&, const std::vector<Job>&) {}

std::optional<std::size_t> RandomHost::NextJob(const std::vector<Job>& queue) {
  if (queue.empty() || (!complete_ && Chance(0.08))) return std::nullopt;
  return Below(queue.size());
}

std::optional<std::size_t> RandomHost::ChooseCell(const std::vector<std::size_t>& empty,
                                                  std::uint32_t) {
  if (!complete_ && Chance(0.08)) return std::nullopt;
  return Below(empty.size());
}

bool RandomHost::RepostAfterThrow(HeapId) { return repost_ && (complete_ || Chance(0.5)); }

}  // namespace finrig::model
