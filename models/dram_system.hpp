#pragma once
// The accelerator's DRAM: one or more channels (models/dram_controller.hpp)
// behind an address mapping, clocked at the DRAM's own tCK and advanced from
// the accelerator clock (the clock-domain crossing): each accelerator cycle,
// every channel runs the DRAM cycles that fit in it.
//
// Work arrives as transfers of whole tiles (a byte range to read or write),
// split into bursts and queued to the channels as their queues allow.

#include <cstdint>
#include <deque>
#include <vector>

#include "models/dram_address_mapping.hpp"
#include "models/dram_controller.hpp"
#include "models/dram_spec.hpp"

namespace systole {

class DramSystem {
 public:
  DramSystem(const DramSpec& spec, int channels, double accelerator_period_ps,
             const DramControllerConfig& controller = {});

  // Starts a transfer of `bytes` at `address`; returns its id.
  std::uint64_t transfer(std::int64_t address, std::int64_t bytes, bool write);
  bool done(std::uint64_t transfer) const { return remaining_.at(transfer) == 0; }

  // One accelerator clock cycle.
  void tick();

  const DramSpec& spec() const { return spec_; }
  std::int64_t capacity_bytes() const { return mapping_.capacity_bytes(); }
  std::int64_t bytes_moved() const { return bursts_done_ * spec_.burst_bytes; }
  double peak_gb_per_s() const { return spec_.peak_gb_per_s() * static_cast<double>(channels_.size()); }
  DramChannelStats stats() const;  // summed over channels
  double tck_ns() const { return spec_.tck_ps * 1e-3; }

 private:
  void feed();

  struct Burst {
    std::uint64_t transfer;
    std::int64_t address;
    bool write;
  };
  DramSpec spec_;
  DramAddressMapping mapping_;
  std::vector<DramChannel> channels_;
  double accelerator_period_ps_;
  double dram_time_ps_ = 0;
  double accelerator_time_ps_ = 0;
  std::deque<Burst> pending_;
  std::vector<std::int64_t> remaining_;  // bursts left, per transfer
  std::uint64_t next_burst_id_ = 0;
  std::int64_t bursts_done_ = 0;
  std::vector<std::uint64_t> burst_transfer_;  // burst id -> transfer
};

}  // namespace systole
