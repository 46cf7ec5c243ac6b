#include "models/accelerator.hpp"

#include <stdexcept>

namespace systole {

KernelSetup::KernelSetup() {
  static bool built = false;
  if (built)
    throw std::logic_error("an accelerator was already built in this process: SystemC elaborates once, so build one "
                           "and hand it to every simulator");
  built = true;
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
}

Accelerator::Accelerator(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name),
      array("array"),
      vector_unit("vector_unit"),
      dram("dram"),
      global_buffer("global_buffer"),
      noc("noc") {
  array.add_observer(global_buffer);
  array.add_observer(noc);
}

}  // namespace systole
