#pragma once
// The global buffer (on-chip SRAM) between DRAM and the array, split as in
// SCALE-Sim into an ifmap, a filter and an ofmap partition, each double
// buffered: one half feeds the array while the other fills from (or drains
// to) DRAM. It counts the bytes each partition reads and writes.
// Each partition has `banks` banks, each with `read_ports` and `write_ports`
// ports of `word_bytes` per cycle, values interleaved across banks: a stream
// that asks for more values per cycle than the ports deliver conflicts on
// some bank and is slowed down to what they deliver (read_values_per_cycle,
// write_values_per_cycle). Abstracted away: the exact address of each value
// (sequential streams spread evenly over the banks).

#include <algorithm>
#include <cstdint>
#include <string>

namespace systole {

enum class Operand { Ifmap = 0, Filter = 1, Ofmap = 2 };
inline constexpr int kOperands = 3;
std::string to_string(Operand operand);

struct GlobalBufferConfig {
  std::int64_t ifmap_bytes = 64 * 1024;
  std::int64_t filter_bytes = 64 * 1024;
  std::int64_t ofmap_bytes = 64 * 1024;
  int banks = 0;  // per partition; 0: as many as any access needs
  int read_ports = 1;
  int write_ports = 1;
  int word_bytes = 0;  // bytes a port moves per cycle; 0: one value of any width
  // Values of `value_bytes` one partition reads (writes) per cycle; 0 when
  // unlimited.
  std::int64_t read_values_per_cycle(int value_bytes) const { return values_per_cycle(read_ports, value_bytes); }
  std::int64_t write_values_per_cycle(int value_bytes) const { return values_per_cycle(write_ports, value_bytes); }
  // Bytes of `value_bytes`-wide values the write (read) ports of one
  // partition take from (give to) DRAM per cycle; 0 when unlimited.
  std::int64_t fill_bytes_per_cycle(int value_bytes) const { return bytes_per_cycle(write_ports, value_bytes); }
  std::int64_t drain_bytes_per_cycle(int value_bytes) const { return bytes_per_cycle(read_ports, value_bytes); }
  std::int64_t capacity(Operand operand) const {
    return operand == Operand::Ifmap ? ifmap_bytes : operand == Operand::Filter ? filter_bytes : ofmap_bytes;
  }

 private:
  std::int64_t bytes_per_cycle(int ports, int value_bytes) const {
    return banks == 0 ? 0 : static_cast<std::int64_t>(banks) * ports * (word_bytes == 0 ? value_bytes : word_bytes);
  }
  std::int64_t values_per_cycle(int ports, int value_bytes) const {
    if (banks == 0) return 0;
    // validate() (sim/arch_config.hpp) rejects ports narrower than a value.
    const std::int64_t per_port = word_bytes == 0 ? 1 : std::max(1, word_bytes / value_bytes);
    return static_cast<std::int64_t>(banks) * ports * per_port;
  }
};

struct GlobalBufferTraffic {
  std::int64_t reads[kOperands] = {0, 0, 0};   // bytes out of the partition
  std::int64_t writes[kOperands] = {0, 0, 0};  // bytes into the partition
};

}  // namespace systole
