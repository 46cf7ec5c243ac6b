#include "models/noc/noc_config.hpp"

namespace systole {

const char* to_string(Network network) {
  switch (network) {
    case Network::Left: return "left";
    case Network::Top: return "top";
    case Network::Out: return "out";
  }
  return "?";
}

NocTraffic& NocTraffic::operator+=(const NocTraffic& other) {
  for (int n = 0; n < kNetworks; ++n) {
    words[n] += other.words[n];
    busy_cycles[n] += other.busy_cycles[n];
  }
  horizontal_hops += other.horizontal_hops;
  vertical_hops += other.vertical_hops;
  return *this;
}

}  // namespace systole
