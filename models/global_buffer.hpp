#pragma once
// The global buffer (on-chip SRAM) between DRAM and the array, split as in
// SCALE-Sim into an ifmap, a filter and an ofmap partition, each double
// buffered: one half feeds the array while the other fills from (or drains
// to) DRAM. It counts the bytes each partition reads and writes.
// Abstracted away (for now): banks, ports and bank conflicts; the buffer
// delivers whatever the array edge needs each cycle.

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
  std::int64_t capacity(Operand operand) const {
    return operand == Operand::Ifmap ? ifmap_bytes : operand == Operand::Filter ? filter_bytes : ofmap_bytes;
  }
};

struct GlobalBufferTraffic {
  std::int64_t reads[kOperands] = {0, 0, 0};   // bytes out of the partition
  std::int64_t writes[kOperands] = {0, 0, 0};  // bytes into the partition
};

}  // namespace systole
