#include "models/memory/dram_compression.hpp"

namespace systole {

std::int64_t RunLengthCompression::pairs(const std::vector<std::int64_t>& values) {
  constexpr std::int64_t longest_run = (1 << kRunBits) - 1;
  std::int64_t pairs = 0, run = 0;
  for (std::int64_t value : values) {
    if (value == 0 && run < longest_run) {
      ++run;
      continue;
    }
    // A nonzero level, or the zero that ends a run of 31 zeros.
    ++pairs;
    run = 0;
  }
  // Trailing zeros: a last pair whose level is one of them.
  if (run > 0) ++pairs;
  return pairs;
}

std::int64_t RunLengthCompression::encoded_bytes(const std::vector<std::int64_t>& values, int) const {
  const std::int64_t words = (pairs(values) + kPairsPerWord - 1) / kPairsPerWord;
  return words * kWordBytes;
}

std::string RunLengthCompression::value_problem(int value_bits) const {
  if (value_bits <= kLevelBits) return {};
  return "run-length coding holds levels of " + std::to_string(kLevelBits) + " bits, not values of " +
         std::to_string(value_bits);
}

namespace {
const RunLengthCompression kRunLength;
}  // namespace

const std::vector<DramCompressionEntry>& dram_compressions() {
  static const std::vector<DramCompressionEntry> entries = {
      {"none", "DRAM moves the values as they are", nullptr},
      {"rlc", "Eyeriss's run-length coding of ifmap and ofmap traffic (filters move as they are)", &kRunLength},
  };
  return entries;
}

const DramCompressionEntry* find_dram_compression(std::string_view name) {
  for (const DramCompressionEntry& entry : dram_compressions())
    if (entry.name == name) return &entry;
  return nullptr;
}

std::string dram_compression_names() {
  std::string names;
  const auto& entries = dram_compressions();
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) names += i + 1 == entries.size() ? " or " : ", ";
    names += entries[i].name;
  }
  return names;
}

}  // namespace systole
