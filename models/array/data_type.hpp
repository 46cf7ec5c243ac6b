#pragma once
// Numeric formats of the PE datapath: the operand width that moves through
// the array and the accumulator width each PE adds into.

#include <cstdint>
#include <optional>
#include <string_view>

namespace systole {

enum class DataType { Int8, Int16, Fp32 };

// int16 products reach 2^30, so they accumulate in 64 bits; int8 products
// (2^14) leave int32 ample headroom for any reduction a layer has.
template <DataType> struct Numeric;
template <> struct Numeric<DataType::Int8> {
  using Operand = std::int8_t;
  using Accum = std::int32_t;
};
template <> struct Numeric<DataType::Int16> {
  using Operand = std::int16_t;
  using Accum = std::int64_t;
};
template <> struct Numeric<DataType::Fp32> {
  using Operand = float;
  using Accum = float;
};

std::string_view to_string(DataType type);
std::optional<DataType> parse_data_type(std::string_view text);
int operand_bytes(DataType type);
int accumulator_bytes(DataType type);

}  // namespace systole
