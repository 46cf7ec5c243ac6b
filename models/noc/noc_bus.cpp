#include "models/noc/noc_bus.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace systole {

namespace {
bool matches(int tag, int id) { return tag == NocId::kAny || tag == id; }
}  // namespace

NocBus::NocBus(int words_per_cycle, int latency, std::vector<NocId> ids, int fifo_depth)
    : width_(words_per_cycle), latency_(latency), depth_(fifo_depth) {
  if (width_ <= 0 || latency_ < 0 || depth_ <= 0 || ids.empty())
    throw std::invalid_argument("a NoC bus needs a positive width, FIFO depth and PE count, and a latency >= 0");
  for (const NocId& id : ids) receivers_.push_back({id, {}});
}

std::int64_t NocBus::send(std::int64_t cycle, int words, NocId tag) {
  if (words <= 0 || words > depth_)
    throw std::invalid_argument("a transfer carries 1 to " + std::to_string(depth_) + " words, not " +
                                std::to_string(words));
  std::vector<Receiver*> addressed;
  for (Receiver& r : receivers_)
    if (matches(tag.row, r.id.row) && matches(tag.col, r.id.col)) addressed.push_back(&r);
  if (addressed.empty())
    throw std::invalid_argument("tag (" + std::to_string(tag.row) + ", " + std::to_string(tag.col) +
                                ") matches no PE on the bus");

  // Word j leaves in slot S + j, i.e. cycle (S + j) / width, and arrives
  // latency cycles later. It needs room in every addressed FIFO: the word
  // depth places before it there must be consumed in an earlier cycle.
  const std::int64_t free_slot = std::max(cycle * width_, next_slot_);
  std::int64_t start = free_slot;
  for (const Receiver* r : addressed)
    for (int j = 0; j < words; ++j) {
      const std::int64_t ahead = static_cast<std::int64_t>(r->consumed.size()) + j - depth_;
      if (ahead < 0) continue;
      const std::int64_t earliest_arrival = r->consumed[static_cast<std::size_t>(ahead)] + 1;
      start = std::max(start, (earliest_arrival - latency_) * width_ - j);
    }
  next_slot_ = start + words;

  for (Receiver* r : addressed)
    for (int j = 0; j < words; ++j) {
      const std::int64_t arrival = (start + j) / width_ + latency_;
      const std::int64_t consumed = r->consumed.empty() ? arrival : std::max(arrival, r->consumed.back() + 1);
      r->consumed.push_back(consumed);
      if (static_cast<int>(r->consumed.size()) > depth_) r->consumed.pop_front();
    }

  const std::int64_t leaves = start / width_;
  stats_.transfers += 1;
  stats_.words += words;
  stats_.multicasts += addressed.size() > 1;
  stats_.deliveries += static_cast<std::int64_t>(words) * static_cast<std::int64_t>(addressed.size());
  stats_.wait_cycles += leaves - cycle;
  stats_.blocked_cycles += leaves - free_slot / width_;
  return (start + words - 1) / width_ + latency_;
}

}  // namespace systole
