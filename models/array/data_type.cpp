#include "models/array/data_type.hpp"

namespace systole {

std::string_view to_string(DataType type) {
  switch (type) {
    case DataType::Int16: return "int16";
    case DataType::Int8: return "int8";
    case DataType::Int4: return "int4";
    case DataType::Int2: return "int2";
    case DataType::Int1: return "int1";
    case DataType::Fp32: return "fp32";
  }
  return "?";
}

std::optional<DataType> parse_data_type(std::string_view text) {
  for (DataType type : {DataType::Int16, DataType::Int8, DataType::Int4, DataType::Int2, DataType::Int1,
                        DataType::Fp32})
    if (text == to_string(type)) return type;
  return std::nullopt;
}

std::string_view data_type_names() { return "int16, int8, int4, int2, int1 or fp32"; }

int operand_bits(DataType type) {
  switch (type) {
    case DataType::Int16: return 16;
    case DataType::Int8: return 8;
    case DataType::Int4: return 4;
    case DataType::Int2: return 2;
    case DataType::Int1: return 1;
    case DataType::Fp32: return 32;
  }
  return 0;
}

int accumulator_bits(DataType type) {
  return type == DataType::Int16 ? 64 : 32;
}

OperandRange operand_range(DataType type) {
  switch (type) {
    case DataType::Int16: return {-32768, 32767};
    case DataType::Int8: return {-128, 127};
    case DataType::Int4: return {-8, 7};
    case DataType::Int2: return {-2, 1};
    case DataType::Int1: return {-1, 1};
    case DataType::Fp32: break;
  }
  return {};
}

}  // namespace systole
