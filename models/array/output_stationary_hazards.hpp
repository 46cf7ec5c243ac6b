#pragma once
// The hazards of the array's output-stationary mode (OS): operands enter at
// the left and top edges, every PE accumulates one output, and each
// column's output port sends the column's results after the stream.

#include "models/array/fold_hazards.hpp"

namespace systole {

class OutputStationaryHazards final : public FoldHazards {
 public:
  std::int64_t span(const Fold& fold, int rows, int cols) const override;
  std::int64_t baseline_load_cycles(std::int64_t, int) const override { return 0; }
  std::int64_t baseline_slot_after_stream(const Fold& fold, int rows, int cols,
                                          std::int64_t drain_spacing) const override;
  FoldTiming pipelined(const ScheduleView& view, std::int64_t not_before) const override;
  bool loads_with_stream() const override { return true; }
  std::int64_t column_path_width(const PathWidths& widths) const override { return widths.top; }
  bool results_share_out_path() const override { return true; }
  std::int64_t drain_tail(const Fold& last, int rows) const override;
};

}  // namespace systole
