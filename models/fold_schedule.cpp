#include "models/fold_schedule.hpp"

#include <algorithm>

namespace systole {

FoldScheduler::FoldScheduler(ArrayMode mode, Microarch microarch, int rows, int cols,
                             const std::vector<Fold>& folds)
    : mode_(mode), microarch_(microarch), rows_(rows), cols_(cols), folds_(folds) {
  issued_.reserve(folds.size());
}

namespace {
// Baseline: each fold is a fixed slot sized for a full array: load R rows
// (stationary only), then T + R + C - 2 cycles until the bottom-right PE's
// result is out.
std::int64_t baseline_load(ArrayMode mode, int rows) { return mode == ArrayMode::Stationary ? rows : 0; }
}  // namespace

std::int64_t FoldScheduler::padded_length() const {
  if (microarch_ != Microarch::Baseline || issued_.empty()) return 0;
  const Fold& last = folds_[issued_.size() - 1];
  return issued_.back().load_start + baseline_load(mode_, rows_) + last.last_element_offset() + rows_ + cols_ - 1;
}

FoldTiming FoldScheduler::next(std::int64_t not_before) const {
  const std::size_t g = issued_.size();
  // Edge time and last-element offset of the fold `back` folds before g
  // (T and T-1 when elements come every cycle).
  auto busy = [&](std::size_t back) { return folds_[g - back].stream_cycles(); };
  auto last = [&](std::size_t back) { return folds_[g - back].last_element_offset(); };
  FoldTiming timing;
  if (microarch_ == Microarch::Baseline) {
    timing.load_start = std::max(padded_length(), not_before);
    timing.stream_start = timing.load_start + baseline_load(mode_, rows_);
  } else if (mode_ == ArrayMode::Stationary) {
    // Two stationary buffers per PE; fold g uses buffer g % 2.
    //  - one stationary row is written per cycle: L_g >= L_{g-1} + R;
    //  - fold g reuses fold g-2's buffer, whose last operand passes PE (r, C-1)
    //    at s_{g-2} + last_{g-2} + r + C-1, before row r is rewritten at L_g + r:
    //    L_g >= s_{g-2} + last_{g-2} + C (last = T-1 at one element a cycle);
    //  - row r written at L_g + r is read from L_g + r + 1, and the fold's
    //    first operand reaches row r at s_g + r: s_g >= L_g + 1;
    //  - the left edge carries one fold at a time: s_g >= s_{g-1} + T_{g-1}
    //    (times the element spacing).
    timing.load_start = not_before;
    if (g >= 1) timing.load_start = std::max(timing.load_start, issued_[g - 1].load_start + rows_);
    if (g >= 2) timing.load_start = std::max(timing.load_start, issued_[g - 2].stream_start + last(2) + cols_);
    timing.stream_start = timing.load_start + 1;
    if (g >= 1) timing.stream_start = std::max(timing.stream_start, issued_[g - 1].stream_start + busy(1));
  } else {
    //  - the edges carry one fold at a time: s_g >= s_{g-1} + T_{g-1} (times
    //    the element spacing);
    //  - each column has one output port; fold g-1 writes column c during
    //    s_{g-1} + last_{g-1} + c + [0, rows_used), so fold g's first write,
    //    at s_g + last_g + c, must come later.
    timing.stream_start = not_before;
    if (g >= 1)
      timing.stream_start =
          std::max({timing.stream_start, issued_[g - 1].stream_start + busy(1),
                    issued_[g - 1].stream_start + last(1) + folds_[g - 1].rows_used - folds_[g].last_element_offset()});
    timing.load_start = timing.stream_start;
  }
  return timing;
}

}  // namespace systole
