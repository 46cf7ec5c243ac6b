#include "sim/energy/energy_scaling.hpp"

#include <array>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <spdlog/fmt/fmt.h>

namespace systole {

double width_factor(WidthScaling scaling, int reference_bits, int bits_a, int bits_b) {
  const double reference = reference_bits;
  switch (scaling) {
    case WidthScaling::None: return 1;
    case WidthScaling::Linear: return bits_a / reference;
    case WidthScaling::Product: return (static_cast<double>(bits_a) * bits_b) / (reference * reference);
  }
  return 1;
}

double capacity_factor(std::int64_t reference_bytes, std::int64_t bytes) {
  if (reference_bytes <= 0 || bytes <= 0) return 1;
  return std::pow(static_cast<double>(bytes) / static_cast<double>(reference_bytes), kSramCapacityExponent);
}

namespace {

// Energy at each node relative to 45 nm, from the factors of energy.md §5:
// 45→65 nm 1.24, 40→45 1.27, 32→45 1.52, 45→28 0.37, 45→16 0.17, 45→7 0.094.
constexpr std::array<std::pair<double, double>, 7> kEnergyRelativeTo45nm = {{
    {65, 1.24},
    {45, 1.0},
    {40, 1.0 / 1.27},
    {32, 1.0 / 1.52},
    {28, 0.37},
    {16, 0.17},
    {7, 0.094},
}};

double relative_to_45nm(double nm) {
  for (const auto& [node, factor] : kEnergyRelativeTo45nm)
    if (node == nm) return factor;
  throw std::invalid_argument(
      fmt::format("no technology scaling factor for {:g} nm (known nodes: {})", nm, technology_nodes()));
}

}  // namespace

double technology_energy_factor(double from_nm, double to_nm) {
  if (from_nm == to_nm) return 1;
  return relative_to_45nm(to_nm) / relative_to_45nm(from_nm);
}

std::string technology_nodes() {
  std::string nodes;
  for (const auto& [node, factor] : kEnergyRelativeTo45nm)
    nodes += (nodes.empty() ? "" : ", ") + std::to_string(static_cast<int>(node));
  return nodes;
}

}  // namespace systole
