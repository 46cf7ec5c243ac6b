#pragma once
// The systolic array as a SystemC module: one clocked process advances the
// whole PE grid by one cycle per rising edge. models/array/pe_array.hpp holds the
// registers, models/array/array_controller.hpp the sequencing of folds.

#include "models/clocked_unit.hpp"

namespace systole {

class SystolicArray : public ClockedUnit {
 public:
  using ClockedUnit::ClockedUnit;
};

}  // namespace systole
