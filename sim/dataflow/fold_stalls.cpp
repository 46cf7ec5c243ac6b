#include "sim/dataflow/fold_stalls.hpp"

#include <algorithm>

namespace systole {

StallCycles fold_stalls(const std::vector<Fold>& folds, const std::vector<FoldTiming>& timings,
                        const std::vector<MemoryWait>& waits, const std::vector<FoldRateLimits>& limits,
                        std::int64_t drain_tail, bool completed, const StepEnd* end) {
  StallCycles stalls;
  for (const MemoryWait& wait : waits) {
    const std::int64_t latency = std::min(wait.cycles, wait.causes.noc_latency);
    const std::int64_t ports = std::min(wait.cycles - latency, wait.causes.buffer_ports);
    stalls.noc += latency;
    stalls.buffer += ports;
    stalls.dram += wait.cycles - latency - ports;
  }
  if (end != nullptr) {
    const std::int64_t ports =
        std::max<std::int64_t>(0, end->cycles - std::max(end->padded_length, end->last_dram_write_cycle + 1));
    const std::int64_t without = std::max(end->padded_length, end->last_result_cycle + 1);
    const std::int64_t trip = std::clamp<std::int64_t>(end->cycles - ports - without, 0, end->noc_latency);
    stalls.buffer += ports;
    stalls.noc += trip;
    stalls.dram += std::max<std::int64_t>(0, end->cycles - ports - without - trip);
  }
  for (std::size_t g = 0; g < timings.size() && !limits.empty(); ++g) {
    const Fold& fold = folds[g];
    std::int64_t& stream = limits[g].stream == RateLimit::Buffer ? stalls.buffer : stalls.noc;
    stream += fold.last_element_offset() - (fold.stream_length - 1);
    stream += timings[g].bus_delay;
    std::int64_t delay = timings[g].rate_delay;
    if (completed && g + 1 == folds.size()) delay += drain_tail;
    (limits[g].load_or_drain == RateLimit::Buffer ? stalls.buffer : stalls.noc) += delay;
  }
  return stalls;
}

}  // namespace systole
