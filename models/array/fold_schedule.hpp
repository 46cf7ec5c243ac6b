#pragma once
// When the array controller issues each fold: the cycle its stationary rows
// start loading and the cycle its first operand enters the array edge. The
// controller is statically scheduled: the hazards of the hardware, derived
// in docs/timing-model.md, are the array mode's (models/array/fold_hazards.hpp);
// the scheduler applies them and shares the buses between overlapping
// folds. A rule that is too eager shows up as wrong outputs in the
// functional check, so tests catch it.
//
// Folds are scheduled one at a time, in order, from the timings of the folds
// issued before them, so a fold may also wait for something outside the
// array (its operands arriving from memory): `not_before`.

#include <cstdint>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/array/array_program.hpp"
#include "models/array/fold_hazards.hpp"

namespace systole {

class FoldScheduler {
 public:
  FoldScheduler(ArrayMode mode, Microarch microarch, int rows, int cols, const std::vector<Fold>& folds,
                PathWidths widths = {});

  // The timing of the next fold if its first action (load_start) may not
  // come before `not_before`.
  FoldTiming next(std::int64_t not_before = 0) const;
  void issue(const FoldTiming& timing) { issued_.push_back(timing); }

  const std::vector<FoldTiming>& issued() const { return issued_; }
  bool all_issued() const { return issued_.size() == folds_.size(); }
  // Baseline only: the end of the last issued fold's fixed-length slot. The
  // slot is sized for a full array (as SCALE-Sim pads partial folds), so the
  // program lasts this long even when its last output leaves earlier. Zero
  // otherwise.
  std::int64_t padded_length() const { return padded_length(false); }
  // Cycles after its stream_start until fold g's last value has left the
  // array and every register it passed through is clear again.
  std::int64_t span(const Fold& fold) const;
  // OS: how much later the last issued fold's results are all out than at
  // one result per port and cycle (its drain_spacing); 0 otherwise.
  std::int64_t drain_tail() const;

 private:
  // With unit_rates, as if every fold's load and drain spacings were 1.
  FoldTiming schedule(std::int64_t not_before, bool unit_rates) const;
  std::int64_t padded_length(bool unit_rates) const;
  // The earliest stream start from `stream_start` on at which fold g shares
  // no bus with the folds before it beyond the bus's width.
  std::int64_t within_bus_widths(std::int64_t stream_start) const;
  void share_buses(FoldTiming& timing) const;  // moves stream_start, sets bus_delay

  const FoldHazards& hazards_;
  Microarch microarch_;
  int rows_, cols_;
  const std::vector<Fold>& folds_;
  PathWidths widths_;
  std::int64_t reach_;  // how long after s_{h+1} fold h may still use a path
  bool slow_loads_or_drains_ = false;  // some fold's load or drain spacing is above 1
  std::vector<FoldTiming> issued_;
};

}  // namespace systole
