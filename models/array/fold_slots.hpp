#pragma once
// A baseline fold's slot, recorded as the array controller steps it and
// replayed for the later folds of the same shape (ArrayController::replay).
//
// In the baseline microarchitecture a fold usually has the array to itself
// from its issue to the next fold's: the folds before it have delivered
// every result and left nothing moving through the array (no operand,
// partial sum or MAC still due). What each cycle of such a slot does then
// depends only on the fold's shape and the slot's timing, never on operand
// values, except for the MACs that zero operands gate, which each fold's own
// evaluation gives. So the activities recorded over one slot are those of
// every later slot of the same shape, cycle for cycle, but for the cycle
// numbers, the fold number and the gated MACs.

#include <cstdint>
#include <tuple>
#include <vector>

#include "models/cycle_totals.hpp"
#include "models/execution.hpp"

namespace systole {

// Everything a slot's activities depend on. Cycles are counted from the
// slot's first (the fold's issue, its stationary load's first cycle).
struct SlotShape {
  int rows_used = 0, cols_used = 0;
  std::int64_t stream_length = 0;
  int stream_spacing = 1, load_spacing = 1, drain_spacing = 1;
  bool accumulates = false;
  std::int64_t stream_start = 0;
  std::int64_t span_end = 0;           // the fold's last live cycle
  std::int64_t length = 0;             // the next fold's issue
  std::int64_t previous_span_end = -1;  // the fold before's last live cycle; -1 if it has retired
};

inline bool operator==(const SlotShape& a, const SlotShape& b) {
  const auto fields = [](const SlotShape& s) {
    return std::tie(s.rows_used, s.cols_used, s.stream_length, s.stream_spacing, s.load_spacing, s.drain_spacing,
                    s.accumulates, s.stream_start, s.span_end, s.length, s.previous_span_end);
  };
  return fields(a) == fields(b);
}

// What a slot did in each cycle after its first, and how its last cycle
// left the controller.
struct SlotRecord {
  SlotShape shape;
  std::vector<CycleActivity> cycles;  // its cycles 1 .. length - 1
  // Running totals of those (entry i sums the first i), gated MACs aside:
  // each replay writes its own.
  std::vector<CycleTotals> totals;
  bool moved_nothing = false, loaded = false;
};

class FoldSlots {
 public:
  FoldSlots() { records_.reserve(kMaxRecords); }  // a record found stays where it is

  // Slots longer than this are neither recorded nor replayed: their
  // records would take more memory than stepping them saves time.
  static constexpr std::int64_t kMaxLength = std::int64_t{1} << 14;

  // The record of a slot of `shape`, or null. A replay writes its own
  // cycle numbers, fold and gated MACs into the record's cycles.
  SlotRecord* find(const SlotShape& shape);

  // Records the slot of `shape` that starts in cycle `first`: the cycles
  // stepped after it are added until its last.
  void start(const SlotShape& shape, std::int64_t first);
  bool recording() const { return recording_; }
  // A cycle stepped (the slot's first included, which is not kept). Asked
  // every cycle, recording or not.
  void add(const CycleActivity& activity) {
    if (recording_) record(activity);
  }
  // `count` more cycles like the last one added, stepped as a run after it.
  void add_repeats(std::int64_t count);
  // The cycle after the slot's last, if it is being recorded.
  std::int64_t end() const { return recording_ ? first_ + current_.shape.length : -1; }
  // Keeps the record, if the slot ended with nothing moving through the
  // array (`quiet`), with the state its last cycle left.
  void finish(bool quiet, bool moved_nothing, bool loaded);
  // Drops the record under way.
  void abandon() { recording_ = false; }

 private:
  void record(const CycleActivity& activity);

  // A GEMM's slots come in a few shapes: its full folds, its edge folds,
  // the first fold of each column of folds (it adds to no partial sum).
  static constexpr std::size_t kMaxRecords = 4;

  std::vector<SlotRecord> records_;
  std::size_t oldest_ = 0;  // replaced when a fifth shape is recorded
  SlotRecord current_;
  CycleActivity last_;  // the last cycle added
  std::int64_t first_ = 0;
  bool recording_ = false;
};

}  // namespace systole
