#pragma once
// The network-on-chip as plain values: its buses and their widths
// (NocConfig, from the architecture) and what it carried (NocTraffic).
// models/noc/noc.hpp is the network itself.

#include <cstdint>

namespace systole {

enum class Network { Left = 0, Top = 1, Out = 2 };
inline constexpr int kNetworks = 3;
const char* to_string(Network network);

struct NocConfig {
  int left_words = 0;  // words per cycle; 0: as wide as the edge
  int top_words = 0;
  int out_words = 0;
  int latency = 0;     // cycles from the buffer to the edge, and from the edge to the buffer

  int words(Network network) const {
    return network == Network::Left ? left_words : network == Network::Top ? top_words : out_words;
  }
};

// What the networks carried during a step.
struct NocTraffic {
  std::int64_t words[kNetworks] = {0, 0, 0};        // values delivered
  std::int64_t busy_cycles[kNetworks] = {0, 0, 0};  // cycles carrying at least one word
  // Words delivered into PEs, one per PE reached (a multicast word reaching
  // k PEs counts k).
  std::int64_t pe_deliveries = 0;
};

}  // namespace systole
