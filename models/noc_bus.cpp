#include "models/noc_bus.hpp"

#include <algorithm>

namespace systole {

std::int64_t NocBus::send(std::int64_t cycle, std::int64_t words, int destinations) {
  const std::int64_t start = std::max(cycle, free_at_);
  const std::int64_t slots = width_ <= 0 ? 1 : std::max<std::int64_t>(1, (words + width_ - 1) / width_);
  free_at_ = start + slots;
  stats_.transfers += 1;
  stats_.words += words;
  stats_.multicasts += destinations > 1;
  stats_.deliveries += destinations;
  stats_.busy_cycles += slots;
  stats_.wait_cycles += start - cycle;
  return start + slots - 1 + latency_;
}

}  // namespace systole
