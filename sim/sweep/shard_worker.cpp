#include "sim/sweep/shard_worker.hpp"

namespace systole {

std::vector<const SweepRun*> pending_runs(const SweepPlan& plan, Shard shard,
                                          const std::map<std::string, std::string>& statuses) {
  std::vector<const SweepRun*> runs;
  for (std::size_t r = shard.index; r < plan.runs.size(); r += shard.count) {
    const auto status = statuses.find(plan.runs[r].hash);
    if (status == statuses.end() || status->second != "completed") runs.push_back(&plan.runs[r]);
  }
  return runs;
}

NextRun runs_in_order(const std::vector<const SweepRun*>& runs) {
  return [runs, next = std::size_t{0}]() mutable { return next < runs.size() ? runs[next++] : nullptr; };
}

ShardOutcome run_pending(PointRunner& runner, const NextRun& next, ResultStore& store,
                         const std::atomic<bool>& interrupt,
                         const std::function<void(const StoredRun&)>& finished) {
  ShardOutcome outcome;
  while (!interrupt) {
    const SweepRun* run = next();
    if (!run || interrupt) break;
    const std::optional<StoredRun> stored = runner.run(*run);
    if (!stored) break;
    store.put(*stored);
    ++(stored->status == "completed" ? outcome.completed : outcome.failed);
    if (finished) finished(*stored);
  }
  outcome.interrupted = interrupt;
  return outcome;
}

}  // namespace systole
