#pragma once
// One distribution bus of the network-on-chip, in the style of Eyeriss's
// global input network (GIN): every PE on the bus has a configured (row,
// column) ID, every transfer carries a (row, column) tag, and it reaches
// each PE whose ID matches (kAny matches every ID). So a multicast to k PEs
// costs the bus one slot per word, not k.
//
// The bus moves `words_per_cycle` words per cycle, several transfers sharing
// a cycle when they are small; a word arrives `latency` cycles after it
// leaves. Each PE buffers arriving words in a FIFO of `fifo_depth` words and
// consumes one word per cycle; a transfer leaves only when every addressed
// PE will have room for its words when they arrive (back-pressure), so a
// slow or busy PE holds the bus back.
//
// The systolic array's edge feed is the case where each word goes to one PE:
// PE (r, 0) of the left edge with tag (r, 0). sim/dataflow/edge_rates.hpp applies
// that case's rate to the array's schedule.

#include <cstdint>
#include <deque>
#include <vector>

namespace systole {

struct NocId {
  static constexpr int kAny = -1;
  int row = 0;
  int col = 0;
};

struct NocBusStats {
  std::int64_t transfers = 0;
  std::int64_t words = 0;          // words on the bus
  std::int64_t multicasts = 0;     // transfers reaching more than one PE
  std::int64_t deliveries = 0;     // words delivered, summed over addressed PEs
  std::int64_t wait_cycles = 0;    // transfers waiting to leave, in cycles
  std::int64_t blocked_cycles = 0; // of which waiting for a PE's FIFO to have room
};

class NocBus {
 public:
  // `ids`: the configured ID of every PE on the bus. Throws
  // std::invalid_argument when a parameter is not positive.
  NocBus(int words_per_cycle, int latency, std::vector<NocId> ids, int fifo_depth);

  // Offers `words` words (at most the FIFO depth) tagged `tag` in cycle
  // `cycle` (not before an earlier offer's); returns the cycle its last word
  // arrives. Throws std::invalid_argument when the tag matches no PE.
  std::int64_t send(std::int64_t cycle, int words, NocId tag);

  const NocBusStats& stats() const { return stats_; }

 private:
  struct Receiver {
    NocId id;
    std::deque<std::int64_t> consumed;  // cycles the last fifo_depth words are consumed in
  };

  int width_;
  int latency_;
  int depth_;
  std::vector<Receiver> receivers_;
  std::int64_t next_slot_ = 0;  // the next free word slot: cycle × width + position
  NocBusStats stats_;
};

}  // namespace systole
