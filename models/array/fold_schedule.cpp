#include "models/array/fold_schedule.hpp"

#include <algorithm>

namespace systole {

FoldScheduler::FoldScheduler(ArrayMode mode, Microarch microarch, int rows, int cols,
                             const std::vector<Fold>& folds, PathWidths widths)
    : hazards_(fold_hazards(mode)), microarch_(microarch), rows_(rows), cols_(cols), folds_(folds), widths_(widths) {
  int drain_spacing = 1;
  for (const Fold& f : folds) {
    drain_spacing = std::max(drain_spacing, f.drain_spacing);
    slow_loads_or_drains_ |= f.load_spacing > 1 || f.drain_spacing > 1;
  }
  reach_ = static_cast<std::int64_t>(rows + cols) * (1 + drain_spacing);
  issued_.reserve(folds.size());
}

std::int64_t FoldScheduler::span(const Fold& fold) const { return hazards_.span(fold, rows_, cols_); }

std::int64_t FoldScheduler::drain_tail() const {
  if (issued_.empty()) return 0;
  const Fold& last = folds_[issued_.size() - 1];
  return hazards_.drain_tail(last, microarch_ == Microarch::Baseline ? rows_ : last.rows_used);
}

std::int64_t FoldScheduler::padded_length(bool unit_rates) const {
  // Baseline: each fold is a fixed slot sized for a full array: its
  // stationary rows, then the stream until the bottom-right PE's result is
  // out.
  if (microarch_ != Microarch::Baseline || issued_.empty()) return 0;
  const Fold& last = folds_[issued_.size() - 1];
  const std::int64_t drain = unit_rates ? 1 : last.drain_spacing;
  return issued_.back().stream_start + hazards_.baseline_slot_after_stream(last, rows_, cols_, drain);
}

std::int64_t FoldScheduler::within_bus_widths(std::int64_t s) const {
  // Pipelined folds overlap at the edges: fold h's element m reaches edge
  // row (or column) r at s_h + m·k_h + r, so fold h is on a path until
  // s_h + last_h + extent_h - 1, and the rows it serves then are above fold
  // g's. Each fold alone puts at most ceil(extent / k) <= W words a cycle on
  // a path of width W, all in rows of one residue mod k. Folds with the same
  // k and aligned starts (s_g = s_h mod k) share that residue, so together
  // they stay within W; otherwise fold g waits until fold h has left.
  // (The bottom edge of WS/IS is fold g's left edge delayed by R-1 cycles
  // with columns for rows.)
  // OS results: fold h's column ports send at most
  // min(rows_used, ceil(cols_used / q)) a cycle from s_h + last_h until
  // s_h + last_h + cols_used-1 + q·(rows_used-1); while together with fold
  // g's they could exceed the out path, fold g's results wait for the first
  // of them to finish.
  if (widths_.left == 0 && widths_.top == 0 && widths_.out == 0) return s;
  const std::size_t g = issued_.size();
  const Fold& f = folds_[g];
  struct Path {
    std::int64_t width;
    bool by_rows;  // extent: used rows (left edge) or used columns
  };
  const Path paths[] = {{widths_.left, true}, {hazards_.column_path_width(widths_), false}};
  auto per_cycle = [](const Fold& fold) -> std::int64_t {
    return std::min<std::int64_t>(fold.rows_used, (fold.cols_used + fold.drain_spacing - 1) / fold.drain_spacing);
  };
  // Fold h has left every path (and sent its last result) before
  // s_{h+1} + reach_, since s_{h+1} > s_h + last_h.
  auto recent = [&](std::size_t h) { return h + 1 == g || issued_[h + 1].stream_start + reach_ >= s; };
  const std::int64_t k = f.stream_spacing;
  while (true) {
    // Each rule moves s to the earliest start at or after it that satisfies
    // the rule, so s never passes the earliest start satisfying them all.
    bool moved = false;
    for (std::size_t h = g; h-- > 0 && recent(h);) {
      const Fold& e = folds_[h];
      const std::int64_t start = issued_[h].stream_start;
      for (const Path& p : paths) {
        if (p.width == 0) continue;
        const std::int64_t leaves = start + e.last_element_offset() + (p.by_rows ? e.rows_used : e.cols_used);
        if (s >= leaves) continue;
        const std::int64_t aligned = start + (s - start + k - 1) / k * k;
        const std::int64_t next = e.stream_spacing == k ? std::min(aligned, leaves) : leaves;
        moved |= next != s;
        s = next;
      }
    }
    if (moved) continue;
    if (!hazards_.results_share_out_path() || widths_.out == 0) return s;
    std::int64_t sharing = per_cycle(f), first_drained = -1;
    for (std::size_t h = g; h-- > 0 && recent(h);) {
      const Fold& e = folds_[h];
      const std::int64_t drained = issued_[h].stream_start + e.last_element_offset() + e.cols_used - 1 +
                                   static_cast<std::int64_t>(e.drain_spacing) * (e.rows_used - 1);
      if (s + f.last_element_offset() > drained) continue;
      sharing += per_cycle(e);
      first_drained = first_drained < 0 ? drained : std::min(first_drained, drained);
    }
    if (first_drained < 0 || sharing <= widths_.out) return s;
    s = first_drained + 1 - f.last_element_offset();  // until the first of them is done
  }
}

void FoldScheduler::share_buses(FoldTiming& timing) const {
  const std::int64_t alone = timing.stream_start;
  timing.stream_start = within_bus_widths(alone);
  timing.bus_delay = timing.stream_start - alone;
}

FoldTiming FoldScheduler::next(std::int64_t not_before) const {
  // Called every cycle a fold waits: the unit-rate schedule is only worked
  // out when some spacing can make a difference.
  FoldTiming timing = schedule(not_before, false);
  if (slow_loads_or_drains_)
    timing.rate_delay = timing.stream_start - schedule(not_before, true).stream_start - timing.bus_delay;
  return timing;
}

FoldTiming FoldScheduler::schedule(std::int64_t not_before, bool unit_rates) const {
  FoldTiming timing;
  if (microarch_ == Microarch::Baseline) {
    const Fold& fold = folds_[issued_.size()];
    timing.load_start = std::max(padded_length(unit_rates), not_before);
    timing.stream_start = timing.load_start + hazards_.baseline_load_cycles(unit_rates ? 1 : fold.load_spacing, rows_);
    return timing;
  }
  timing = hazards_.pipelined(ScheduleView{rows_, cols_, folds_, issued_, unit_rates}, not_before);
  if (!unit_rates) share_buses(timing);
  if (hazards_.loads_with_stream()) timing.load_start = timing.stream_start;
  return timing;
}

}  // namespace systole
