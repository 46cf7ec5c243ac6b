#include "models/dram_system.hpp"

namespace systole {

DramSystem::DramSystem(const DramSpec& spec, int channels, double accelerator_period_ps,
                       const DramControllerConfig& controller)
    : spec_(spec), mapping_(spec, channels), accelerator_period_ps_(accelerator_period_ps) {
  for (int c = 0; c < channels; ++c) channels_.emplace_back(spec, controller);
}

std::uint64_t DramSystem::transfer(std::int64_t address, std::int64_t bytes, bool write) {
  const std::uint64_t id = remaining_.size();
  const std::int64_t first = address / spec_.burst_bytes;
  const std::int64_t last = (address + bytes - 1) / spec_.burst_bytes;
  remaining_.push_back(bytes > 0 ? last - first + 1 : 0);
  for (std::int64_t burst = first; bytes > 0 && burst <= last; ++burst)
    pending_.push_back({id, burst * spec_.burst_bytes, write});
  feed();
  return id;
}

void DramSystem::feed() {
  // In order: a full channel queue holds back the bursts behind it.
  while (!pending_.empty()) {
    const Burst& burst = pending_.front();
    const DramAddress where = mapping_.decode(burst.address);
    DramChannel& channel = channels_[where.channel];
    if (!channel.can_accept()) return;
    burst_transfer_.push_back(burst.transfer);
    channel.enqueue({next_burst_id_++, burst.write, where.location});
    pending_.pop_front();
  }
}

void DramSystem::tick() {
  accelerator_time_ps_ += accelerator_period_ps_;
  while (dram_time_ps_ + spec_.tck_ps <= accelerator_time_ps_) {
    dram_time_ps_ += spec_.tck_ps;
    for (DramChannel& channel : channels_) {
      channel.tick();
      for (const DramCompletion& c : channel.take_completions()) {
        --remaining_[burst_transfer_[c.id]];
        ++bursts_done_;
      }
    }
    feed();
  }
}

DramChannelStats DramSystem::stats() const {
  DramChannelStats total;
  for (const DramChannel& channel : channels_) total += channel.stats();
  return total;
}

}  // namespace systole
