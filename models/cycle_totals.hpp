#pragma once
// What a run of cycles did: the counts of their CycleActivity
// (models/execution.hpp), added up as plain fields because every cycle adds
// to them. A window of utilization.csv, one cycle of the VCD, and what the
// energy of those cycles is priced from (sim/energy/cycle_energy.hpp).

#include <cstdint>

#include "models/execution.hpp"
#include "models/memory/buffer_config.hpp"
#include "models/noc/noc_config.hpp"

namespace systole {

struct CycleTotals {
  std::uint64_t active_pes = 0;
  std::uint64_t gated_macs = 0;
  std::uint64_t register_reads[kRegisterFiles] = {0, 0, 0};
  std::uint64_t register_writes[kRegisterFiles] = {0, 0, 0};
  std::uint64_t vector_operations = 0;
  std::uint64_t noc_words[kNetworks] = {0, 0, 0};
  std::uint64_t noc_busy_cycles[kNetworks] = {0, 0, 0};  // cycles that moved a word on the network
  std::uint64_t noc_deliveries = 0;
  std::uint64_t link_hops[kLinkDirections] = {0, 0};
  std::uint64_t dram_bytes = 0;
  std::uint64_t buffer_bytes[kOperands] = {0, 0, 0};

  void add(const CycleActivity& a) { add(a, 1); }
  // `cycles` cycles that each did `a`.
  void add(const CycleActivity& a, std::uint64_t cycles) {
    active_pes += cycles * a.active_pes;
    gated_macs += cycles * a.gated_macs;
    for (int f = 0; f < kRegisterFiles; ++f) {
      register_reads[f] += cycles * a.register_reads[f];
      register_writes[f] += cycles * a.register_writes[f];
    }
    vector_operations += cycles * a.vector_operations;
    for (int n = 0; n < kNetworks; ++n) {
      noc_words[n] += cycles * a.noc_words[n];
      if (a.noc_words[n] > 0) noc_busy_cycles[n] += cycles;
    }
    noc_deliveries += cycles * a.noc_deliveries;
    for (int d = 0; d < kLinkDirections; ++d) link_hops[d] += cycles * a.link_hops[d];
    dram_bytes += cycles * a.dram_bytes;
    for (int o = 0; o < kOperands; ++o) buffer_bytes[o] += cycles * a.buffer_bytes[o];
  }

  // Field by field: the totals of two runs, or of the cycles between two
  // running totals (later.minus(earlier)).
  CycleTotals& operator+=(const CycleTotals& other) {
    each_field(other, [](std::uint64_t& mine, std::uint64_t theirs) { mine += theirs; });
    return *this;
  }
  CycleTotals minus(const CycleTotals& earlier) const {
    CycleTotals difference = *this;
    difference.each_field(earlier, [](std::uint64_t& mine, std::uint64_t theirs) { mine -= theirs; });
    return difference;
  }

 private:
  template <class Combine>
  void each_field(const CycleTotals& other, Combine combine) {
    combine(active_pes, other.active_pes);
    combine(gated_macs, other.gated_macs);
    for (int f = 0; f < kRegisterFiles; ++f) {
      combine(register_reads[f], other.register_reads[f]);
      combine(register_writes[f], other.register_writes[f]);
    }
    combine(vector_operations, other.vector_operations);
    for (int n = 0; n < kNetworks; ++n) {
      combine(noc_words[n], other.noc_words[n]);
      combine(noc_busy_cycles[n], other.noc_busy_cycles[n]);
    }
    combine(noc_deliveries, other.noc_deliveries);
    for (int d = 0; d < kLinkDirections; ++d) combine(link_hops[d], other.link_hops[d]);
    combine(dram_bytes, other.dram_bytes);
    for (int o = 0; o < kOperands; ++o) combine(buffer_bytes[o], other.buffer_bytes[o]);
  }
};

}  // namespace systole
