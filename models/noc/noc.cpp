#include "models/noc/noc.hpp"

namespace systole {

Noc::Noc(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void Noc::on_cycle(const CycleActivity& activity, const Execution&) {
  for (int n = 0; n < kNetworks; ++n) {
    traffic_.words[n] += activity.noc_words[n];
    traffic_.busy_cycles[n] += activity.noc_words[n] > 0;
  }
  // The edge buses are unicast: each word of the left bus reaches its row's
  // edge PE, each of the top bus its column's edge PE (OS) or the PE of its
  // column in a stationary row. The output bus delivers to the buffer.
  traffic_.pe_deliveries += activity.noc_words[static_cast<int>(Network::Left)] +
                            activity.noc_words[static_cast<int>(Network::Top)];
}

}  // namespace systole
