#pragma once
// The accelerator's top level: the systolic array, the vector unit and the
// DRAM, each a module with its own clocked process, and the global buffer
// and the network-on-chip between DRAM and the array. The array and the
// vector unit tick at the run's accelerator clock, the DRAM at its tCK; the
// buffer and the network act within the array's cycles.
//
// SystemC elaborates a design once per process, so the accelerator is built
// once and reused for every run; array sizes, clock periods and the DRAM part
// belong to each run, not to the module structure. Its first use fixes the
// kernel's time resolution at 1 fs, so that DRAM and accelerator clock edges
// (0.833 ns, 1.4286 ns, ...) fall where they should.

#include <systemc>

#include "models/dram/dram.hpp"
#include "models/memory/global_buffer.hpp"
#include "models/noc/noc.hpp"
#include "models/array/systolic_array.hpp"
#include "models/vector_unit.hpp"

namespace systole {

class Accelerator : public sc_core::sc_module {
 public:
  explicit Accelerator(const sc_core::sc_module_name& name);

  SystolicArray array;
  VectorUnit vector_unit;
  Dram dram;
  GlobalBuffer global_buffer;
  Noc noc;

  // The process-wide instance, built on first use.
  static Accelerator& instance();
};

}  // namespace systole
