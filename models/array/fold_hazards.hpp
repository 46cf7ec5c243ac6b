#pragma once
// The hazards of one array mode (models/array/array_program.hpp): the rules
// that decide how soon a fold may follow the folds issued before it, derived
// in docs/timing-model.md. FoldScheduler (models/array/fold_schedule.hpp)
// applies them and keeps what the modes share (the baseline's fixed slots,
// sharing the buses within their widths, the rates' share of a delay); each
// mode's rules are a FoldHazards of their own file:
// stationary_hazards.hpp (WS, IS) and output_stationary_hazards.hpp (OS).

#include <cstdint>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/array/array_program.hpp"

namespace systole {

struct FoldTiming {
  std::int64_t load_start = 0;    // first stationary row's transfer starts (= stream_start in OS)
  std::int64_t stream_start = 0;  // first operand enters row 0 / column 0
  // How much later the stream starts than if stationary rows loaded at one
  // per cycle and column ports sent one result per cycle (Fold::load_spacing,
  // drain_spacing), given the folds issued before ...
  std::int64_t rate_delay = 0;
  // ... and, beyond that, to share the buses with earlier folds within their
  // widths (pipelined).
  std::int64_t bus_delay = 0;
};

// What the rules see of the schedule: the array, the folds, and the
// timings of those issued so far (the next fold is issued.size()).
struct ScheduleView {
  int rows = 0, cols = 0;
  const std::vector<Fold>& folds;
  const std::vector<FoldTiming>& issued;
  // As if every fold's load and drain spacings were 1.
  bool unit_rates = false;

  std::int64_t load_spacing(const Fold& fold) const { return unit_rates ? 1 : fold.load_spacing; }
  std::int64_t drain_spacing(const Fold& fold) const { return unit_rates ? 1 : fold.drain_spacing; }
};

class FoldHazards {
 public:
  virtual ~FoldHazards() = default;

  // Cycles after its stream_start until the fold's last value has left the
  // array and every register it passed through is clear again.
  virtual std::int64_t span(const Fold& fold, int rows, int cols) const = 0;
  // Baseline: cycles from a fold's first stationary row to its stream.
  virtual std::int64_t baseline_load_cycles(std::int64_t load_spacing, int rows) const = 0;
  // Baseline: the fixed slot each fold gets, sized for a full array: its
  // cycles from the stream's start until the bottom-right PE's result is
  // out, results leaving `drain_spacing` apart.
  virtual std::int64_t baseline_slot_after_stream(const Fold& fold, int rows, int cols,
                                                  std::int64_t drain_spacing) const = 0;
  // Pipelined: the earliest timing of the next fold, its first action not
  // before `not_before`, before it shares the buses with earlier folds.
  virtual FoldTiming pipelined(const ScheduleView& view, std::int64_t not_before) const = 0;
  // True when a fold has no stationary load: its load_start is its
  // stream_start, wherever sharing the buses puts it.
  virtual bool loads_with_stream() const = 0;
  // Besides the left edge, the path overlapping folds share, by used
  // columns: the bottom edge (stationary) or the top edge (OS).
  virtual std::int64_t column_path_width(const PathWidths& widths) const = 0;
  // True when folds' results leave through the column ports after their
  // streams, so overlapping folds share the out path (OS).
  virtual bool results_share_out_path() const = 0;
  // How much later the last fold's results are all out than at one per
  // port and cycle (`rows`: the rows the microarchitecture drains).
  virtual std::int64_t drain_tail(const Fold& last, int rows) const = 0;
};

const FoldHazards& fold_hazards(ArrayMode mode);

}  // namespace systole
