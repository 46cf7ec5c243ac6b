#include "models/accelerator.hpp"

namespace systole {

FemtosecondResolution::FemtosecondResolution() { sc_core::sc_set_time_resolution(1, sc_core::SC_FS); }

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
