#pragma once
// One writer of a sweep: runs, in this process, the runs it is given — its
// shard's that are not yet completed (a Slurm task), or those the local pool
// hands it one at a time — writing each to its own database as it finishes.

#include <atomic>
#include <cstddef>
#include <functional>
#include <map>
#include <string>

#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/result_store.hpp"
#include "sim/sweep/sweep_plan.hpp"

namespace systole {

struct Shard {
  std::size_t index = 0;
  std::size_t count = 1;
};

// The runs of `plan` in `shard` whose status is not completed.
std::vector<const SweepRun*> pending_runs(const SweepPlan& plan, Shard shard,
                                          const std::map<std::string, std::string>& statuses);

struct ShardOutcome {
  std::size_t completed = 0;
  std::size_t failed = 0;
  bool interrupted = false;
};

// The next run to do; null when there are no more.
using NextRun = std::function<const SweepRun*()>;
// `runs` one after the other.
NextRun runs_in_order(const std::vector<const SweepRun*>& runs);

// Runs what `next` gives into `store`, calling `finished` after each is
// stored; stops, leaving the run in progress unwritten, once `interrupt` is
// set.
ShardOutcome run_pending(PointRunner& runner, const NextRun& next, ResultStore& store,
                         const std::atomic<bool>& interrupt,
                         const std::function<void(const StoredRun&)>& finished);

}  // namespace systole
