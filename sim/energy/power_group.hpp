#pragma once
// The parts of the chip that power figures split energy into (utilization.csv's
// power columns, the VCD's power signals), and which energy.csv component
// belongs to which.

#include <string_view>

namespace systole {

enum class PowerGroup { Pe = 0, Links, Noc, Buffer, VectorUnit, Dram, Static };
inline constexpr int kPowerGroups = 7;
std::string_view to_string(PowerGroup group);
// The part an energy.csv component belongs to.
PowerGroup power_group(std::string_view component);

// Energy by part, in the energy table's unit.
struct GroupEnergy {
  double energy[kPowerGroups] = {};
  double total() const;
};

// Which parts have a per-cycle energy (the others are priced per layer only).
struct PricedGroups {
  bool priced[kPowerGroups] = {};
  bool all() const;
};

}  // namespace systole
