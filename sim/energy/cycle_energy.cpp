#include "sim/energy/cycle_energy.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "sim/report/dram_counters.hpp"

namespace systole {

namespace {

// The counters the cycles supply: from the activity, the buffer and the DRAM.
constexpr Counter kPerCycleCounters[] = {
    Counter::Cycles,
    Counter::Macs,
    Counter::MacsGated,
    Counter::RfStationaryReads,
    Counter::RfStationaryWrites,
    Counter::RfOperandReads,
    Counter::RfOperandWrites,
    Counter::RfPsumReads,
    Counter::RfPsumWrites,
    Counter::LinkHopsHorizontal,
    Counter::LinkHopsVertical,
    Counter::NocLeftWords,
    Counter::NocTopWords,
    Counter::NocOutWords,
    Counter::VectorOperations,
    Counter::BufferIfmapReadAccesses,
    Counter::BufferFilterReadAccesses,
    Counter::BufferOfmapReadAccesses,
    Counter::BufferIfmapWriteAccesses,
    Counter::BufferFilterWriteAccesses,
    Counter::BufferOfmapWriteAccesses,
    Counter::DramActivates,
    Counter::DramPrecharges,
    Counter::DramReadBursts,
    Counter::DramWriteBursts,
    Counter::DramRefreshes,
    Counter::DramActiveStandbyCycles,
    Counter::DramPrechargeStandbyCycles,
};

bool counted_per_cycle(Counter counter) {
  for (Counter c : kPerCycleCounters)
    if (c == counter) return true;
  return false;
}

}  // namespace

CycleEnergy::CycleEnergy(const EnergyModel& model, const GlobalBuffer& buffer, DramBackend* dram,
                         std::function<std::int64_t()> now_fs, double clock_period_ns)
    : buffer_(buffer), dram_(dram), now_fs_(std::move(now_fs)), period_fs_(std::llround(clock_period_ns * 1e6)) {
  for (bool& p : priced_.priced) p = true;
  for (const ActionPrice& price : model.action_prices()) {
    const PowerGroup group = power_group(price.component);
    if (!counted_per_cycle(price.counter)) {
      priced_.priced[static_cast<int>(group)] = false;
      continue;
    }
    terms_.push_back({price.counter, group, price.per_action});
    // The MACs counter prices performed MACs: the gated ones are not.
    if (price.counter == Counter::Macs) terms_.push_back({Counter::MacsGated, group, -price.per_action});
  }
  if (dram_ != nullptr) {
    dram_->keep_history();
    dram_stats_ = dram_->stats();
  }
  for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap})
    for (bool write : {false, true})
      buffer_accesses_[write][static_cast<int>(o)] = buffer_.accesses_since_built(o, write);
}

void CycleEnergy::begin_step() { step_start_fs_ = now_fs_(); }

GroupEnergy CycleEnergy::take(const CycleTotals& cycles, std::int64_t count, std::int64_t last_cycle) {
  Counters counts;
  counts[Counter::Cycles] = count;
  counts[Counter::Macs] = static_cast<std::int64_t>(cycles.active_pes);
  counts[Counter::MacsGated] = static_cast<std::int64_t>(cycles.gated_macs);
  for (int f = 0; f < kRegisterFiles; ++f) {
    counts[register_reads(static_cast<RegisterFile>(f))] = static_cast<std::int64_t>(cycles.register_reads[f]);
    counts[register_writes(static_cast<RegisterFile>(f))] = static_cast<std::int64_t>(cycles.register_writes[f]);
  }
  counts[Counter::LinkHopsHorizontal] =
      static_cast<std::int64_t>(cycles.link_hops[static_cast<int>(LinkDirection::Horizontal)]);
  counts[Counter::LinkHopsVertical] =
      static_cast<std::int64_t>(cycles.link_hops[static_cast<int>(LinkDirection::Vertical)]);
  for (int n = 0; n < kNetworks; ++n)
    counts[per_network(Counter::NocLeftWords, static_cast<Network>(n))] = static_cast<std::int64_t>(cycles.noc_words[n]);
  counts[Counter::VectorOperations] = static_cast<std::int64_t>(cycles.vector_operations);
  for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap})
    for (bool write : {false, true}) {
      std::int64_t& last = buffer_accesses_[write][static_cast<int>(o)];
      const std::int64_t now = buffer_.accesses_since_built(o, write);
      counts[per_operand(write ? Counter::BufferIfmapWriteAccesses : Counter::BufferIfmapReadAccesses, o)] =
          now - last;
      last = now;
    }
  if (dram_ != nullptr) {
    read_dram(last_cycle);
    counts += dram_counted_;
    dram_counted_ = Counters{};
  }
  GroupEnergy energy;
  for (const Term& t : terms_)
    energy.energy[static_cast<int>(t.group)] += static_cast<double>(counts[t.counter]) * t.per_action;
  return energy;
}

void CycleEnergy::read_dram(std::int64_t last_cycle) {
  // The vector unit's cycles do not advance the DRAM; the array's have.
  const std::int64_t last_cycle_end_fs = step_start_fs_ + (last_cycle + 1) * period_fs_;
  dram_->advance_to(last_cycle_end_fs);
  const DramChannelStats now = dram_->stats_by(last_cycle_end_fs);
  add_dram_commands(dram_counted_, dram_stats_, now);
  dram_stats_ = now;
}

}  // namespace systole
