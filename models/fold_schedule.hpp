#pragma once
// When the array controller issues each fold: the cycle its stationary rows
// start loading and the cycle its first operand enters the array edge. The
// controller is statically scheduled; these rules are the hazards of the
// hardware, derived in docs/timing-model.md. A rule that is too eager shows
// up as wrong outputs in the functional check, so tests catch it.

#include <cstdint>
#include <vector>

#include "models/array_config.hpp"
#include "models/array_program.hpp"

namespace systole {

struct FoldTiming {
  std::int64_t load_start = 0;    // first stationary row written (stationary mode)
  std::int64_t stream_start = 0;  // first operand enters row 0 / column 0
};

struct FoldSchedule {
  std::vector<FoldTiming> folds;
  // Baseline only: the end of the last fold's fixed-length slot. The slot is
  // sized for a full array (as SCALE-Sim pads partial folds), so the program
  // lasts this long even when its last output leaves earlier. Zero otherwise.
  std::int64_t padded_length = 0;
};

FoldSchedule schedule_folds(ArrayMode mode, Microarch microarch, int rows,
                            int cols, std::int64_t stream_length,
                            const std::vector<Fold>& folds);

}  // namespace systole
