#include "models/noc/noc.hpp"

namespace systole {

Noc::Noc(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void Noc::on_sequence(const CycleActivity* cycles, std::int64_t count, const Execution&) {
  for (std::int64_t c = 0; c < count; ++c) this->count(cycles[c], 1);
}

void Noc::count(const CycleActivity& activity, std::int64_t cycles) {
  for (int n = 0; n < kNetworks; ++n) {
    traffic_.words[n] += cycles * activity.noc_words[n];
    if (activity.noc_words[n] > 0) traffic_.busy_cycles[n] += cycles;
  }
  traffic_.pe_deliveries += cycles * activity.noc_deliveries;
}

}  // namespace systole
