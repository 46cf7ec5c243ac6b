#pragma once
// The network-on-chip between the global buffer and the array, as the array
// sees it: a distribution bus to the left edge, one to the top edge (OS) or
// the stationary rows (WS/IS), and a collection bus from the bottom edge
// (WS/IS) or the column output ports (OS) back to the buffer, each W words
// per cycle with a fixed latency. Inside the array, operands and partial
// sums move over neighbour links.
//
// The array is statically scheduled, so a bus narrower than what a fold
// needs per cycle spaces the fold out (sim/edge_rates.hpp) instead of
// queueing. Every edge word goes to one PE: the unicast case of the tagged,
// back-pressured bus of models/noc_bus.hpp, whose rate it shares (a test
// checks that), without simulating each word's trip.
//
// Noc is the network as a SystemC module: it counts, for the step running,
// the words each bus carries in every array cycle (a CycleObserver: the
// array's process reports them, so the network costs no process of its
// own) and the neighbour-link hops of each fold.

#include <cstdint>

#include <systemc>

#include "models/array_program.hpp"
#include "models/clocked_unit.hpp"

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

// What the networks carried during a run (or a layer).
struct NocTraffic {
  std::int64_t words[kNetworks] = {0, 0, 0};        // values delivered
  std::int64_t busy_cycles[kNetworks] = {0, 0, 0};  // cycles carrying at least one word
  std::int64_t horizontal_hops = 0;  // operands moving one PE right
  std::int64_t vertical_hops = 0;    // partial sums (WS/IS) or operands (OS) moving one PE down

  NocTraffic& operator+=(const NocTraffic& other);
};

// The neighbour-link hops one fold needs on an array of R rows: each stream
// element in a used row crosses to the last used column; in WS/IS each
// partial sum of a used column crosses R-1 links to the bottom edge, in OS
// each top operand of a used column crosses to the last used row. (Values
// also drift into unused PEs; hardware that gates those links does not pay
// for them, so they are not counted.)
void add_link_hops(NocTraffic& traffic, const Fold& fold, ArrayMode mode, int rows);

class Noc : public sc_core::sc_module, public CycleObserver {
 public:
  explicit Noc(const sc_core::sc_module_name& name);

  // Starts counting a step.
  void begin_step() { traffic_ = NocTraffic{}; }
  // The hops one fold's operands and partial sums make (add_link_hops).
  void count_link_hops(const Fold& fold, ArrayMode mode, int rows) { add_link_hops(traffic_, fold, mode, rows); }
  const NocTraffic& traffic() const { return traffic_; }

  void on_cycle(const CycleActivity& activity, const Execution& execution) override;

 private:
  NocTraffic traffic_;
};

}  // namespace systole
