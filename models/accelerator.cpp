#include "models/accelerator.hpp"

namespace systole {

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

Accelerator& Accelerator::instance() {
  static Accelerator* accelerator = [] {
    sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
    return new Accelerator("accelerator");
  }();
  return *accelerator;
}

}  // namespace systole
