#include "models/accelerator.hpp"

namespace systole {

Accelerator::Accelerator(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name),
      clock("clock", kClockPeriodNs, sc_core::SC_NS),
      array("array"),
      vector_unit("vector_unit") {
  array.clk(clock);
  vector_unit.clk(clock);
}

Accelerator& Accelerator::instance() {
  static Accelerator* accelerator = new Accelerator("accelerator");
  return *accelerator;
}

}  // namespace systole
