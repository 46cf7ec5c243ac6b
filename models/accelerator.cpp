#include "models/accelerator.hpp"

namespace systole {

Accelerator::Accelerator(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name),
      clock("clock", kClockPeriodNs, sc_core::SC_NS),
      array("array") {
  array.clk(clock);
}

Accelerator& Accelerator::instance() {
  static Accelerator* accelerator = new Accelerator("accelerator");
  return *accelerator;
}

}  // namespace systole
