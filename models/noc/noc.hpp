#pragma once
// The network-on-chip between the global buffer and the array, as the array
// sees it: a distribution bus to the left edge, one to the top edge (OS) or
// the stationary rows (WS/IS), and a collection bus from the bottom edge
// (WS/IS) or the column output ports (OS) back to the buffer, each W words
// per cycle with a fixed latency. Inside the array, operands and partial
// sums move over neighbour links.
//
// The array is statically scheduled, so a bus narrower than what a fold
// needs per cycle spaces the fold out (sim/dataflow/edge_rates.hpp) instead of
// queueing. Every edge word goes to one PE: the unicast case of the tagged,
// back-pressured bus of models/noc/noc_bus.hpp, whose rate it shares (a test
// checks that), without simulating each word's trip.
//
// Noc is the network as a SystemC module: it counts, for the step running,
// the words each bus carries in every array cycle (a CycleObserver: the
// array's process reports them, so the network costs no process of its
// own). The neighbour-link hops follow from each fold's shape: the
// dataflow counts them.

#include <cstdint>
#include <limits>

#include <systemc>

#include "models/clocked_unit.hpp"
#include "models/noc/noc_config.hpp"

namespace systole {

class Noc : public sc_core::sc_module, public CycleObserver {
 public:
  explicit Noc(const sc_core::sc_module_name& name);

  // Starts counting a step.
  void begin_step() { traffic_ = NocTraffic{}; }
  const NocTraffic& traffic() const { return traffic_; }

  void on_cycle(const CycleActivity& activity, const Execution&) override { count(activity, 1); }
  void on_cycles(const CycleActivity& activity, std::int64_t cycles, const Execution&) override {
    count(activity, cycles);
  }
  void on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                   const Execution&) override;
  std::int64_t max_run() const override { return std::numeric_limits<std::int64_t>::max(); }
  bool reads_each_alike_cycle() const override { return false; }  // on_sequence reads the totals

 private:
  // `cycles` cycles that each did `activity`.
  void count(const CycleActivity& activity, std::int64_t cycles);

  NocTraffic traffic_;
};

}  // namespace systole
