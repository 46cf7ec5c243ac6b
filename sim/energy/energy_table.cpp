#include "sim/energy/energy_table.hpp"

#include <stdexcept>

#include "sim/energy/builtin_tables.hpp"

namespace systole {

std::string to_string(WidthScaling scaling) {
  switch (scaling) {
    case WidthScaling::None: return "none";
    case WidthScaling::Linear: return "linear";
    case WidthScaling::Product: return "product";
  }
  return "?";
}

const ActionEntry* EnergyTable::find_action(const std::string& component, const std::string& action) const {
  for (const ActionEntry& entry : actions)
    if (entry.component == component && entry.action == action) return &entry;
  return nullptr;
}

const StaticEntry* EnergyTable::find_static(const std::string& component) const {
  for (const StaticEntry& entry : statics)
    if (entry.component == component) return &entry;
  return nullptr;
}

const AreaEntry* EnergyTable::find_area(const std::string& component) const {
  for (const AreaEntry& entry : areas)
    if (entry.component == component) return &entry;
  return nullptr;
}

EnergyTable load_energy_table(const std::string& name_or_file) {
  if (const EnergyTable* table = find_builtin_table(name_or_file)) return *table;
  std::string names;
  for (const std::string& name : builtin_table_names()) names += (names.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown energy table '" + name_or_file + "' (built in: " + names +
                              "; or a .yaml file)");
}

}  // namespace systole
