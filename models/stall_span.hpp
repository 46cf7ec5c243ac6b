#pragma once
// Cycles a run lost to one cause, placed where they were lost: the spans
// behind the stall columns of layers.csv, which the timeline shows in time.

#include <cstdint>
#include <vector>

namespace systole {

enum class StallCause { Dram, Noc, Buffer };

struct StallSpan {
  std::int64_t first_cycle = 0;  // of the step, or of the run once recorded in LayerStats
  std::int64_t cycles = 0;
  StallCause cause = StallCause::Dram;
};

// Counts one cycle lost to `cause` at `cycle`: the last span grows when it
// ends there with the same cause.
inline void add_stall_cycle(std::vector<StallSpan>& spans, StallCause cause, std::int64_t cycle) {
  if (!spans.empty() && spans.back().cause == cause && spans.back().first_cycle + spans.back().cycles == cycle)
    ++spans.back().cycles;
  else
    spans.push_back({cycle, 1, cause});
}

}  // namespace systole
