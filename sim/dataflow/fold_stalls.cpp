#include "sim/dataflow/fold_stalls.hpp"

#include <algorithm>
#include <stdexcept>

namespace systole {

void StallCycles::add(StallCause cause, std::int64_t first_cycle, std::int64_t cycles) {
  if (cycles == 0) return;
  if (cycles < 0) throw std::logic_error("fold_stalls: a negative stall of " + std::to_string(cycles) + " cycles");
  (cause == StallCause::Dram ? dram : cause == StallCause::Noc ? noc : buffer) += cycles;
  spans.push_back({first_cycle, cycles, cause});
}

StallCycles fold_stalls(const std::vector<Fold>& folds, const std::vector<FoldTiming>& timings,
                        const std::vector<MemoryWait>& waits, const std::vector<FoldRateLimits>& limits,
                        std::int64_t drain_tail, std::int64_t last_result_cycle, bool completed,
                        const StepEnd* end) {
  StallCycles stalls;
  for (std::size_t g = 0; g < waits.size(); ++g) {
    const MemoryWait& wait = waits[g];
    const std::int64_t latency = std::min(wait.cycles, wait.causes.noc_latency);
    const std::int64_t ports = std::min(wait.cycles - latency, wait.causes.buffer_ports);
    const std::int64_t dram = wait.cycles - latency - ports;
    const std::int64_t first = timings[g].stream_start - wait.cycles;
    stalls.add(StallCause::Dram, first, dram);
    stalls.add(StallCause::Buffer, first + dram, ports);
    stalls.add(StallCause::Noc, first + dram + ports, latency);
  }
  if (end != nullptr) {
    const std::int64_t ports =
        std::max<std::int64_t>(0, end->cycles - std::max(end->padded_length, end->last_dram_write_cycle + 1));
    const std::int64_t without = std::max(end->padded_length, end->last_result_cycle + 1);
    const std::int64_t trip = std::clamp<std::int64_t>(end->cycles - ports - without, 0, end->noc_latency);
    const std::int64_t dram = std::max<std::int64_t>(0, end->cycles - ports - without - trip);
    const std::int64_t first = end->cycles - ports - dram - trip;
    stalls.add(StallCause::Noc, first, trip);
    stalls.add(StallCause::Dram, first + trip, dram);
    stalls.add(StallCause::Buffer, first + trip + dram, ports);
  }
  const auto cause_of = [](RateLimit limit) { return limit == RateLimit::Buffer ? StallCause::Buffer : StallCause::Noc; };
  for (std::size_t g = 0; g < timings.size() && !limits.empty(); ++g) {
    const Fold& fold = folds[g];
    const FoldTiming& timing = timings[g];
    const StallCause stream = cause_of(limits[g].stream);
    const StallCause load_or_drain = cause_of(limits[g].load_or_drain);
    stalls.add(stream, timing.stream_start + fold.stream_length, fold.last_element_offset() - (fold.stream_length - 1));
    const std::int64_t delays_end = timing.stream_start - (g < waits.size() ? waits[g].cycles : 0);
    stalls.add(stream, delays_end - timing.bus_delay, timing.bus_delay);
    stalls.add(load_or_drain, delays_end - timing.bus_delay - timing.rate_delay, timing.rate_delay);
    if (completed && g + 1 == folds.size())
      stalls.add(load_or_drain, last_result_cycle + 1 - drain_tail, drain_tail);
  }
  return stalls;
}

}  // namespace systole
