#include "sim/engine/dram_traffic.hpp"

#include <random>

namespace systole {

DramTrafficResult run_dram_traffic(const DramSpec& spec, const DramTrafficOptions& options) {
  const DramAddressMapping mapping(spec, options.channels, options.mapping);
  std::vector<DramChannel> channels;
  for (int c = 0; c < options.channels; ++c) channels.emplace_back(spec, options.controller);
  std::mt19937_64 rng(options.seed);
  std::uniform_int_distribution<std::int64_t> anywhere(0, mapping.capacity_bytes() / spec.burst_bytes - 1);
  std::bernoulli_distribution is_write(options.write_fraction);

  DramTrafficResult result;
  std::int64_t issued = 0, completed = 0;
  DramAddress pending;
  bool pending_write = false;
  bool have_pending = false;
  while (completed < options.requests) {
    // Offer requests in order until the next one's channel queue is full.
    while (issued < options.requests) {
      if (!have_pending) {
        const std::int64_t burst =
            options.pattern == TrafficPattern::Sequential ? issued : anywhere(rng);
        pending = mapping.decode(burst * spec.burst_bytes);
        pending_write = is_write(rng);
        have_pending = true;
      }
      DramChannel& channel = channels[pending.channel];
      if (!channel.can_accept()) break;
      channel.enqueue({static_cast<std::uint64_t>(issued), pending_write, pending.location});
      have_pending = false;
      ++issued;
    }
    for (DramChannel& channel : channels) {
      channel.tick();
      completed += static_cast<std::int64_t>(channel.take_completions().size());
    }
  }
  for (DramChannel& channel : channels) {
    result.totals += channel.stats();
    result.cycles = std::max(result.cycles, channel.now());
    if (options.controller.record_commands) result.commands.push_back(channel.commands());
  }
  result.bytes = options.requests * spec.burst_bytes;
  result.seconds = result.cycles * spec.tck_ps * 1e-12;
  result.gb_per_s = result.seconds > 0 ? result.bytes / result.seconds * 1e-9 : 0;
  result.peak_gb_per_s = spec.peak_gb_per_s() * options.channels;
  const double tck_ns = spec.tck_ps * 1e-3;
  result.mean_latency_ns = options.requests > 0 ? result.totals.latency_sum * tck_ns / options.requests : 0;
  result.max_latency_ns = result.totals.latency_max * tck_ns;
  return result;
}

}  // namespace systole
