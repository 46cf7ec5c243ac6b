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

void add_link_hops(NocTraffic& traffic, const Fold& fold, ArrayMode mode, int rows) {
  traffic.horizontal_hops += fold.stream_length * fold.rows_used * (fold.cols_used - 1);
  const int down = mode == ArrayMode::Stationary ? rows - 1 : fold.rows_used - 1;
  traffic.vertical_hops += fold.stream_length * fold.cols_used * down;
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
