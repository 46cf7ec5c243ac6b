#include "sim/energy/energy_table.hpp"

#include <stdexcept>

#include "sim/energy/builtin_tables.hpp"
#include "sim/energy/energy_table_file.hpp"

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

namespace {

// A name with a path separator or a YAML extension is a file; anything else
// names a built-in table, so a typo in a name is not read as a missing file.
bool looks_like_file(const std::string& text) {
  const auto ends_with = [&](const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  return text.find('/') != std::string::npos || ends_with(".yaml") || ends_with(".yml");
}

}  // namespace

EnergyTable load_energy_table(const std::string& name_or_file) {
  if (const EnergyTable* table = find_builtin_table(name_or_file)) return *table;
  if (looks_like_file(name_or_file)) return read_energy_table_file(name_or_file);
  std::string names;
  for (const std::string& name : builtin_table_names()) names += (names.empty() ? "" : ", ") + name;
  throw std::invalid_argument("unknown energy table '" + name_or_file + "' (built in: " + names +
                              "; or a .yaml file)");
}

}  // namespace systole
