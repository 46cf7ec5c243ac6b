#pragma once
// The accelerator's top level: the clock, the systolic array and the vector
// unit. The memory hierarchy is ideal for now: every operand is at the array
// edge when needed.
//
// SystemC elaborates a design once per process, so the accelerator is built
// once and reused for every run; array sizes belong to each run's program,
// not to the module structure.

#include <systemc>

#include "models/systolic_array.hpp"
#include "models/vector_unit.hpp"

namespace systole {

class Accelerator : public sc_core::sc_module {
 public:
  explicit Accelerator(const sc_core::sc_module_name& name);

  static constexpr double kClockPeriodNs = 1.0;

  sc_core::sc_clock clock;
  SystolicArray array;
  VectorUnit vector_unit;

  // The process-wide instance, built on first use.
  static Accelerator& instance();
};

}  // namespace systole
