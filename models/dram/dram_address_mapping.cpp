#include "models/dram/dram_address_mapping.hpp"

#include <algorithm>
#include <stdexcept>

namespace systole {

DramAddressMapping::DramAddressMapping(const DramSpec& spec, int channels, const std::string& order)
    : spec_(spec), channels_(channels) {
  std::size_t start = 0;
  while (start <= order.size()) {
    const std::size_t comma = order.find(',', start);
    const std::string name = order.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    Field field;
    if (name == "ch") field = Field::Channel;
    else if (name == "bg") field = Field::BankGroup;
    else if (name == "co") field = Field::Column;
    else if (name == "ba") field = Field::Bank;
    else if (name == "ra") field = Field::Rank;
    else if (name == "ro") field = Field::Row;
    else throw std::invalid_argument("unknown address field '" + name + "' (expected ch, bg, co, ba, ra, ro)");
    if (std::find(order_.begin(), order_.end(), field) != order_.end())
      throw std::invalid_argument("address field '" + name + "' appears twice");
    order_.push_back(field);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  if (order_.size() != kFields)
    throw std::invalid_argument("the address mapping must name all of ch, bg, co, ba, ra, ro");
  const auto log2_exact = [](std::int64_t n) {
    int shift = 0;
    while ((std::int64_t{1} << shift) < n) ++shift;
    return n > 0 && (std::int64_t{1} << shift) == n ? shift : -1;
  };
  capacity_bytes_ = spec_.burst_bytes;
  burst_shift_ = log2_exact(spec_.burst_bytes);
  powers_of_two_ = burst_shift_ >= 0;
  int lowest_bit = 0;
  for (Field f : order_) {
    extents_.push_back(extent(f));
    capacity_bytes_ *= extents_.back();
    const int bits = log2_exact(extents_.back());
    powers_of_two_ = powers_of_two_ && bits >= 0;
    field_shift_[static_cast<std::size_t>(f)] = lowest_bit;
    field_mask_[static_cast<std::size_t>(f)] = extents_.back() - 1;
    lowest_bit += std::max(bits, 0);
  }
  for (std::size_t f = 0; f < kFields; ++f)
    if (static_cast<Field>(f) != Field::Column) row_bits_ |= field_mask_[f] << field_shift_[f];
}

std::int64_t DramAddressMapping::extent(Field field) const {
  switch (field) {
    case Field::Channel: return channels_;
    case Field::BankGroup: return spec_.bank_groups;
    case Field::Column: return spec_.bursts_per_row;
    case Field::Bank: return spec_.banks_per_group;
    case Field::Rank: return spec_.ranks;
    case Field::Row: return spec_.rows;
  }
  return 1;
}

std::int64_t DramAddressMapping::capacity_bytes() const { return capacity_bytes_; }

DramAddress DramAddressMapping::decode(std::int64_t byte_address) const {
  DramAddress a;
  // Past the capacity, an address wraps: the fields' masks drop what lies
  // beyond it.
  if (powers_of_two_ && byte_address >= 0) {
    const std::int64_t burst = byte_address >> burst_shift_;
    const auto field = [&](Field f) {
      const auto i = static_cast<std::size_t>(f);
      return static_cast<int>((burst >> field_shift_[i]) & field_mask_[i]);
    };
    a.channel = field(Field::Channel);
    a.location.bank_group = field(Field::BankGroup);
    a.location.column = field(Field::Column);
    a.location.bank = field(Field::Bank);
    a.location.rank = field(Field::Rank);
    a.location.row = field(Field::Row);
    return a;
  }
  std::int64_t rest = (byte_address % capacity_bytes_) / spec_.burst_bytes;
  // Each field's value by Field, then placed.
  int values[kFields];
  for (std::size_t i = 0; i < kFields; ++i) {
    values[static_cast<int>(order_[i])] = static_cast<int>(rest % extents_[i]);
    rest /= extents_[i];
  }
  a.channel = values[static_cast<int>(Field::Channel)];
  a.location.bank_group = values[static_cast<int>(Field::BankGroup)];
  a.location.column = values[static_cast<int>(Field::Column)];
  a.location.bank = values[static_cast<int>(Field::Bank)];
  a.location.rank = values[static_cast<int>(Field::Rank)];
  a.location.row = values[static_cast<int>(Field::Row)];
  return a;
}

bool DramAddressMapping::same_row(std::int64_t a, std::int64_t b) const {
  if (powers_of_two_ && a >= 0 && b >= 0) return (((a >> burst_shift_) ^ (b >> burst_shift_)) & row_bits_) == 0;
  const DramAddress x = decode(a), y = decode(b);
  return x.channel == y.channel && x.location.rank == y.location.rank &&
         x.location.bank_group == y.location.bank_group && x.location.bank == y.location.bank &&
         x.location.row == y.location.row;
}

}  // namespace systole
