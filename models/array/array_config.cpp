#include "models/array/array_config.hpp"

namespace systole {

std::string_view to_string(Dataflow dataflow) {
  switch (dataflow) {
    case Dataflow::WeightStationary: return "ws";
    case Dataflow::OutputStationary: return "os";
    case Dataflow::InputStationary: return "is";
  }
  return "?";
}

std::optional<Dataflow> parse_dataflow(std::string_view text) {
  if (text == "ws") return Dataflow::WeightStationary;
  if (text == "os") return Dataflow::OutputStationary;
  if (text == "is") return Dataflow::InputStationary;
  return std::nullopt;
}

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
