#include "models/fold_schedule.hpp"

#include <algorithm>

namespace systole {

namespace {

FoldSchedule baseline(ArrayMode mode, int rows, int cols, std::int64_t t,
                      std::size_t fold_count) {
  // Each fold is a fixed slot sized for a full array: load R rows (stationary
  // only), then T + R + C - 2 cycles until the bottom-right PE's result is out.
  const std::int64_t load = mode == ArrayMode::Stationary ? rows : 0;
  const std::int64_t slot = load + t + rows + cols - 2;
  FoldSchedule schedule;
  schedule.folds.reserve(fold_count);
  for (std::size_t g = 0; g < fold_count; ++g) {
    const std::int64_t begin = static_cast<std::int64_t>(g) * slot;
    schedule.folds.push_back({begin, begin + load});
  }
  schedule.padded_length = static_cast<std::int64_t>(fold_count) * slot;
  return schedule;
}

FoldSchedule pipelined_stationary(int rows, int cols, std::int64_t t,
                                  std::size_t fold_count) {
  // Two stationary buffers per PE; fold g uses buffer g % 2.
  //  - one stationary row is written per cycle: L_g >= L_{g-1} + R;
  //  - fold g reuses fold g-2's buffer, whose last operand passes PE (r, C-1)
  //    at s_{g-2} + T-1 + r + C-1, before row r is rewritten at L_g + r:
  //    L_g >= s_{g-2} + T + C - 1;
  //  - row r written at L_g + r is read from L_g + r + 1, and the fold's
  //    first operand reaches row r at s_g + r: s_g >= L_g + 1;
  //  - the left edge carries one fold at a time: s_g >= s_{g-1} + T.
  FoldSchedule schedule;
  schedule.folds.reserve(fold_count);
  for (std::size_t g = 0; g < fold_count; ++g) {
    FoldTiming timing;
    if (g >= 1) timing.load_start = schedule.folds[g - 1].load_start + rows;
    if (g >= 2)
      timing.load_start = std::max(timing.load_start,
                                   schedule.folds[g - 2].stream_start + t + cols - 1);
    timing.stream_start = timing.load_start + 1;
    if (g >= 1)
      timing.stream_start = std::max(timing.stream_start,
                                     schedule.folds[g - 1].stream_start + t);
    schedule.folds.push_back(timing);
  }
  return schedule;
}

FoldSchedule pipelined_output_stationary(std::int64_t t,
                                         const std::vector<Fold>& folds) {
  //  - the edges carry one fold at a time: s_g >= s_{g-1} + T;
  //  - each column has one output port; fold g-1 writes column c during
  //    s_{g-1} + T-1 + c + [0, rows_used), so fold g's first write must come
  //    later: s_g >= s_{g-1} + rows_used_{g-1}.
  FoldSchedule schedule;
  schedule.folds.reserve(folds.size());
  for (std::size_t g = 0; g < folds.size(); ++g) {
    FoldTiming timing;
    if (g >= 1) {
      const FoldTiming& previous = schedule.folds[g - 1];
      timing.stream_start =
          previous.stream_start + std::max<std::int64_t>(t, folds[g - 1].rows_used);
    }
    timing.load_start = timing.stream_start;
    schedule.folds.push_back(timing);
  }
  return schedule;
}

}  // namespace

FoldSchedule schedule_folds(ArrayMode mode, Microarch microarch, int rows,
                            int cols, std::int64_t stream_length,
                            const std::vector<Fold>& folds) {
  if (microarch == Microarch::Baseline)
    return baseline(mode, rows, cols, stream_length, folds.size());
  if (mode == ArrayMode::Stationary)
    return pipelined_stationary(rows, cols, stream_length, folds.size());
  return pipelined_output_stationary(stream_length, folds);
}

}  // namespace systole
