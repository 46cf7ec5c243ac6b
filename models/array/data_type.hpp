#pragma once
// Numeric formats of the PE datapath: the operand width that moves through
// the array and the accumulator width each PE adds into.

#include <cstdint>
#include <optional>
#include <string_view>

namespace systole {

// int1 is binary as binary networks run it: its values are -1 and +1 (a bit
// each: 1 for +1), its multiply is an XNOR and a dot product a popcount.
enum class DataType { Int16, Int8, Int4, Int2, Int1, Fp32 };

// int16 products reach 2^30, so they accumulate in 64 bits; int8 products
// (2^14) leave int32 ample headroom for any reduction a layer has.
template <DataType> struct Numeric;
template <> struct Numeric<DataType::Int8> {
  using Operand = std::int8_t;
  using Accum = std::int32_t;
};
// int4, int2 and int1 values are int8 values and their products smaller, so
// they run on int8's datapath, exactly: no kernel of their own. Their width
// shows where it matters, in energy (operand_bits) and in what a byte holds.
template <> struct Numeric<DataType::Int4> : Numeric<DataType::Int8> {};
template <> struct Numeric<DataType::Int2> : Numeric<DataType::Int8> {};
template <> struct Numeric<DataType::Int1> : Numeric<DataType::Int8> {};
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
// "int16, int8, int4, int2, int1 or fp32", for messages.
std::string_view data_type_names();
// Widths in bits, not bytes: int4, int2 and int1 values are narrower than a
// byte, and pack (models/memory/buffer_config.hpp: packed_bytes).
int operand_bits(DataType type);
int accumulator_bits(DataType type);

// The integers an operand of an integer type holds: int4 -8 to 7, int2 -2 to
// 1; int1 holds -1 and +1 only (never 0).
struct OperandRange {
  std::int64_t min = 0, max = 0;
};
OperandRange operand_range(DataType type);

}  // namespace systole
