#include "sim/energy/power_group.hpp"

#include <stdexcept>
#include <string>

namespace systole {

namespace {

struct GroupName {
  std::string_view prefix;  // of energy.csv's component names
  PowerGroup group;
  std::string_view name;
};
constexpr GroupName kGroups[] = {
    {"multiplier", PowerGroup::Pe, "pe"},      {"fp_multiplier", PowerGroup::Pe, "pe"},
    {"adder", PowerGroup::Pe, "pe"},           {"fp_adder", PowerGroup::Pe, "pe"},
    {"rf_", PowerGroup::Pe, "pe"},             {"link", PowerGroup::Links, "links"},
    {"noc_", PowerGroup::Noc, "noc"},          {"buffer_", PowerGroup::Buffer, "buffer"},
    {"vector_unit", PowerGroup::VectorUnit, "vector_unit"},
    {"dram", PowerGroup::Dram, "dram"},        {"chip", PowerGroup::Static, "static"},
};

}  // namespace

std::string_view to_string(PowerGroup group) {
  for (const GroupName& g : kGroups)
    if (g.group == group) return g.name;
  return "?";
}

PowerGroup power_group(std::string_view component) {
  for (const GroupName& g : kGroups)
    if (component.substr(0, g.prefix.size()) == g.prefix) return g.group;
  throw std::logic_error("energy component '" + std::string(component) + "' belongs to no power group");
}

double GroupEnergy::total() const {
  double sum = 0;
  for (double e : energy) sum += e;
  return sum;
}

bool PricedGroups::all() const {
  for (bool p : priced)
    if (!p) return false;
  return true;
}

}  // namespace systole
