#include "models/noc/noc.hpp"

namespace systole {

Noc::Noc(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void Noc::on_cycle(const CycleActivity& activity, const Execution&) {
  for (int n = 0; n < kNetworks; ++n) {
    traffic_.words[n] += activity.noc_words[n];
    traffic_.busy_cycles[n] += activity.noc_words[n] > 0;
  }
  traffic_.pe_deliveries += activity.noc_deliveries;
}

}  // namespace systole
