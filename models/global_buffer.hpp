#pragma once
// The global buffer (on-chip SRAM) between DRAM and the array, split as in
// SCALE-Sim into an ifmap, a filter and an ofmap partition, each double
// buffered: one half feeds the array while the other fills from (or drains
// to) DRAM. It counts the bytes each partition reads and writes.
// Each partition has `banks` banks of `ports` words per cycle each, words
// interleaved across banks: a stream that asks for more words per cycle than
// banks × ports conflicts on some bank and is slowed down to what the banks
// deliver (bank_words_per_cycle). Abstracted away: the exact address of each
// word (sequential streams spread evenly over the banks).

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
  int ports = 1;  // words per bank per cycle
  // Words per cycle one partition delivers; 0 when unlimited.
  int bank_words_per_cycle() const { return banks * ports; }
  std::int64_t capacity(Operand operand) const {
    return operand == Operand::Ifmap ? ifmap_bytes : operand == Operand::Filter ? filter_bytes : ofmap_bytes;
  }
};

struct GlobalBufferTraffic {
  std::int64_t reads[kOperands] = {0, 0, 0};   // bytes out of the partition
  std::int64_t writes[kOperands] = {0, 0, 0};  // bytes into the partition
};

}  // namespace systole
