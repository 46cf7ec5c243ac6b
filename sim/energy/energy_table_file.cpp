#include "sim/energy/energy_table_file.hpp"

#include "sim/energy/energy_model.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <string_view>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/config/yaml_input.hpp"

namespace systole {

namespace {


// What sim/energy/energy_model.hpp prices; a file may give nothing else.
const std::vector<std::string> kStaticComponents = {"pe", "buffer"};
const std::vector<std::string> kAreaComponents = {"multiplier",    "adder",     "fp_multiplier",
                                                   "fp_adder", "sram_byte", "register_bit"};

// Widths are ints; no datapath or ERT block comes near this.
constexpr std::int64_t kMaxWidthBits = std::int64_t{1} << 20;

std::string join(const std::vector<std::string>& items) {
  std::string joined;
  for (const std::string& item : items) joined += (joined.empty() ? "" : ", ") + item;
  return joined;
}

int line_of(const YAML::Node& node) { return node.Mark().line + 1; }

std::string file_stem(const std::string& path) { return std::filesystem::path(path).stem().string(); }

// Names and sources end up in summary.json, which must be UTF-8. Checked line
// by line: a newline is never part of a multi-byte sequence.
void check_utf8(const std::string& path, const std::string& text) {
  int line = 1;
  for (std::size_t start = 0; start <= text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (!valid_utf8(std::string_view(text).substr(start, end - start)))
      throw_input_error(path, line, "not UTF-8 text");
    start = end + 1;
  }
}

// The mapping at the top of a YAML file.
YAML::Node load_mapping(const std::string& path, const std::string& what) {
  const std::string text = read_input_file(path, what);
  check_utf8(path, text);
  const YAML::Node root = parse_yaml(path, text);
  if (root.IsNull()) throw_input_error(path, 0, what + " is empty");
  if (!root.IsMap()) throw_input_error(path, line_of(root), what + " must be a mapping of keys to values");
  return root;
}

// A value that names or traces something: a single, non-blank value.
std::string word(const YamlEntry& e, const char* field) {
  const std::string value = e.text(field);
  if (trim(value).empty()) e.fail(e.node()[field], "field '" + std::string(field) + "' is empty");
  return value;
}

double technology_nm(const YamlEntry& e) {
  const double nm = e.number("technology_nm", std::numeric_limits<double>::lowest());
  if (nm <= 0)
    e.fail(e.node()["technology_nm"], "field 'technology_nm' must be more than 0, got " + e.text("technology_nm"));
  return nm;
}

std::string unit(const YamlEntry& e) {
  const std::string value = word(e, "unit");
  // Only "pJ" is absolute (EnergyTable::absolute()): nJ or "pj" would be
  // taken for a normalised unit and lose static power and EDP silently.
  static const std::vector<std::string> kEnergyUnits = {"pj", "fj", "aj", "nj", "uj", "\xc2\xb5j", "mj", "j"};
  const std::string lower = to_lower(value);
  if (value != "pJ" && std::find(kEnergyUnits.begin(), kEnergyUnits.end(), lower) != kEnergyUnits.end())
    e.fail(e.node()["unit"], "unit '" + value +
                                 "': absolute energies must be in pJ, written pJ (any other name is a normalised unit)");
  return value;
}

WidthScaling scaling(const YamlEntry& e, WidthScaling fallback) {
  if (!e.has("scaling")) return fallback;
  const std::string value = to_lower(e.text("scaling"));
  if (value == "none") return WidthScaling::None;
  if (value == "linear") return WidthScaling::Linear;
  if (value == "product") return WidthScaling::Product;
  e.fail(e.node()["scaling"], "field 'scaling' is '" + value + "', expected none, linear or product");
}

// The width an entry refers to and how it scales with it; a width of 0 means
// the entry does not depend on width, which only scaling: none can say.
void width(const YamlEntry& e, bool required, int& width_bits, WidthScaling& how) {
  const std::int64_t bits = required ? e.integer("width_bits", 0) : e.integer_or("width_bits", 0, 0);
  if (bits > kMaxWidthBits)
    e.fail(e.node()["width_bits"],
           "field 'width_bits' must be at most " + std::to_string(kMaxWidthBits) + ", got " + std::to_string(bits));
  width_bits = static_cast<int>(bits);
  how = scaling(e, how);
  if (width_bits == 0 && how != WidthScaling::None)
    e.fail(std::string("width_bits is 0 but scaling is ") + (how == WidthScaling::Linear ? "linear" : "product") +
           ": give the width the energy refers to, or scaling: none");
}

std::string source_or(const YamlEntry& e, const std::string& path) {
  return e.has("source") ? word(e, "source") : path + ":" + std::to_string(line_of(e.node()));
}

// The list under `field`; an optional one may be absent (empty).
YAML::Node list(const YamlEntry& top, const char* field, bool required) {
  if (!required && !top.has(field)) return YAML::Node(YAML::NodeType::Sequence);
  const YAML::Node items = top.get(field);
  if (!items.IsSequence()) top.fail(items, "field '" + std::string(field) + "' must be a list");
  if (required && items.size() == 0) top.fail(items, "field '" + std::string(field) + "' is an empty list");
  return items;
}

// Reads the component and action of an entry of `actions` or `map`, refusing
// names Systole does not price and entries given twice (`first_lines`: the
// line of each "component.action" read so far).
void action_name(YamlEntry& e, const std::string& list_name, ActionEntry& entry,
                 std::map<std::string, int>& first_lines) {
  entry.component = word(e, "component");
  entry.action = word(e, "action");
  const std::string name = entry.component + "." + entry.action;
  e.set_label(list_name + " entry " + name);
  const std::vector<std::string> known = known_actions();
  if (std::find(known.begin(), known.end(), name) == known.end())
    e.fail(e.node()["component"], "'" + name + "' is not an action Systole prices (known: " + join(known) + ")");
  const auto [first, inserted] = first_lines.emplace(name, line_of(e.node()));
  if (!inserted) e.fail("given twice (first at line " + std::to_string(first->second) + ")");
}

// A component of `static` or `area`: one of `known`, once.
std::string component(YamlEntry& e, const std::string& list_name, const std::vector<std::string>& known,
                      std::map<std::string, int>& first_lines) {
  const std::string name = word(e, "component");
  e.set_label(list_name + " entry " + name);
  if (std::find(known.begin(), known.end(), name) == known.end())
    e.fail(e.node()["component"], "unknown component '" + name + "' (known: " + join(known) + ")");
  const auto [first, inserted] = first_lines.emplace(name, line_of(e.node()));
  if (!inserted) e.fail("given twice (first at line " + std::to_string(first->second) + ")");
  return name;
}

YamlEntry item(const std::string& path, const YAML::Node& node, const std::string& list_name, std::size_t index) {
  YamlEntry e(path, node, list_name + " entry " + std::to_string(index + 1));
  if (!node.IsMap()) e.fail("must be a mapping of keys to values");
  return e;
}

void read_statics_and_areas(const std::string& path, const YamlEntry& top, EnergyTable& table) {
  const YAML::Node statics = list(top, "static", false);
  std::map<std::string, int> first_lines;
  for (std::size_t i = 0; i < statics.size(); ++i) {
    YamlEntry e = item(path, statics[i], "static", i);
    e.allow_only({"component", "milliwatts", "source"});
    StaticEntry entry;
    entry.component = component(e, "static", kStaticComponents, first_lines);
    // Power adds to energies only in an absolute unit (the energy model
    // refuses it otherwise; here the error can name the line).
    if (!table.absolute()) e.fail("static power needs a table in pJ, not " + table.unit);
    entry.milliwatts = e.number("milliwatts", 0);
    entry.source = source_or(e, path);
    table.statics.push_back(entry);
  }
  const YAML::Node areas = list(top, "area", false);
  first_lines.clear();
  for (std::size_t i = 0; i < areas.size(); ++i) {
    YamlEntry e = item(path, areas[i], "area", i);
    e.allow_only({"component", "um2", "width_bits", "scaling", "source"});
    AreaEntry entry;
    entry.component = component(e, "area", kAreaComponents, first_lines);
    entry.um2 = e.number("um2", 0);
    width(e, false, entry.width_bits, entry.scaling);
    entry.source = source_or(e, path);
    table.areas.push_back(entry);
  }
}

EnergyTable read_systole_table(const std::string& path, const YAML::Node& root) {
  const YamlEntry top(path, root, "energy table");
  top.allow_only({"name", "unit", "technology_nm", "source", "actions", "static", "area"});
  EnergyTable table;
  table.name = top.has("name") ? word(top, "name") : file_stem(path);
  table.unit = unit(top);
  table.technology_nm = technology_nm(top);
  table.source = top.has("source") ? word(top, "source") : path;
  const YAML::Node actions = list(top, "actions", true);
  std::map<std::string, int> first_lines;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    YamlEntry e = item(path, actions[i], "actions", i);
    e.allow_only({"component", "action", "energy", "width_bits", "scaling", "capacity_bytes", "source"});
    ActionEntry entry;
    action_name(e, "actions", entry, first_lines);
    entry.energy = e.number("energy", 0);
    width(e, true, entry.width_bits, entry.scaling);
    entry.capacity_bytes = e.integer_or("capacity_bytes", 0, 0);
    entry.source = source_or(e, path);
    table.actions.push_back(entry);
  }
  read_statics_and_areas(path, top, table);
  return table;
}

// ---- Accelergy ERTs ----

struct ErtEnergy {
  double energy = 0;
  int line = 0;
};

struct ErtTable {
  std::string name;                // as the ERT writes it: system.chip.PE[0..255].mac
  std::vector<std::string> parts;  // without index ranges: system, chip, PE, mac
  // Each action's entries, one per set of arguments, in the ERT's order.
  std::vector<std::pair<std::string, std::vector<ErtEnergy>>> actions;
};

// The dotted parts of a hierarchical name once its [a..b] index ranges are
// dropped (a range holds dots of its own).
std::vector<std::string> name_parts(const std::string& name) {
  std::string plain;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const std::size_t close = name[i] == '[' ? name.find(']', i) : std::string::npos;
    if (close != std::string::npos)
      i = close;
    else
      plain += name[i];
  }
  return split(plain, '.');
}

void add_ert_entry(ErtTable& table, const std::string& ert_path, const std::string& action, const YAML::Node& node) {
  YamlEntry e(ert_path, node, "ERT table " + table.name + ", action " + action);
  if (!node.IsMap()) e.fail("must be a mapping with arguments and energy");
  // Accelergy writes arguments: null, {} or a mapping of argument values;
  // whichever they are, the entry counts towards the action's maximum.
  if (e.has("arguments") && !e.node()["arguments"].IsNull() && !e.node()["arguments"].IsMap())
    e.fail(e.node()["arguments"], "field 'arguments' must be a mapping or null");
  const double energy = e.number("energy", 0);
  auto it = std::find_if(table.actions.begin(), table.actions.end(),
                         [&](const auto& entry) { return entry.first == action; });
  if (it == table.actions.end()) it = table.actions.insert(table.actions.end(), {action, {}});
  it->second.push_back({energy, line_of(node)});
}

ErtTable new_table(const std::string& name) { return {name, name_parts(name), {}}; }

// ERT.yaml as Accelergy writes it. Version 0.2 maps each table name to its
// actions, each action to one {arguments, energy} or a list of them; 0.3 and
// later list tables as {name, actions: [{name, arguments, energy}]}. Keys
// Systole does not use are left alone: the format is Accelergy's.
std::vector<ErtTable> read_ert(const std::string& ert_path) {
  const YAML::Node root = load_mapping(ert_path, "ERT file");
  const YAML::Node ert = root["ERT"];
  if (!ert || !ert.IsMap() || !ert["tables"])
    throw_input_error(ert_path, line_of(root), "not an Accelergy ERT: expected ERT: with tables:");
  const YAML::Node tables = ert["tables"];
  std::vector<ErtTable> read;
  if (tables.IsSequence()) {
    for (std::size_t i = 0; i < tables.size(); ++i) {
      YamlEntry e(ert_path, tables[i], "ERT table " + std::to_string(i + 1));
      if (!tables[i].IsMap()) e.fail("must be a mapping with name and actions");
      ErtTable table = new_table(word(e, "name"));
      e.set_label("ERT table " + table.name);
      const YAML::Node actions = e.get("actions");
      if (!actions.IsSequence()) e.fail(actions, "field 'actions' must be a list");
      for (std::size_t a = 0; a < actions.size(); ++a) {
        YamlEntry action(ert_path, actions[a], "ERT table " + table.name + ", action " + std::to_string(a + 1));
        if (!actions[a].IsMap()) action.fail("must be a mapping with name, arguments and energy");
        add_ert_entry(table, ert_path, word(action, "name"), actions[a]);
      }
      read.push_back(std::move(table));
    }
  } else if (tables.IsMap()) {
    for (const auto& named : tables) {
      if (!named.first.IsScalar()) throw_input_error(ert_path, line_of(named.first), "an ERT table name must be a word");
      ErtTable table = new_table(named.first.Scalar());
      if (!named.second.IsMap())
        throw_input_error(ert_path, line_of(named.second), "ERT table " + table.name + ": must map actions to energies");
      for (const auto& action : named.second) {
        const std::string name = action.first.Scalar();
        if (action.second.IsSequence())
          for (const YAML::Node& entry : action.second) add_ert_entry(table, ert_path, name, entry);
        else
          add_ert_entry(table, ert_path, name, action.second);
      }
      read.push_back(std::move(table));
    }
  } else {
    throw_input_error(ert_path, line_of(tables),
                      "ERT tables must be a list (version 0.3 and later) or a mapping (version 0.2)");
  }
  return read;
}

// The one table whose name ends with the dotted parts of `suffix`, index
// ranges dropped from both: "PE.mac" finds system.chip.PE[0..255].mac.
const ErtTable& find_table(const YamlEntry& e, const std::vector<ErtTable>& tables, const std::string& ert_path) {
  const std::string suffix = word(e, "ert");
  const YAML::Node at = e.node()["ert"];
  const std::vector<std::string> wanted = name_parts(suffix);
  if (std::find(wanted.begin(), wanted.end(), "") != wanted.end())
    e.fail(at, "field 'ert' is '" + suffix + "', not a dotted component name");
  std::vector<std::string> all, matching;
  const ErtTable* found = nullptr;
  for (const ErtTable& table : tables) {
    all.push_back(table.name);
    if (table.parts.size() >= wanted.size() &&
        std::equal(wanted.rbegin(), wanted.rend(), table.parts.rbegin())) {
      matching.push_back(table.name);
      found = &table;
    }
  }
  if (matching.empty()) e.fail(at, "ert '" + suffix + "' names no table of " + ert_path + " (tables: " + join(all) + ")");
  if (matching.size() > 1)
    e.fail(at, "ert '" + suffix + "' matches " + std::to_string(matching.size()) + " tables of " + ert_path + " (" +
                   join(matching) + "): give more of the name");
  return *found;
}

// The action's energy on the component's full width. Where the ERT gives it
// for several arguments (address and data deltas), the most expensive is the
// random-data case, as Timeloop takes it; the source says so.
void ert_energy(const YamlEntry& e, const ErtTable& table, const std::string& ert_path, ActionEntry& entry) {
  const std::string action = word(e, "ert_action");
  std::vector<std::string> names;
  for (const auto& [name, energies] : table.actions) {
    names.push_back(name);
    if (name != action) continue;
    const ErtEnergy max = *std::max_element(energies.begin(), energies.end(),
                                            [](const ErtEnergy& a, const ErtEnergy& b) { return a.energy < b.energy; });
    entry.energy = max.energy;
    entry.source = ert_path + ":" + std::to_string(max.line) + ": " + table.name + " " + action;
    if (energies.size() > 1) entry.source += ", max of " + std::to_string(energies.size()) + " entries";
    return;
  }
  e.fail(e.node()["ert_action"], "ERT table " + table.name + " has no action '" + action + "' (actions: " +
                                     join(names) + ")");
}

EnergyTable read_ert_map(const std::string& path, const YAML::Node& root) {
  const YamlEntry top(path, root, "ERT map");
  top.allow_only({"accelergy_ert", "technology_nm", "map", "name", "source", "static", "area"});
  const std::string ert_name = word(top, "accelergy_ert");
  // Relative to the map file, wherever the run starts from.
  const std::filesystem::path ert_file = std::filesystem::path(path).parent_path() / ert_name;
  const std::string ert_path = ert_file.lexically_normal().string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(ert_file, error))
    top.fail(top.node()["accelergy_ert"], "field 'accelergy_ert': no file " + ert_path);
  const std::vector<ErtTable> tables = read_ert(ert_path);

  EnergyTable table;
  table.name = top.has("name") ? word(top, "name") : file_stem(path);
  table.unit = "pJ";  // Accelergy's energies are pJ
  table.technology_nm = technology_nm(top);
  table.source = top.has("source") ? word(top, "source") : ert_path + " (Accelergy ERT) through " + path;
  const YAML::Node map = list(top, "map", true);
  std::map<std::string, int> first_lines;
  for (std::size_t i = 0; i < map.size(); ++i) {
    YamlEntry e = item(path, map[i], "map", i);
    e.allow_only({"component", "action", "ert", "ert_action", "energy", "source", "width_bits", "scaling",
                  "capacity_bytes"});
    ActionEntry entry;
    action_name(e, "map", entry, first_lines);
    // The ERT has no widths: the width its action moves is the user's to say.
    width(e, true, entry.width_bits, entry.scaling);
    entry.capacity_bytes = e.integer_or("capacity_bytes", 0, 0);
    const bool from_ert = e.has("ert");
    if (from_ert == e.has("energy"))
      e.fail(from_ert ? "give ert or energy, not both"
                      : "missing field 'ert' (with ert_action), or 'energy' for an action the ERT lacks");
    if (from_ert) {
      if (e.has("source")) e.fail(e.node()["source"], "field 'source' is for entries with energy: the ERT is this one's");
      ert_energy(e, find_table(e, tables, ert_path), ert_path, entry);
    } else {
      if (e.has("ert_action")) e.fail(e.node()["ert_action"], "field 'ert_action' needs ert");
      entry.energy = e.number("energy", 0);
      entry.source = source_or(e, path);
    }
    table.actions.push_back(entry);
  }
  read_statics_and_areas(path, top, table);
  return table;
}

}  // namespace

std::vector<std::string> known_actions() { return priced_table_actions(); }

EnergyTable read_energy_table_file(const std::string& path) {
  const YAML::Node root = load_mapping(path, "energy table file");
  if (root["accelergy_ert"]) return read_ert_map(path, root);
  if (root["ERT"])
    throw_input_error(path, line_of(root),
                      "an Accelergy ERT is read through a map file (accelergy_ert: " + path +
                          ", technology_nm, map): see docs/energy.md");
  return read_systole_table(path, root);
}

}  // namespace systole
