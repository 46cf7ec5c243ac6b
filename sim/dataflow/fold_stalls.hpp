#pragma once
// Where the cycles a GEMM step lost went, by cause (the stall columns of
// layers.csv; docs/timing-model.md derives each share):
//  - a fold that waited for memory before its stream could start: the share
//    the NoC's latency alone explains goes to the NoC, the share the
//    buffer's ports explain (filling tiles, reading write-backs slower than
//    DRAM moved them) to the buffer, the rest to DRAM;
//  - a fold spaced out by a path narrower than it needs (its stream
//    stretched, its start delayed by slow stationary loads or result ports,
//    or by sharing the buses with earlier folds), and the last fold's slow
//    drain: to whichever of the NoC and the buffer limits that path;
//  - the end of the step waiting for its last results: their trip to the
//    buffer (NoC), DRAM's write (DRAM) and slow read ports (buffer), unless
//    the baseline's last slot lasts longer anyway.
// The array controller reports how long each fold waited; the memory
// controller, when a fold could have started without the NoC's latency or
// with ports as fast as DRAM (MemoryController::waits, which only it can
// tell). This is the one place that turns those facts into stall cycles.
// Each share is also placed in the step's cycles where it was lost:
//  - a fold's wait ends where its stream starts, the DRAM share first, then
//    the buffer's ports, then the NoC's latency (the order data takes);
//  - the rate and bus delays of its start come just before the wait;
//  - a stretched stream's extra cycles follow where its last element would
//    have entered unstretched; the slow drain ends at the last result;
//  - the end's wait is the step's last cycles: the NoC trip, DRAM's write,
//    then the ports.

#include <cstdint>
#include <vector>

#include "models/array/array_controller.hpp"
#include "models/array/fold_schedule.hpp"
#include "sim/dataflow/edge_rates.hpp"
#include "models/stall_span.hpp"

namespace systole {

struct StallCycles {
  std::int64_t dram = 0, noc = 0, buffer = 0;
  std::vector<StallSpan> spans;  // in the step's cycles; by cause, they add up to the totals

  // Counts `cycles` lost to `cause` from `first_cycle` on.
  void add(StallCause cause, std::int64_t first_cycle, std::int64_t cycles);
};

// How a completed step with the DRAM model ended.
struct StepEnd {
  std::int64_t cycles = 0;                 // the step's length
  std::int64_t padded_length = 0;          // the end of the baseline's last slot (0 pipelined)
  std::int64_t last_result_cycle = 0;      // the last result left the array
  std::int64_t last_dram_write_cycle = 0;  // DRAM finished the last write-back (-1: none)
  int noc_latency = 0;
};

// `limits` per fold with the DRAM model, else empty; `drain_tail`: how much
// later the last fold's results were all out than at one per port and cycle
// (counted only when the step completed), and `last_result_cycle` when they
// were; `end`: null unless the step completed with the DRAM model.
StallCycles fold_stalls(const std::vector<Fold>& folds, const std::vector<FoldTiming>& timings,
                        const std::vector<MemoryWait>& waits, const std::vector<FoldRateLimits>& limits,
                        std::int64_t drain_tail, std::int64_t last_result_cycle, bool completed,
                        const StepEnd* end);

}  // namespace systole
