#pragma once
// The accelerator's top level: the systolic array, the vector unit and the
// DRAM, each a module with its own clocked process, and the global buffer
// and the network-on-chip between DRAM and the array. The array and the
// vector unit tick at the run's accelerator clock, the DRAM at its tCK; the
// buffer and the network act within the array's cycles.
//
// Whoever runs simulations builds one (the command line, a test, a
// benchmark) and hands it to each simulator (sim/engine/simulator.hpp).
// SystemC elaborates a design once per process, so there is one per
// process, serving every run: array sizes, clock periods and the DRAM part
// belong to each run, not to the module structure. Building a second one is
// an error (std::logic_error). Building it fixes the
// kernel's time resolution at 1 fs, so that DRAM and accelerator clock
// edges (0.833 ns, 1.4286 ns, ...) fall where they should; it must be built
// before anything else creates a SystemC time.

#include <systemc>

#include "models/array/systolic_array.hpp"
#include "models/dram/dram.hpp"
#include "models/memory/global_buffer.hpp"
#include "models/noc/noc.hpp"
#include "models/vector_unit.hpp"

namespace systole {

// Checks that no accelerator was built before in this process, and sets
// the kernel's time resolution to 1 fs: a base of Accelerator, so that this
// happens before any of its modules creates a time.
struct KernelSetup {
  KernelSetup();
};

class Accelerator : private KernelSetup, public sc_core::sc_module {
 public:
  explicit Accelerator(const sc_core::sc_module_name& name = "accelerator");

  SystolicArray array;
  VectorUnit vector_unit;
  Dram dram;
  GlobalBuffer global_buffer;
  Noc noc;
};

}  // namespace systole
