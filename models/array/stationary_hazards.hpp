#pragma once
// The hazards of the array's stationary mode (WS, IS): a fold's stationary
// operand is written row by row into the PEs (two buffers per PE when
// pipelined), the streamed operand enters at the left edge and partial sums
// leave at the bottom edge.

#include "models/array/fold_hazards.hpp"

namespace systole {

class StationaryHazards final : public FoldHazards {
 public:
  std::int64_t span(const Fold& fold, int rows, int cols) const override;
  std::int64_t baseline_load_cycles(std::int64_t load_spacing, int rows) const override;
  std::int64_t baseline_slot_after_stream(const Fold& fold, int rows, int cols,
                                          std::int64_t drain_spacing) const override;
  FoldTiming pipelined(const ScheduleView& view, std::int64_t not_before) const override;
  bool loads_with_stream() const override { return false; }
  std::int64_t column_path_width(const PathWidths& widths) const override { return widths.out; }
  bool results_share_out_path() const override { return false; }
  std::int64_t drain_tail(const Fold&, int) const override { return 0; }
};

}  // namespace systole
