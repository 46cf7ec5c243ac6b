#include "models/array/output_stationary_hazards.hpp"

#include <algorithm>

namespace systole {

std::int64_t OutputStationaryHazards::span(const Fold& fold, int rows, int cols) const {
  // The last operand reaches PE (R-1, C-1) at s + last + R-1 + C-1 and one
  // more cycle clears it; column c sends row r's result at
  // s + last + c + r·drain_spacing.
  const std::int64_t clear = fold.last_element_offset() + rows + cols - 1;
  return std::max(clear, fold.last_element_offset() + fold.cols_used - 1 +
                             static_cast<std::int64_t>(fold.drain_spacing) * (fold.rows_used - 1));
}

std::int64_t OutputStationaryHazards::baseline_slot_after_stream(const Fold& fold, int rows, int cols,
                                                                 std::int64_t drain_spacing) const {
  return fold.last_element_offset() + cols + drain_spacing * (rows - 1);
}

FoldTiming OutputStationaryHazards::pipelined(const ScheduleView& view, std::int64_t not_before) const {
  //  - the edges carry one fold at a time: s_g >= s_{g-1} + T_{g-1} (times
  //    the element spacing);
  //  - each column has one output port; fold g-1 writes column c at
  //    s_{g-1} + last_{g-1} + c + q_{g-1}·r, r in [0, rows_used), so fold
  //    g's first write, at s_g + last_g + c, must come later;
  //  - PE (r, c) holds fold g-1's result until its port takes it, and fold
  //    g's first operands meet there at s_g + r + c (row rows_used-1
  //    binds): s_g >= s_{g-1} + last_{g-1} + (q_{g-1} - 1)·(rows_used - 1) + 1.
  const std::size_t g = view.issued.size();
  FoldTiming timing;
  timing.stream_start = not_before;
  if (g >= 1) {
    const Fold& previous = view.folds[g - 1];
    const std::int64_t previous_rows = previous.rows_used - 1;
    const std::int64_t q = view.drain_spacing(previous);
    const std::int64_t drained = view.issued[g - 1].stream_start + previous.last_element_offset();
    timing.stream_start = std::max({timing.stream_start, view.issued[g - 1].stream_start + previous.stream_cycles(),
                                    drained + q * previous_rows + 1 - view.folds[g].last_element_offset(),
                                    drained + (q - 1) * previous_rows + 1});
  }
  timing.load_start = timing.stream_start;
  return timing;
}

std::int64_t OutputStationaryHazards::drain_tail(const Fold& last, int rows) const {
  return static_cast<std::int64_t>(last.drain_spacing - 1) * (rows - 1);
}

}  // namespace systole
