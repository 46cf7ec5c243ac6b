#include "models/memory/global_buffer.hpp"

#include <algorithm>

namespace systole {

GlobalBuffer::GlobalBuffer(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {}

void GlobalBuffer::begin_step(const BufferPartition& partition, int operand_bits, int accumulator_bits) {
  fill_rate_ = {partition.fill_bits_per_cycle(Operand::Ifmap, operand_bits),
                partition.fill_bits_per_cycle(Operand::Filter, operand_bits),
                partition.fill_bits_per_cycle(Operand::Ofmap, accumulator_bits)};
  drain_outputs_rate_ = partition.drain_bits_per_cycle(Operand::Ofmap, operand_bits);
  drain_partial_sums_rate_ = partition.drain_bits_per_cycle(Operand::Ofmap, accumulator_bits);
  const int banks = partition.banks[static_cast<int>(Operand::Ofmap)];
  for (int o = 0; o < kOperands; ++o) {
    write_ports_[o] = Ports{};
    write_ports_[o].count = partition.banks[o] * partition.write_ports;
  }
  ofmap_read_ports_ = Ports{};
  ofmap_read_ports_.count = banks * partition.read_ports;
  results_per_port_ = partition.values_per_word(accumulator_bits);
  operands_per_word_ = partition.values_per_word(operand_bits);
  for (int o = 0; o < kOperands; ++o)
    words_of_[o] = WordsOf(static_cast<std::uint32_t>(o == static_cast<int>(Operand::Ofmap) ? results_per_port_
                                                                                            : operands_per_word_));
  last_cycle_.clear();
  held_.clear();
  held_bytes_ = {0, 0, 0};
  first_held_until_written_back_ = kNoFold;
  for (int o = 0; o < kOperands; ++o) {
    earlier_steps_.read_accesses[o] += traffic_.read_accesses[o];
    earlier_steps_.write_accesses[o] += traffic_.write_accesses[o];
  }
  traffic_ = GlobalBufferTraffic{};
  peak_bytes_ = {0, 0, 0};
}

std::int64_t GlobalBuffer::accesses_since_built(Operand operand, bool write) const {
  const int o = static_cast<int>(operand);
  return write ? earlier_steps_.write_accesses[o] + traffic_.write_accesses[o]
               : earlier_steps_.read_accesses[o] + traffic_.read_accesses[o];
}

void GlobalBuffer::reserve(Operand operand, std::int64_t bytes, std::size_t fold, bool until_written_back) {
  held_.push_back({operand, bytes, fold, until_written_back});
  held_bytes_[static_cast<int>(operand)] += static_cast<std::uint32_t>(bytes);
  if (until_written_back) first_held_until_written_back_ = std::min(first_held_until_written_back_, fold);
}

template <class Released>
void GlobalBuffer::release_if(Released released) {
  // remove_if asks the predicate exactly once per reservation.
  held_.erase(std::remove_if(held_.begin(), held_.end(),
                             [&](const Held& h) {
                               if (!released(h)) return false;
                               held_bytes_[static_cast<int>(h.operand)] -= static_cast<std::uint32_t>(h.bytes);
                               return true;
                             }),
              held_.end());
}

void GlobalBuffer::release_tiles_of(std::size_t fold) {
  release_if([&](const Held& h) { return !h.until_written_back && h.fold == fold; });
}

void GlobalBuffer::release_written_back_before(std::size_t fold) {
  if (fold <= first_held_until_written_back_) return;
  release_if([&](const Held& h) { return h.until_written_back && h.fold < fold; });
  first_held_until_written_back_ = kNoFold;
  for (const Held& h : held_)
    if (h.until_written_back) first_held_until_written_back_ = std::min(first_held_until_written_back_, h.fold);
}

void GlobalBuffer::occupancy(std::uint32_t held[kOperands]) const {
  for (int o = 0; o < kOperands; ++o) held[o] = held_bytes_[o];
}

GlobalBuffer::Transfer GlobalBuffer::Ports::start(std::int64_t bytes, std::int64_t bits_per_cycle,
                                                  std::int64_t now, std::vector<std::int64_t>& last_cycle) {
  const Transfer transfer = last_cycle.size();
  if (bits_per_cycle == 0) {
    last_cycle.push_back(now - 1);
    return transfer;
  }
  free_at = std::max(free_at, now) + (8 * bytes + bits_per_cycle - 1) / bits_per_cycle;
  last_cycle.push_back(free_at - 1);
  waiting.push_back(transfer);
  return transfer;
}

void GlobalBuffer::Ports::move_waiting(std::int64_t cycle, int results_per_port,
                                       std::vector<std::int64_t>& last_cycle) {
  waiting.erase(std::remove_if(waiting.begin(), waiting.end(), [&](Transfer t) { return last_cycle[t] <= cycle; }),
                waiting.end());
  if (waiting.empty() || count == 0) {
    owed = 0;
  } else {
    owed += (taken + results_per_port - 1) / results_per_port;
    for (; owed >= count; owed -= count) {
      for (Transfer t : waiting) ++last_cycle[t];
      ++free_at;
    }
  }
}

void GlobalBuffer::Ports::end_cycles(std::int64_t first, std::int64_t count, const std::uint32_t* taken_each,
                                     int results_per_port, std::vector<std::int64_t>& last_cycle) {
  if (taken_each == nullptr) {
    // Untaken ports delay nothing: each cycle only lets go of the transfers
    // done by it, which the last one does for all of them.
    end_cycle(first + count - 1, results_per_port, last_cycle);
    return;
  }
  for (std::int64_t i = 0; i < count; ++i) {
    taken += taken_each[i];
    end_cycle(first + i, results_per_port, last_cycle);
  }
}

void GlobalBuffer::count(std::int64_t& values, std::int64_t& accesses, std::int64_t added, int per_word) {
  values += added;
  accesses += (added + per_word - 1) / per_word;
}

GlobalBuffer::Transfer GlobalBuffer::write_tile(Operand operand, std::int64_t bytes, std::int64_t values,
                                                std::int64_t now) {
  // Tiles of the ofmap partition are partial sums read back from DRAM.
  const int o = static_cast<int>(operand);
  count(traffic_.writes[o], traffic_.write_accesses[o], values,
        operand == Operand::Ofmap ? results_per_port_ : operands_per_word_);
  return write_ports_[static_cast<int>(operand)].start(bytes, fill_rate_[static_cast<int>(operand)], now,
                                                       last_cycle_);
}

GlobalBuffer::Transfer GlobalBuffer::read_write_back(std::int64_t bytes, std::int64_t values, bool partial_sums,
                                                     std::int64_t now) {
  const int o = static_cast<int>(Operand::Ofmap);
  count(traffic_.reads[o], traffic_.read_accesses[o], values, partial_sums ? results_per_port_ : operands_per_word_);
  return ofmap_read_ports_.start(bytes, partial_sums ? drain_partial_sums_rate_ : drain_outputs_rate_, now,
                                 last_cycle_);
}

std::int64_t GlobalBuffer::ports_free_at() const {
  std::int64_t free_at = ofmap_read_ports_.free_at;
  for (const Ports& ports : write_ports_) free_at = std::max(free_at, ports.free_at);
  return free_at;
}

void GlobalBuffer::array_results(std::int64_t values, bool accumulating) {
  write_ports_[static_cast<int>(Operand::Ofmap)].taken += values;
  if (accumulating) ofmap_read_ports_.taken += values;
}

void GlobalBuffer::on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals&, const Execution&) {
  count_each(cycles, count);
}

void GlobalBuffer::count_each(const CycleActivity* cycles, std::int64_t count) {
  // Into locals the cycles cannot alias, kept in registers, stored once.
  GlobalBufferTraffic traffic = traffic_;
  std::array<std::uint32_t, kOperands> peak = peak_bytes_;
  for (std::int64_t c = 0; c < count; ++c) add(cycles[c], 1, traffic, peak);
  traffic_ = traffic;
  peak_bytes_ = peak;
}

void GlobalBuffer::on_slept(const CycleActivity* cycles, std::int64_t count, std::int64_t alike_from,
                            const CycleTotals&, const Execution&) {
  count_each(cycles, alike_from);
  if (alike_from < count) add(cycles[alike_from], count - alike_from, traffic_, peak_bytes_);
}

void GlobalBuffer::count(const CycleActivity& activity, std::int64_t cycles) {
  add(activity, cycles, traffic_, peak_bytes_);
}

void GlobalBuffer::add(const CycleActivity& activity, std::int64_t cycles, GlobalBufferTraffic& traffic,
                       std::array<std::uint32_t, kOperands>& peak_bytes) const {
  for (int o = 0; o < kOperands; ++o) {
    peak_bytes[o] = std::max(peak_bytes[o], activity.buffer_bytes[o]);
    // The array's operands, and its results and the partial sums they add
    // to (accumulator width), each cycle's in whole words.
    if (const std::uint32_t reads = activity.buffer_reads[o]; reads > 0) {
      traffic.reads[o] += cycles * reads;
      traffic.read_accesses[o] += cycles * words_of_[o](reads);
    }
    if (const std::uint32_t writes = activity.buffer_writes[o]; writes > 0) {
      traffic.writes[o] += cycles * writes;
      traffic.write_accesses[o] += cycles * words_of_[o](writes);
    }
  }
}

void GlobalBuffer::end_cycle(std::int64_t cycle) {
  // A port moves whole words: the cycle's results, rounded up to ports.
  for (Ports& ports : write_ports_) ports.end_cycle(cycle, results_per_port_, last_cycle_);
  ofmap_read_ports_.end_cycle(cycle, results_per_port_, last_cycle_);
}

void GlobalBuffer::end_cycles(std::int64_t first, std::int64_t count, const std::uint32_t* results,
                              bool accumulating) {
  if (count <= 0) return;
  for (int o = 0; o < kOperands; ++o)
    write_ports_[o].end_cycles(first, count, o == static_cast<int>(Operand::Ofmap) ? results : nullptr,
                               results_per_port_, last_cycle_);
  ofmap_read_ports_.end_cycles(first, count, accumulating ? results : nullptr, results_per_port_, last_cycle_);
}

}  // namespace systole
