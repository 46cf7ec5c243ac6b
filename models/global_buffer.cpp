#include "models/global_buffer.hpp"

#include <algorithm>

namespace systole {

std::string to_string(Operand operand) {
  switch (operand) {
    case Operand::Ifmap: return "ifmap";
    case Operand::Filter: return "filter";
    case Operand::Ofmap: return "ofmap";
  }
  return "?";
}

BufferPartition GlobalBufferConfig::partition(std::array<int, kOperands> split) const {
  BufferPartition p;
  p.read_ports = read_ports;
  p.write_ports = write_ports;
  p.word_bytes = word_bytes;
  if (organization == BufferOrganization::Separate) {
    p.bytes = {ifmap_bytes, filter_bytes, ofmap_bytes};
    p.banks = {banks, banks, banks};
  } else {
    for (int o = 0; o < kOperands; ++o) p.bytes[o] = split[o] * bank_bytes();
    p.banks = split;
  }
  return p;
}

GlobalBuffer::GlobalBuffer(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void GlobalBuffer::begin_step(const BufferPartition& partition, int operand_bytes, int accumulator_bytes) {
  fill_rate_ = {partition.fill_bytes_per_cycle(Operand::Ifmap, operand_bytes),
                partition.fill_bytes_per_cycle(Operand::Filter, operand_bytes),
                partition.fill_bytes_per_cycle(Operand::Ofmap, accumulator_bytes)};
  drain_outputs_rate_ = partition.drain_bytes_per_cycle(Operand::Ofmap, operand_bytes);
  drain_partial_sums_rate_ = partition.drain_bytes_per_cycle(Operand::Ofmap, accumulator_bytes);
  write_ports_free_at_ = {0, 0, 0};
  read_ports_free_at_ = 0;
  held_.clear();
  traffic_ = GlobalBufferTraffic{};
  peak_bytes_ = {0, 0, 0};
}

void GlobalBuffer::reserve(Operand operand, std::int64_t bytes, std::size_t fold, bool until_written_back) {
  held_.push_back({operand, bytes, fold, until_written_back});
}

void GlobalBuffer::release_tiles_of(std::size_t fold) {
  held_.erase(std::remove_if(held_.begin(), held_.end(),
                             [&](const Held& h) { return !h.until_written_back && h.fold == fold; }),
              held_.end());
}

void GlobalBuffer::release_written_back_before(std::size_t fold) {
  held_.erase(std::remove_if(held_.begin(), held_.end(),
                             [&](const Held& h) { return h.until_written_back && h.fold < fold; }),
              held_.end());
}

void GlobalBuffer::occupancy(std::uint32_t held[kOperands]) const {
  held[0] = held[1] = held[2] = 0;
  for (const Held& h : held_) held[static_cast<int>(h.operand)] += static_cast<std::uint32_t>(h.bytes);
}

std::int64_t GlobalBuffer::write_tile(Operand operand, std::int64_t bytes, std::int64_t now) {
  traffic_.writes[static_cast<int>(operand)] += bytes;
  const std::int64_t rate = fill_rate_[static_cast<int>(operand)];
  if (rate == 0) return now - 1;
  std::int64_t& free_at = write_ports_free_at_[static_cast<int>(operand)];
  free_at = std::max(free_at, now) + (bytes + rate - 1) / rate;
  return free_at - 1;
}

std::int64_t GlobalBuffer::read_write_back(std::int64_t bytes, bool partial_sums, std::int64_t now) {
  traffic_.reads[static_cast<int>(Operand::Ofmap)] += bytes;
  const std::int64_t rate = partial_sums ? drain_partial_sums_rate_ : drain_outputs_rate_;
  if (rate == 0) return now - 1;
  read_ports_free_at_ = std::max(read_ports_free_at_, now) + (bytes + rate - 1) / rate;
  return read_ports_free_at_ - 1;
}

std::int64_t GlobalBuffer::ports_free_at() const {
  return std::max(*std::max_element(write_ports_free_at_.begin(), write_ports_free_at_.end()), read_ports_free_at_);
}

void GlobalBuffer::on_cycle(const CycleActivity& activity, const Execution&) {
  for (int o = 0; o < kOperands; ++o) peak_bytes_[o] = std::max(peak_bytes_[o], activity.buffer_bytes[o]);
}

}  // namespace systole
