#pragma once
// A distribution bus of the network-on-chip between the global buffer and the
// array (one per operand), in the style of Eyeriss's GIN: each transfer
// carries a (row, column) tag and reaches every PE whose ID matches, so a
// multicast to k PEs costs one bus slot, not k. The bus moves at most
// `words_per_cycle` words per cycle and a word arrives `latency` cycles after
// it leaves. Reservations are exact: a transfer starts when the bus is free.
//
// The array's edges are the case where each word goes to one PE (a row or a
// column of the edge): feeding an edge of `n` words takes
// ceil(n / words_per_cycle) cycles, which spaces out the stream elements
// (spacing()).

#include <cstdint>

namespace systole {

struct NocStats {
  std::int64_t transfers = 0;
  std::int64_t words = 0;
  std::int64_t multicasts = 0;      // transfers reaching more than one PE
  std::int64_t deliveries = 0;      // PE deliveries (fan-out summed)
  std::int64_t busy_cycles = 0;
  std::int64_t wait_cycles = 0;     // transfers waiting for the bus
};

class NocBus {
 public:
  // words_per_cycle 0: as wide as any request (never the bottleneck).
  NocBus(int words_per_cycle, int latency) : width_(words_per_cycle), latency_(latency) {}

  // Sends `words` words, tagged for `destinations` PEs, when the bus is free
  // at or after `cycle`; returns the cycle the last word arrives.
  std::int64_t send(std::int64_t cycle, std::int64_t words, int destinations);

  // Cycles between elements of a stream whose every element needs `words`
  // words (one per edge row or column).
  int spacing(int words) const { return width_ <= 0 || words <= width_ ? 1 : (words + width_ - 1) / width_; }

  const NocStats& stats() const { return stats_; }

 private:
  int width_;
  int latency_;
  std::int64_t free_at_ = 0;
  NocStats stats_;
};

}  // namespace systole
