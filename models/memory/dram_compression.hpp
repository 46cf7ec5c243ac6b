#pragma once
// How data is encoded on its way between the global buffer and DRAM
// (`dram.compression`). The buffer holds values as they are; an encoder at
// the chip's DRAM interface shrinks what crosses it, so DRAM moves (and its
// timing and energy see) the encoded bytes while the buffer's ports and
// space see the values. Each transfer (a tile, a write-back) is one encoded
// stream, its values in DRAM's order. Implementations are registered by name
// in dram_compression.cpp; "none" encodes nothing.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace systole {

class DramCompression {
 public:
  virtual ~DramCompression() = default;
  // Bytes `values` (each `value_bits` wide) take once encoded.
  virtual std::int64_t encoded_bytes(const std::vector<std::int64_t>& values, int value_bits) const = 0;
  // Why values `value_bits` wide cannot be encoded; empty when they can.
  virtual std::string value_problem(int value_bits) const = 0;
};

// Eyeriss's run-length coding (Chen et al., JSSC 2017): a stream of
// (run, level) pairs, `run` the zeros before `level` (5 bits: 0-31), `level`
// a 16-bit value; three pairs and a terminator bit fill a 64-bit word
// (3 × 21 + 1), the terminator marking the stream's last word. A run of more
// than 31 zeros is cut: the pair (31, 0) stands for 32 zeros (31 and a zero
// level). Zeros at the end of the stream are pairs with a zero level too.
// A stream of n values thus takes at most ceil(n / 3) words.
class RunLengthCompression final : public DramCompression {
 public:
  static constexpr int kRunBits = 5;
  static constexpr int kLevelBits = 16;
  static constexpr int kPairsPerWord = 3;
  static constexpr int kWordBytes = 8;
  // The (run, level) pairs `values` take.
  static std::int64_t pairs(const std::vector<std::int64_t>& values);
  std::int64_t encoded_bytes(const std::vector<std::int64_t>& values, int value_bits) const override;
  std::string value_problem(int value_bits) const override;
};

struct DramCompressionEntry {
  std::string_view name;
  std::string_view description;
  const DramCompression* compression;  // null for none
};

// Every registered compression, in the order --help lists them.
const std::vector<DramCompressionEntry>& dram_compressions();
// The entry called `name`; null when there is none.
const DramCompressionEntry* find_dram_compression(std::string_view name);
// "none or rlc", for help texts and errors.
std::string dram_compression_names();

}  // namespace systole
