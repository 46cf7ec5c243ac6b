#pragma once
// What the global buffer is, as plain values: its organisation and sizes
// (GlobalBufferConfig, from the architecture), the partition one step runs
// with (BufferPartition: bytes, banks and ports per operand), and the traffic
// it counts. models/memory/global_buffer.hpp is the buffer itself.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace systole {

enum class Operand { Ifmap = 0, Filter = 1, Ofmap = 2 };
inline constexpr int kOperands = 3;
std::string to_string(Operand operand);

// Which operand plays which role in an array program: the one that enters
// at the left edge, and the one at the top edge or in the stationary rows.
struct OperandRoles {
  Operand left = Operand::Ifmap;
  Operand top = Operand::Filter;
};

// Bytes `values` values of `bits` bits take, packed: values narrower than a
// byte share bytes (two int4, eight int1 a byte), in DRAM and in the buffer.
inline std::int64_t packed_bytes(std::int64_t values, int bits) { return (values * bits + 7) / 8; }

// What each partition of the buffer has while one step runs: its bytes, its
// banks and their ports. Widths of values are in bits, so that values
// narrower than a byte pack: a port word of W bytes holds 8·W / b values of
// b bits.
struct BufferPartition {
  std::array<std::int64_t, kOperands> bytes = {64 * 1024, 64 * 1024, 64 * 1024};
  std::array<int, kOperands> banks = {0, 0, 0};  // 0: as many as any access needs
  int read_ports = 1;
  int write_ports = 1;
  int word_bytes = 0;  // bytes a port moves per cycle; 0: one value of any width

  std::int64_t capacity(Operand operand) const { return bytes[static_cast<int>(operand)]; }
  // Values of `value_bits` one access of a port moves.
  // validate() (sim/config/arch_config.hpp) rejects ports narrower than a value.
  int values_per_word(int value_bits) const {
    return word_bytes == 0 ? 1 : std::max(1, 8 * word_bytes / value_bits);
  }
  // Values of `value_bits` the partition reads (writes) per cycle; 0 when
  // unlimited.
  std::int64_t read_values_per_cycle(Operand operand, int value_bits) const {
    return values_per_cycle(operand, read_ports, value_bits);
  }
  std::int64_t write_values_per_cycle(Operand operand, int value_bits) const {
    return values_per_cycle(operand, write_ports, value_bits);
  }
  // Bits of `value_bits`-wide values the write (read) ports of a partition
  // take from (give to) DRAM per cycle; 0 when unlimited. In bits, since a
  // port one value wide moves less than a byte of int4 a cycle.
  std::int64_t fill_bits_per_cycle(Operand operand, int value_bits) const {
    return bits_per_cycle(operand, write_ports, value_bits);
  }
  std::int64_t drain_bits_per_cycle(Operand operand, int value_bits) const {
    return bits_per_cycle(operand, read_ports, value_bits);
  }

 private:
  std::int64_t bits_per_cycle(Operand operand, int ports, int value_bits) const {
    const int b = banks[static_cast<int>(operand)];
    return b == 0 ? 0 : static_cast<std::int64_t>(b) * ports * (word_bytes == 0 ? value_bits : 8 * word_bytes);
  }
  std::int64_t values_per_cycle(Operand operand, int ports, int value_bits) const {
    const int b = banks[static_cast<int>(operand)];
    if (b == 0) return 0;
    return static_cast<std::int64_t>(b) * ports * values_per_word(value_bits);
  }
};

enum class BufferOrganization { Separate, Shared };

struct GlobalBufferConfig {
  BufferOrganization organization = BufferOrganization::Separate;
  std::int64_t ifmap_bytes = 64 * 1024;  // separate
  std::int64_t filter_bytes = 64 * 1024;
  std::int64_t ofmap_bytes = 64 * 1024;
  std::int64_t shared_bytes = 192 * 1024;  // shared: the whole buffer
  // Separate: per partition, 0 for as many as any access needs. Shared: in
  // all, at least one per partition.
  int banks = 0;
  int read_ports = 1;
  int write_ports = 1;
  int word_bytes = 0;

  static GlobalBufferConfig separate(std::int64_t ifmap, std::int64_t filter, std::int64_t ofmap) {
    GlobalBufferConfig config;
    config.ifmap_bytes = ifmap;
    config.filter_bytes = filter;
    config.ofmap_bytes = ofmap;
    return config;
  }
  // Shared: the bytes of one bank.
  std::int64_t bank_bytes() const { return banks == 0 ? 0 : shared_bytes / banks; }
  // The partition a step runs with: the separate buffers as they are, or a
  // shared buffer split `split` banks to each operand.
  BufferPartition partition(std::array<int, kOperands> split = {0, 0, 0}) const;
};

// What each partition read and wrote during a step, in values (operands, or
// partial sums at accumulator width) and in accesses of the buffer's word
// width (GlobalBuffer::traffic has the rule).
struct GlobalBufferTraffic {
  std::int64_t reads[kOperands] = {0, 0, 0};
  std::int64_t writes[kOperands] = {0, 0, 0};
  std::int64_t read_accesses[kOperands] = {0, 0, 0};
  std::int64_t write_accesses[kOperands] = {0, 0, 0};
};

}  // namespace systole
