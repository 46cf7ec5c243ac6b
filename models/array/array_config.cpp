#include "models/array/array_config.hpp"

namespace systole {

std::string_view to_string(Microarch microarch) {
  switch (microarch) {
    case Microarch::Baseline: return "baseline";
    case Microarch::Pipelined: return "pipelined";
  }
  return "?";
}

std::optional<Microarch> parse_microarch(std::string_view text) {
  if (text == "baseline") return Microarch::Baseline;
  if (text == "pipelined") return Microarch::Pipelined;
  return std::nullopt;
}

}  // namespace systole
