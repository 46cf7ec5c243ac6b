#include "models/noc/noc.hpp"

namespace systole {

Noc::Noc(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void Noc::on_sequence(const CycleActivity*, std::int64_t, const CycleTotals& totals, const Execution&) {
  for (int n = 0; n < kNetworks; ++n) {
    traffic_.words[n] += static_cast<std::int64_t>(totals.noc_words[n]);
    traffic_.busy_cycles[n] += static_cast<std::int64_t>(totals.noc_busy_cycles[n]);
  }
  traffic_.pe_deliveries += static_cast<std::int64_t>(totals.noc_deliveries);
}

void Noc::count(const CycleActivity& activity, std::int64_t cycles) {
  for (int n = 0; n < kNetworks; ++n) {
    traffic_.words[n] += cycles * activity.noc_words[n];
    if (activity.noc_words[n] > 0) traffic_.busy_cycles[n] += cycles;
  }
  traffic_.pe_deliveries += cycles * activity.noc_deliveries;
}

}  // namespace systole
