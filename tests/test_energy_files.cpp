// Energy table files: Systole's own YAML table and Accelergy ERTs read through
// a name map (docs/energy.md, "Energy table files"). Every malformed input is
// refused with one line naming the file, the line and the entry; expected
// values come from the fixtures in tests/data/energy, read by hand.

#include <algorithm>
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/config/input_error.hpp"
#include "sim/energy/energy_table_file.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
using Catch::Contains;

namespace {

const std::string kData = std::string(SYSTOLE_SOURCE_DIR) + "/tests/data/energy";

std::string normal(const std::string& path) { return std::filesystem::path(path).lexically_normal().string(); }

// The error reading `path`, which must be one line starting with the path;
// returns the rest (":line: entry: problem").
std::string error_of(const std::string& path) {
  try {
    read_energy_table_file(path);
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(path, 0) == 0);
    CHECK(message.find('\n') == std::string::npos);
    return message.rfind(path, 0) == 0 ? message.substr(path.size()) : message;
  }
  FAIL("no error for " << path << ":\n" << read_file(path));
  return {};
}

std::string table_error(const std::string& text) {
  const std::string path = make_temp_dir() + "/table.yaml";
  write_file(path, text);
  return error_of(path);
}

// A table whose fifth line is `entry`.
std::string with_entry(const std::string& entry) {
  return "unit: pJ\n"
         "technology_nm: 45\n"
         "actions:\n"
         "  - {component: multiplier, action: multiply, energy: 0.2, width_bits: 8, scaling: product}\n" +
         entry + "\n";
}

// A map onto the v0.3 fixture whose third line is `entry`.
std::string map_with(const std::string& entry) {
  return "accelergy_ert: " + kData + "/accelergy/ERT.yaml\n" +
         "map:\n" + entry + "\ntechnology_nm: 45\n";
}

// The entries by name, looked up here rather than with EnergyTable's own
// finders: the reader is tested on its own.
const ActionEntry* find_action(const EnergyTable& table, const std::string& component, const std::string& name) {
  for (const ActionEntry& entry : table.actions)
    if (entry.component == component && entry.action == name) return &entry;
  return nullptr;
}

const ActionEntry& action(const EnergyTable& table, const std::string& component, const std::string& name) {
  const ActionEntry* entry = find_action(table, component, name);
  REQUIRE(entry != nullptr);
  return *entry;
}

template <typename Entry>
const Entry& entry_for(const std::vector<Entry>& entries, const std::string& name) {
  const Entry* found = nullptr;
  for (const Entry& entry : entries)
    if (entry.component == name) found = &entry;
  REQUIRE(found != nullptr);
  return *found;
}

}  // namespace

TEST_CASE("a Systole energy table loads with every field", "[energy]") {
  const std::string path = make_temp_dir() + "/horowitz-45.yaml";
  write_file(path,
             "unit: pJ\n"
             "technology_nm: 45\n"
             "source: \"M. Horowitz, ISSCC 2014\"\n"
             "actions:\n"
             "  - component: multiplier\n"
             "    action: multiply\n"
             "    energy: 0.2\n"
             "    width_bits: 8\n"
             "    scaling: product\n"
             "    source: \"Horowitz ISSCC 2014, 8-bit multiply\"\n"
             "  - {component: adder, action: add, energy: 0.03, width_bits: 8}\n"
             "  - {component: buffer, action: read, energy: 10, width_bits: 64, capacity_bytes: 8192, scaling: linear}\n"
             "  - {component: register, action: read, energy: 1.5e-2, width_bits: 0, scaling: None}\n"
             "static:\n"
             "  - {component: pe, milliwatts: 0.05, source: assumed}\n"
             "  - {component: buffer, milliwatts: 0.3}\n"
             "area:\n"
             "  - {component: multiplier, um2: 282, width_bits: 8, scaling: product}\n"
             "  - {component: sram_byte, um2: 12.7}\n");
  const EnergyTable table = read_energy_table_file(path);
  CHECK(table.name == "horowitz-45");  // the file's name
  CHECK(table.unit == "pJ");
  CHECK(table.absolute());
  CHECK(table.technology_nm == 45);
  CHECK(table.source == "M. Horowitz, ISSCC 2014");
  REQUIRE(table.actions.size() == 4);

  const ActionEntry& multiply = action(table, "multiplier", "multiply");
  CHECK(multiply.energy == 0.2);
  CHECK(multiply.width_bits == 8);
  CHECK(multiply.scaling == WidthScaling::Product);
  CHECK(multiply.capacity_bytes == 0);
  CHECK(multiply.source == "Horowitz ISSCC 2014, 8-bit multiply");

  const ActionEntry& add = action(table, "adder", "add");
  CHECK(add.energy == 0.03);
  CHECK(add.scaling == WidthScaling::Linear);  // the default
  CHECK(add.source == path + ":11");           // where the number is

  const ActionEntry& read = action(table, "buffer", "read");
  CHECK(read.energy == 10);
  CHECK(read.width_bits == 64);
  CHECK(read.capacity_bytes == 8192);
  CHECK(read.source == path + ":12");

  const ActionEntry& reg = action(table, "register", "read");
  CHECK(reg.energy == 0.015);
  CHECK(reg.width_bits == 0);
  CHECK(reg.scaling == WidthScaling::None);

  REQUIRE(table.statics.size() == 2);
  CHECK(entry_for(table.statics, "pe").milliwatts == 0.05);
  CHECK(entry_for(table.statics, "pe").source == "assumed");
  CHECK(entry_for(table.statics, "buffer").milliwatts == 0.3);
  CHECK(entry_for(table.statics, "buffer").source == path + ":16");

  REQUIRE(table.areas.size() == 2);
  CHECK(entry_for(table.areas, "multiplier").um2 == 282);
  CHECK(entry_for(table.areas, "multiplier").width_bits == 8);
  CHECK(entry_for(table.areas, "multiplier").scaling == WidthScaling::Product);
  CHECK(entry_for(table.areas, "sram_byte").um2 == 12.7);
  CHECK(entry_for(table.areas, "sram_byte").width_bits == 0);
  CHECK(entry_for(table.areas, "sram_byte").scaling == WidthScaling::None);
  CHECK(entry_for(table.areas, "sram_byte").source == path + ":19");
}

TEST_CASE("a table may name itself and use a normalised unit", "[energy]") {
  const std::string path = make_temp_dir() + "/t.yaml";
  const std::string text = "name: eyeriss-isca\nunit: MAC\ntechnology_nm: 65\nactions:\n"
                           "  - {component: dram, action: read, energy: 200, width_bits: 16}\n";
  write_file(path, text);
  const EnergyTable table = read_energy_table_file(path);
  CHECK(table.name == "eyeriss-isca");
  CHECK(table.unit == "MAC");
  CHECK_FALSE(table.absolute());
  CHECK(table.source == path);
  CHECK(table.statics.empty());
  CHECK(table.areas.empty());
  // Power cannot add to energies relative to a MAC.
  CHECK_THAT(table_error(text + "static:\n  - {component: pe, milliwatts: 0.1}\n"),
             Contains(":7: static entry pe: static power needs a table in pJ, not MAC"));
}

TEST_CASE("malformed table entries name the file, the line and the entry", "[energy]") {
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, width_bits: 8}")),
             Contains(":5: actions entry adder.add: missing field 'energy'"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03}")),
             Contains(":5: actions entry adder.add: missing field 'width_bits'"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: [1, 2], width_bits: 8}")),
             Contains(":5: actions entry adder.add: field 'energy' must be a number"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: cheap, width_bits: 8}")),
             Contains(":5: actions entry adder.add: field 'energy' is 'cheap', not a number"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: -0.03, width_bits: 8}")),
             Contains(":5: actions entry adder.add: field 'energy' must be at least 0, got -0.03"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: .nan, width_bits: 8}")),
             Contains(":5: actions entry adder.add: field 'energy' is '.nan', not a finite number"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: .inf, width_bits: 8}")),
             Contains(":5: actions entry adder.add: field 'energy' is '.inf', not a finite number"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: eight}")),
             Contains(":5: actions entry adder.add: field 'width_bits' is 'eight', not an integer"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: -8}")),
             Contains(":5: actions entry adder.add: field 'width_bits' must be at least 0, got -8"));
  CHECK_THAT(
      table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: 8, scaling: square}")),
      Contains(":5: actions entry adder.add: field 'scaling' is 'square', expected none, linear or product"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: 0}")),
             Contains(":5: actions entry adder.add: width_bits is 0 but scaling is linear"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: 8, "
                                    "capacity_bytes: -1}")),
             Contains(":5: actions entry adder.add: field 'capacity_bytes' must be at least 0, got -1"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, widht_bits: 8}")),
             Contains(":5: actions entry 2: unknown field 'widht_bits' (expected component, action, energy, "
                      "width_bits, scaling, capacity_bytes, source)"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: 8, energy: 1}")),
             Contains(":5: actions entry 2: field 'energy' is given twice"));
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: add, energy: 0.03, width_bits: 8, source: ''}")),
             Contains(":5: actions entry adder.add: field 'source' is empty"));
  CHECK_THAT(table_error(with_entry("  - {action: add, energy: 0.03, width_bits: 8}")),
             Contains(":5: actions entry 2: missing field 'component'"));
  CHECK_THAT(table_error(with_entry("  - adder.add")), Contains(":5: actions entry 2: must be a mapping"));
}

TEST_CASE("names Systole does not price and repeated entries are refused", "[energy]") {
  const std::string known = "(known: " + [] {
    std::string list;
    for (const std::string& name : known_actions()) list += (list.empty() ? "" : ", ") + name;
    return list;
  }() + ")";
  CHECK_THAT(table_error(with_entry("  - {component: adder, action: addd, energy: 0.03, width_bits: 8}")),
             Contains(":5: actions entry adder.addd: 'adder.addd' is not an action Systole prices " + known));
  CHECK_THAT(table_error(with_entry("  - {component: multipler, action: gated, energy: 0.03, width_bits: 8}")),
             Contains(":5: actions entry multipler.gated: 'multipler.gated' is not an action Systole prices"));
  CHECK_THAT(table_error(with_entry("  - {component: multiplier, action: multiply, energy: 0.3, width_bits: 8}")),
             Contains(":5: actions entry multiplier.multiply: given twice (first at line 4)"));
  CHECK_THAT(table_error(with_entry("static:\n  - {component: array, milliwatts: 1}")),
             Contains(":6: static entry array: unknown component 'array' (known: pe, buffer)"));
  CHECK_THAT(table_error(with_entry("static:\n  - {component: pe, milliwatts: 1}\n  - {component: pe, milliwatts: 2}")),
             Contains(":7: static entry pe: given twice (first at line 6)"));
  CHECK_THAT(table_error(with_entry("static:\n  - {component: pe, milliwatts: -1}")),
             Contains(":6: static entry pe: field 'milliwatts' must be at least 0, got -1"));
  CHECK_THAT(table_error(with_entry("area:\n  - {component: sram, um2: 1}")),
             Contains(":6: area entry sram: unknown component 'sram' (known: multiplier, adder, fp_multiplier, fp_adder, sram_byte, register_bit)"));
  CHECK_THAT(table_error(with_entry("area:\n  - {component: multiplier, um2: 282, scaling: product}")),
             Contains(":6: area entry multiplier: width_bits is 0 but scaling is product"));
  CHECK_THAT(table_error(with_entry("area:\n  - {component: pe, um2: 20000}")),
             Contains(":6: area entry pe: unknown component 'pe'"));
  std::vector<std::string> priced = known_actions();
  std::sort(priced.begin(), priced.end());
  CHECK(priced == std::vector<std::string>{"adder.add", "adder.gated", "buffer.read", "buffer.write", "dram.read",
                                          "dram.write", "fp_adder.add", "fp_adder.gated", "fp_multiplier.gated",
                                          "fp_multiplier.multiply", "link.hop", "multiplier.gated",
                                          "multiplier.multiply", "noc.transfer", "register.read", "register.write",
                                          "vector.operation"});
}

TEST_CASE("malformed tables and files name the file and the line", "[energy]") {
  const std::string entry = "  - {component: adder, action: add, energy: 0.03, width_bits: 8}\n";
  CHECK_THAT(table_error("technology_nm: 45\nactions:\n" + entry),
             Contains(":1: energy table: missing field 'unit'"));
  CHECK_THAT(table_error("unit: pj\ntechnology_nm: 45\nactions:\n" + entry),
             Contains(":1: energy table: unit 'pj': absolute energies must be in pJ, written pJ"));
  CHECK_THAT(table_error("unit: nJ\ntechnology_nm: 45\nactions:\n" + entry),
             Contains(":1: energy table: unit 'nJ': absolute energies must be in pJ"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: 0\nactions:\n" + entry),
             Contains(":2: energy table: field 'technology_nm' must be more than 0, got 0"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: -45\nactions:\n" + entry),
             Contains(":2: energy table: field 'technology_nm' must be more than 0, got -45"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: 45\nactions: []\n"),
             Contains(":3: energy table: field 'actions' is an empty list"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: 45\nactions:\n  adder: 0.03\n"),
             Contains(":4: energy table: field 'actions' must be a list"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: 45\ntechnology: 45\nactions:\n" + entry),
             Contains(":3: energy table: unknown field 'technology' (expected name, unit, technology_nm, source, "
                      "actions, static, area)"));
  CHECK_THAT(table_error("unit: pJ\ntechnology_nm: 45\nactions:\n  - {component: adder, action: add\n"),
             Contains(":5: not valid YAML"));
  CHECK(table_error("") == ": energy table file is empty");
  CHECK(table_error("# nothing yet\n\n") == ": energy table file is empty");
  CHECK(table_error("- unit: pJ\n") == ":1: energy table file must be a mapping of keys to values");
  CHECK(table_error("unit: pJ\ntechnology_nm: 45\nsource: \"caf\xe9\"\nactions:\n" + entry) == ":3: not UTF-8 text");
  CHECK(error_of(make_temp_dir() + "/missing.yaml") == ": cannot open energy table file");
  CHECK(error_of(make_temp_dir()) == ": is a directory, not a file");
  CHECK_THAT(error_of(kData + "/accelergy/ERT.yaml"), Contains(": an Accelergy ERT is read through a map file"));
}

TEST_CASE("an Accelergy ERT through a name map: values, suffix matches and the max rule", "[energy]") {
  const std::string map = kData + "/accelergy_map.yaml";
  const std::string ert = normal(kData + "/accelergy/ERT.yaml");  // relative to the map, not to the run
  const EnergyTable table = read_energy_table_file(map);
  CHECK(table.name == "accelergy_map");
  CHECK(table.unit == "pJ");
  CHECK(table.technology_nm == 45);
  CHECK_THAT(table.source, Contains(ert));
  REQUIRE(table.actions.size() == 9);

  // PE.mac and PE[0..255].mac both find system.chip.PE[0..255].mac, not the
  // vector unit's mac.
  const ActionEntry& multiply = action(table, "multiplier", "multiply");
  CHECK(multiply.energy == 1.85);
  CHECK(multiply.width_bits == 16);
  CHECK(multiply.scaling == WidthScaling::Product);
  CHECK(multiply.source == ert + ":52: system.chip.PE[0..255].mac mac_random");
  CHECK(action(table, "multiplier", "gated").energy == 0.09);
  CHECK(action(table, "register", "read").energy == 0.009);
  CHECK(action(table, "register", "read").scaling == WidthScaling::Linear);

  // Three reads with different address and data deltas: the largest, 21.25
  // pJ for a 64-bit block (2.65625 pJ a byte once scaled).
  const ActionEntry& read = action(table, "buffer", "read");
  CHECK(read.energy == 21.25);
  CHECK(read.width_bits == 64);
  CHECK(read.capacity_bytes == 65536);
  CHECK(read.source == ert + ":22: system.chip.shared_glb read, max of 3 entries");
  const ActionEntry& write = action(table, "buffer", "write");
  CHECK(write.energy == 19.75);
  CHECK(write.source == ert + ":37: system.chip.shared_glb write, max of 2 entries");

  CHECK(action(table, "dram", "read").energy == 512);
  CHECK(action(table, "dram", "read").source == ert + ":6: system.DRAM read");
  CHECK(action(table, "dram", "write").source == ert + ":9: system.DRAM write");

  // Entries the ERT lacks, given in the map.
  CHECK(action(table, "adder", "add").energy == 0);
  CHECK(action(table, "adder", "add").source == "in PE.mac mac_random");
  CHECK(action(table, "link", "hop").energy == 0.04);
  CHECK(action(table, "link", "hop").source == map + ":14");
  CHECK(entry_for(table.statics, "pe").milliwatts == 0.02);
  CHECK(find_action(table, "vector", "operation") == nullptr);  // missing: the energy model's to report
}

TEST_CASE("an ERT path is relative to the map file", "[energy]") {
  const std::string dir = make_temp_dir();
  std::filesystem::create_directories(dir + "/maps");
  std::filesystem::create_directories(dir + "/erts");
  std::filesystem::copy_file(kData + "/accelergy/ERT.yaml", dir + "/erts/ERT.yaml");
  write_file(dir + "/maps/chip.yaml",
             "accelergy_ert: ../erts/ERT.yaml\ntechnology_nm: 28\nmap:\n"
             "  - {component: dram, action: read, ert: DRAM, ert_action: read, width_bits: 64}\n");
  const EnergyTable table = read_energy_table_file(dir + "/maps/chip.yaml");
  CHECK(table.technology_nm == 28);
  CHECK(action(table, "dram", "read").source == normal(dir + "/erts/ERT.yaml") + ":6: system.DRAM read");
  CHECK_THAT(error_of(dir + "/chip.yaml"), Contains(": cannot open energy table file"));
  write_file(dir + "/chip.yaml", "accelergy_ert: ERT.yaml\ntechnology_nm: 28\nmap:\n"
                                 "  - {component: dram, action: read, ert: DRAM, ert_action: read, width_bits: 64}\n");
  CHECK(error_of(dir + "/chip.yaml") == ":1: ERT map: field 'accelergy_ert': no file " + normal(dir + "/ERT.yaml"));
}

TEST_CASE("version 0.2 ERTs map each table name to its actions", "[energy]") {
  const std::string dir = make_temp_dir();
  const std::string ert = normal(kData + "/accelergy_v02/ERT.yaml");
  write_file(dir + "/map.yaml",
             "accelergy_ert: " + ert + "\ntechnology_nm: 65\nmap:\n"
             "  - {component: buffer, action: read, ert: GLB, ert_action: read, width_bits: 16}\n"
             "  - {component: multiplier, action: multiply, ert: PE.MAC, ert_action: mac_random, width_bits: 16, "
             "scaling: product}\n");
  const EnergyTable table = read_energy_table_file(dir + "/map.yaml");
  CHECK(action(table, "buffer", "read").energy == 3.5);
  CHECK(action(table, "buffer", "read").source == ert + ":20: tiny.GLB read, max of 4 entries");
  CHECK(action(table, "multiplier", "multiply").energy == 1.25);
  CHECK(action(table, "multiplier", "multiply").source == ert + ":29: tiny.PE.MAC mac_random");
}

TEST_CASE("ERT map errors name the map entry, or the ERT's line", "[energy]") {
  const std::string ert = normal(kData + "/accelergy/ERT.yaml");
  const std::string entry = "  - {component: multiplier, action: multiply, width_bits: 16, scaling: product, ";
  CHECK_THAT(table_error(map_with(entry + "ert: mac, ert_action: mac_random}")),
             Contains(":3: map entry multiplier.multiply: ert 'mac' matches 2 tables of " + ert +
                      " (system.chip.PE[0..255].mac, system.chip.vector_unit[0..15].mac): give more of the name"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mca, ert_action: mac_random}")),
             Contains(":3: map entry multiplier.multiply: ert 'PE.mca' names no table of " + ert +
                      " (tables: system.DRAM, system.chip.shared_glb, system.chip.PE[0..255].weights_reg, "
                      "system.chip.PE[0..255].mac, system.chip.vector_unit[0..15].mac)"));
  // Whole names only: glb is not shared_glb.
  CHECK_THAT(table_error(map_with(entry + "ert: glb, ert_action: read}")),
             Contains(":3: map entry multiplier.multiply: ert 'glb' names no table"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mac, ert_action: mac}")),
             Contains(":3: map entry multiplier.multiply: ERT table system.chip.PE[0..255].mac has no action 'mac' "
                      "(actions: mac_random, mac_reused, mac_gated, idle)"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mac, ert_action: mac_random, energy: 2}")),
             Contains(":3: map entry multiplier.multiply: give ert or energy, not both"));
  CHECK_THAT(table_error(map_with(entry + "ert_action: mac_random}")),
             Contains(":3: map entry multiplier.multiply: missing field 'ert' (with ert_action), or 'energy'"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mac, ert_action: mac_random, source: me}")),
             Contains(":3: map entry multiplier.multiply: field 'source' is for entries with energy"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mac, ert_actoin: mac_random}")),
             Contains(":3: map entry 1: unknown field 'ert_actoin' (expected component, action, ert, ert_action, "
                      "energy, source, width_bits, scaling, capacity_bytes)"));
  CHECK_THAT(table_error(map_with("  - {component: multiplier, action: multiply, ert: PE.mac, ert_action: mac_random}")),
             Contains(":3: map entry multiplier.multiply: missing field 'width_bits'"));
  CHECK_THAT(table_error(map_with("  - {component: multiplier, action: mac, ert: PE.mac, ert_action: mac_random, "
                                  "width_bits: 16}")),
             Contains(":3: map entry multiplier.mac: 'multiplier.mac' is not an action Systole prices"));
  CHECK_THAT(table_error(map_with(entry + "ert: PE.mac, ert_action: mac_random}\nunit: pJ")),
             Contains(":4: ERT map: unknown field 'unit'"));
}

TEST_CASE("a malformed ERT is reported at its own line", "[energy]") {
  const std::string dir = make_temp_dir();
  const std::string map = "accelergy_ert: ERT.yaml\ntechnology_nm: 45\nmap:\n"
                          "  - {component: dram, action: read, ert: DRAM, ert_action: read, width_bits: 64}\n";
  write_file(dir + "/map.yaml", map);
  const auto ert_error = [&](const std::string& text) {
    write_file(dir + "/ERT.yaml", text);
    try {
      read_energy_table_file(dir + "/map.yaml");
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    FAIL("no error for ERT:\n" << text);
    return std::string();
  };
  const std::string ert = dir + "/ERT.yaml";
  const std::string head = "ERT:\n  version: 0.3\n  tables:\n  - name: system.DRAM\n    actions:\n";
  CHECK(ert_error(head + "    - name: read\n      arguments: null\n      energy: -512\n") ==
        ert + ":8: ERT table system.DRAM, action read: field 'energy' must be at least 0, got -512");
  CHECK(ert_error(head + "    - name: read\n      arguments: null\n") ==
        ert + ":6: ERT table system.DRAM, action read: missing field 'energy'");
  CHECK(ert_error(head + "    - name: read\n      arguments: 3\n      energy: 512\n") ==
        ert + ":7: ERT table system.DRAM, action read: field 'arguments' must be a mapping or null");
  CHECK(ert_error(head + "    - name: read\n      energy: [512\n").rfind(ert + ":8: not valid YAML", 0) == 0);
  CHECK(ert_error("tables: []\n") == ert + ":1: not an Accelergy ERT: expected ERT: with tables:");
  CHECK(ert_error("ERT:\n  tables: 3\n") ==
        ert + ":2: ERT tables must be a list (version 0.3 and later) or a mapping (version 0.2)");
  CHECK(ert_error("") == ert + ": ERT file is empty");
}

TEST_CASE("the examples of docs/energy.md load, and it lists every known action", "[energy]") {
  // Each ```yaml block of the document whose first line is "# file: NAME" is
  // written to NAME in one directory, and each table file there is read.
  const std::string doc = read_file(std::string(SYSTOLE_SOURCE_DIR) + "/docs/energy.md");
  REQUIRE(!doc.empty());
  const std::string dir = make_temp_dir();
  std::vector<std::string> files;
  const std::string open = "```yaml\n# file: ";
  for (std::size_t at = doc.find(open); at != std::string::npos; at = doc.find(open, at + 1)) {
    const std::size_t name = at + open.size();
    const std::size_t body = doc.find('\n', name) + 1;
    const std::size_t end = doc.find("```\n", body);
    REQUIRE(end != std::string::npos);
    files.push_back(doc.substr(name, body - 1 - name));
    write_file(dir + "/" + files.back(), doc.substr(at + 8, end - (at + 8)));
  }
  CHECK(files == std::vector<std::string>{"my-table.yaml", "ERT.yaml", "my-accelerator.yaml"});
  const EnergyTable own = read_energy_table_file(dir + "/my-table.yaml");
  CHECK(own.actions.size() == known_actions().size());
  const EnergyTable mapped = read_energy_table_file(dir + "/my-accelerator.yaml");
  CHECK(mapped.actions.size() == known_actions().size());
  CHECK_THAT(action(mapped, "buffer", "read").source, Contains("max of 3 entries"));
  for (const std::string& name : known_actions()) {
    INFO(name);
    CHECK(doc.find("`" + name + "`") != std::string::npos);
  }
}
