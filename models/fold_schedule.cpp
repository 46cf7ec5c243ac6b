#include "models/fold_schedule.hpp"

#include <algorithm>

namespace systole {

FoldScheduler::FoldScheduler(ArrayMode mode, Microarch microarch, int rows, int cols,
                             const std::vector<Fold>& folds)
    : mode_(mode), microarch_(microarch), rows_(rows), cols_(cols), folds_(folds) {
  issued_.reserve(folds.size());
}

std::int64_t FoldScheduler::span(const Fold& fold) const {
  // The last operand reaches PE (R-1, C-1) at s + last + R-1 + C-1, and one
  // more cycle clears it. OS: column c sends row r's result at
  // s + last + c + r·drain_spacing.
  const std::int64_t clear = fold.last_element_offset() + rows_ + cols_ - 1;
  if (mode_ == ArrayMode::Stationary) return clear;
  return std::max(clear, fold.last_element_offset() + fold.cols_used - 1 +
                             static_cast<std::int64_t>(fold.drain_spacing) * (fold.rows_used - 1));
}

std::int64_t FoldScheduler::drain_tail() const {
  if (mode_ != ArrayMode::OutputStationary || issued_.empty()) return 0;
  const Fold& last = folds_[issued_.size() - 1];
  const int rows = microarch_ == Microarch::Baseline ? rows_ : last.rows_used;
  return static_cast<std::int64_t>(last.drain_spacing - 1) * (rows - 1);
}

std::int64_t FoldScheduler::padded_length(bool unit_rates) const {
  // Baseline: each fold is a fixed slot sized for a full array: R stationary
  // rows (stationary only), then the stream until the bottom-right PE's
  // result is out.
  if (microarch_ != Microarch::Baseline || issued_.empty()) return 0;
  const Fold& last = folds_[issued_.size() - 1];
  const std::int64_t drain = unit_rates ? 1 : last.drain_spacing;
  const std::int64_t after_stream = mode_ == ArrayMode::Stationary
                                        ? last.last_element_offset() + rows_ + cols_ - 1
                                        : last.last_element_offset() + cols_ + drain * (rows_ - 1);
  return issued_.back().stream_start + after_stream;
}

FoldTiming FoldScheduler::next(std::int64_t not_before) const {
  FoldTiming timing = schedule(not_before, false);
  timing.rate_delay = timing.stream_start - schedule(not_before, true).stream_start;
  return timing;
}

FoldTiming FoldScheduler::schedule(std::int64_t not_before, bool unit_rates) const {
  const std::size_t g = issued_.size();
  // Edge time and last-element offset of the fold `back` folds before g
  // (T and T-1 when elements come every cycle), and its load and drain
  // spacings.
  auto busy = [&](std::size_t back) { return folds_[g - back].stream_cycles(); };
  auto last = [&](std::size_t back) { return folds_[g - back].last_element_offset(); };
  auto load = [&](std::size_t back) -> std::int64_t { return unit_rates ? 1 : folds_[g - back].load_spacing; };
  auto drain = [&](std::size_t back) -> std::int64_t { return unit_rates ? 1 : folds_[g - back].drain_spacing; };
  const bool stationary = mode_ == ArrayMode::Stationary;
  FoldTiming timing;
  if (microarch_ == Microarch::Baseline) {
    timing.load_start = std::max(padded_length(unit_rates), not_before);
    timing.stream_start = timing.load_start + (stationary ? load(0) * rows_ : 0);
  } else if (stationary) {
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
    const std::int64_t q = load(0);
    timing.load_start = not_before;
    if (g >= 1) timing.load_start = std::max(timing.load_start, issued_[g - 1].load_start + load(1) * rows_);
    if (g >= 2)
      timing.load_start = std::max(timing.load_start, issued_[g - 2].stream_start + last(2) + cols_ - q + 1);
    timing.stream_start = timing.load_start + q + (q - 1) * (rows_ - 1);
    if (g >= 1) timing.stream_start = std::max(timing.stream_start, issued_[g - 1].stream_start + busy(1));
  } else {
    //  - the edges carry one fold at a time: s_g >= s_{g-1} + T_{g-1} (times
    //    the element spacing);
    //  - each column has one output port; fold g-1 writes column c at
    //    s_{g-1} + last_{g-1} + c + q_{g-1}·r, r in [0, rows_used), so fold
    //    g's first write, at s_g + last_g + c, must come later;
    //  - PE (r, c) holds fold g-1's result until its port takes it, and fold
    //    g's first operands meet there at s_g + r + c (row rows_used-1
    //    binds): s_g >= s_{g-1} + last_{g-1} + (q_{g-1} - 1)·(rows_used - 1) + 1.
    timing.stream_start = not_before;
    if (g >= 1) {
      const std::int64_t previous_rows = folds_[g - 1].rows_used - 1;
      const std::int64_t drained = issued_[g - 1].stream_start + last(1);
      timing.stream_start =
          std::max({timing.stream_start, issued_[g - 1].stream_start + busy(1),
                    drained + drain(1) * previous_rows + 1 - folds_[g].last_element_offset(),
                    drained + (drain(1) - 1) * previous_rows + 1});
    }
    timing.load_start = timing.stream_start;
  }
  return timing;
}

}  // namespace systole
