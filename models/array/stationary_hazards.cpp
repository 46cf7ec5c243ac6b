#include "models/array/stationary_hazards.hpp"

#include <algorithm>

namespace systole {

std::int64_t StationaryHazards::span(const Fold& fold, int rows, int cols) const {
  // The last operand reaches PE (R-1, C-1) at s + last + R-1 + C-1, and one
  // more cycle clears it.
  return fold.last_element_offset() + rows + cols - 1;
}

std::int64_t StationaryHazards::baseline_load_cycles(std::int64_t load_spacing, int rows) const {
  return load_spacing * rows;  // R stationary rows, one every load_spacing cycles
}

std::int64_t StationaryHazards::baseline_slot_after_stream(const Fold& fold, int rows, int cols,
                                                           std::int64_t) const {
  return fold.last_element_offset() + rows + cols - 1;
}

FoldTiming StationaryHazards::pipelined(const ScheduleView& view, std::int64_t not_before) const {
  // Two stationary buffers per PE; fold g uses buffer g % 2. Row r's
  // transfer takes q = load_spacing cycles and it is written in the last:
  // at L_g + q·r + q-1.
  //  - the bus carries one row at a time: L_g >= L_{g-1} + q_{g-1}·R;
  //  - fold g reuses fold g-2's buffer, whose last operand passes PE (r, C-1)
  //    at s_{g-2} + last_{g-2} + r + C-1, before row r is rewritten
  //    (row 0 binds): L_g >= s_{g-2} + last_{g-2} + C - q + 1
  //    (last = T-1 at one element a cycle);
  //  - row r is read from the cycle after its write, and the fold's first
  //    operand reaches row r at s_g + r (row R-1 binds):
  //    s_g >= L_g + q + (q-1)·(R-1);
  //  - the left edge carries one fold at a time: s_g >= s_{g-1} + T_{g-1}
  //    (times the element spacing).
  const std::size_t g = view.issued.size();
  const std::vector<FoldTiming>& issued = view.issued;
  const std::int64_t q = view.load_spacing(view.folds[g]);
  FoldTiming timing;
  timing.load_start = not_before;
  if (g >= 1)
    timing.load_start =
        std::max(timing.load_start, issued[g - 1].load_start + view.load_spacing(view.folds[g - 1]) * view.rows);
  if (g >= 2)
    timing.load_start = std::max(timing.load_start, issued[g - 2].stream_start +
                                                        view.folds[g - 2].last_element_offset() + view.cols - q + 1);
  timing.stream_start = timing.load_start + q + (q - 1) * (view.rows - 1);
  if (g >= 1)
    timing.stream_start = std::max(timing.stream_start, issued[g - 1].stream_start + view.folds[g - 1].stream_cycles());
  return timing;
}

}  // namespace systole
