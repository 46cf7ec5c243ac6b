#pragma once
// The energy of a run's cycles, by part of the chip: the per-cycle side of
// the energy model, behind utilization.csv's power columns and the VCD's
// power signals. Cycles are priced exactly as energy.csv prices a layer (the
// same entries, scaling and counters: EnergyModel::action_prices), so the
// windows of a run add up to its energy.csv total.
//
// A cycle's actions come from its activity (MACs, register accesses, NoC
// words, neighbour-link hops, vector operations), from the global buffer's
// access counts and from the DRAM's commands and standby cycles by the end
// of the cycle. A part priced per layer only has no per-cycle energy: the
// DRAM when it is priced per byte of tile traffic (a part without currents).

#include <cstdint>
#include <functional>
#include <vector>

#include "models/cycle_totals.hpp"
#include "models/dram/dram_backend.hpp"
#include "models/execution.hpp"
#include "models/memory/global_buffer.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/power_group.hpp"

namespace systole {

class CycleEnergy {
 public:
  // `dram`: null with ideal memory. `now_fs`: the time now on the DRAM's
  // clock (Dram::time_fs), read at each step's start.
  CycleEnergy(const EnergyModel& model, const GlobalBuffer& buffer, DramBackend* dram,
              std::function<std::int64_t()> now_fs, double clock_period_ns);

  // False for a part priced per layer only; its energy is then left out.
  const PricedGroups& priced() const { return priced_; }

  // The next cycles are a new step's, from cycle 0.
  void begin_step();
  // The energy of the `count` cycles after those of the last take, summed
  // in `cycles`, the last of them cycle `last_cycle` of the step; taken
  // after the buffer has counted them.
  GroupEnergy take(const CycleTotals& cycles, std::int64_t count, std::int64_t last_cycle);

  // Whether it reads the DRAM's commands, which the DRAM keeps a history
  // of for it while it runs ahead (a unit sleeps): a history as long as the
  // cycles between two reads.
  bool reads_dram() const { return dram_ != nullptr; }
  // Reads them by the end of cycle `last_cycle` of the step, for the next
  // take: a long window read in pieces keeps the DRAM's history short.
  void read_dram(std::int64_t last_cycle);

 private:
  struct Term {
    Counter counter;
    PowerGroup group;
    double per_action;
  };
  std::vector<Term> terms_;
  PricedGroups priced_;
  const GlobalBuffer& buffer_;
  DramBackend* dram_;
  std::function<std::int64_t()> now_fs_;
  std::int64_t period_fs_;
  std::int64_t step_start_fs_ = 0;
  // Cumulative counts where they were at the last take.
  std::int64_t buffer_accesses_[2][kOperands] = {};
  // The DRAM's where they were at the last read, and what the reads since
  // the last take added.
  DramChannelStats dram_stats_;
  Counters dram_counted_;
};

}  // namespace systole
