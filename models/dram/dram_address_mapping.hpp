#pragma once
// Where a physical address lives in a DRAM system: channel, rank, bank group,
// bank, row and column (in bursts). The mapping is a list of fields from the
// least significant end, each taking as many values as the DRAM has (mixed
// radix, so sizes need not be powers of two). The default,
// "ch,bg,co,ba,ra,ro", sends consecutive bursts to alternating channels and
// bank groups and keeps a row open for the longest stretch of a stream.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/dram_controller.hpp"
#include "models/dram/dram_spec.hpp"

namespace systole {

struct DramAddress {
  int channel = 0;
  DramLocation location;
};

class DramAddressMapping {
 public:
  enum class Field { Channel, BankGroup, Column, Bank, Rank, Row };
  static constexpr std::size_t kFields = 6;

  // `order`: comma-separated ch, bg, co, ba, ra, ro, each exactly once, least
  // significant first. Throws std::invalid_argument.
  DramAddressMapping(const DramSpec& spec, int channels, const std::string& order = "ch,bg,co,ba,ra,ro");

  DramAddress decode(std::int64_t byte_address) const;
  // Whether two addresses fall in the same row of the same bank, rank and
  // channel (of any column).
  bool same_row(std::int64_t a, std::int64_t b) const;
  std::int64_t capacity_bytes() const;

 private:
  std::int64_t extent(Field field) const;

  DramSpec spec_;
  int channels_;
  std::vector<Field> order_;
  // Computed once: every burst is decoded, and where the burst size and
  // every field's extent are powers of two (as DRAM geometry nearly always
  // is) each field is a shift and a mask of the burst's index, not a 64-bit
  // division.
  std::int64_t capacity_bytes_ = 0;
  std::vector<std::int64_t> extents_;  // per field of order_
  bool powers_of_two_ = false;
  int burst_shift_ = 0;
  // By Field, when powers_of_two_: the field's lowest bit and its mask.
  std::array<int, kFields> field_shift_{};
  std::array<std::int64_t, kFields> field_mask_{};
  std::int64_t row_bits_ = 0;  // of a burst's index: every field's but the column's
};

}  // namespace systole
