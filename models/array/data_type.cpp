#include "models/array/data_type.hpp"

namespace systole {

std::string_view to_string(DataType type) {
  switch (type) {
    case DataType::Int8: return "int8";
    case DataType::Int16: return "int16";
    case DataType::Fp32: return "fp32";
  }
  return "?";
}

std::optional<DataType> parse_data_type(std::string_view text) {
  if (text == "int8") return DataType::Int8;
  if (text == "int16") return DataType::Int16;
  if (text == "fp32") return DataType::Fp32;
  return std::nullopt;
}

int operand_bytes(DataType type) {
  switch (type) {
    case DataType::Int8: return 1;
    case DataType::Int16: return 2;
    case DataType::Fp32: return 4;
  }
  return 0;
}

int accumulator_bytes(DataType type) {
  switch (type) {
    case DataType::Int8: return 4;
    case DataType::Int16: return 8;
    case DataType::Fp32: return 4;
  }
  return 0;
}

}  // namespace systole
