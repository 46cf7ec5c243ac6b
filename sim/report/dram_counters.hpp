#pragma once
// What the DRAM did between two of its statistics (models/dram/dram_backend.hpp
// stats()), added to the counters that report it: its commands and its
// ranks' standby cycles. Layers and per-cycle power count it the same way.

#include "models/dram/dram_controller.hpp"
#include "sim/report/counters.hpp"

namespace systole {

inline void add_dram_commands(Counters& counted, const DramChannelStats& before, const DramChannelStats& after) {
  counted[Counter::DramActivates] += after.activates - before.activates;
  counted[Counter::DramPrecharges] += after.precharges - before.precharges;
  counted[Counter::DramReadBursts] += after.reads - before.reads;
  counted[Counter::DramWriteBursts] += after.writes - before.writes;
  counted[Counter::DramRefreshes] += after.refreshes - before.refreshes;
  counted[Counter::DramActiveStandbyCycles] += after.active_standby_cycles - before.active_standby_cycles;
  counted[Counter::DramPrechargeStandbyCycles] += after.precharge_standby_cycles - before.precharge_standby_cycles;
}

}  // namespace systole
