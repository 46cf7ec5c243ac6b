#pragma once
// An energy table: what one action of each hardware component costs, the
// static power each component draws, and the area it takes, with the width,
// capacity and technology node each entry refers to and where it came from.
//
// Tables are chosen by name (built in: sim/energy/builtin_tables.hpp) or
// read from a file (sim/energy/energy_table_file.hpp: Systole's YAML, or an
// Accelergy ERT). sim/energy/energy_model.hpp prices a run's action counts
// with one, scaling each entry to the width and capacity the run has by the
// rules of sim/energy/energy_scaling.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace systole {

// How an entry's energy (or area) follows the width of what the action moves
// or computes: not at all, linearly in the bits (adders, storage, wires), or
// with the product of two operand widths (multipliers).
enum class WidthScaling { None, Linear, Product };

std::string to_string(WidthScaling scaling);

// One action of one component: `energy` in the table's unit per action on
// `width_bits`-wide data.
struct ActionEntry {
  std::string component;  // e.g. "multiplier", "register", "buffer", "dram"
  std::string action;     // e.g. "multiply", "read"
  double energy = 0;
  int width_bits = 0;  // 0: the entry does not depend on width
  WidthScaling scaling = WidthScaling::Linear;
  // SRAM entries: the capacity of the bank one access hits, in bytes; 0 when
  // the entry does not depend on capacity.
  std::int64_t capacity_bytes = 0;
  std::string source;  // a publication, or "file:line"
};

// Power drawn whether or not the component works (leakage, clock tree), per
// unit of it: per PE, per KiB of buffer.
struct StaticEntry {
  std::string component;  // "pe" or "buffer"
  double milliwatts = 0;  // per PE, or per KiB of buffer
  std::string source;
};

// Silicon area per unit: per multiplier and per adder (at `width_bits`),
// per byte of SRAM, per bit of register.
struct AreaEntry {
  std::string component;  // "multiplier", "adder", "fp_multiplier", "fp_adder", "sram_byte", "register_bit"
  double um2 = 0;
  int width_bits = 0;
  WidthScaling scaling = WidthScaling::None;
  std::string source;
};

struct EnergyTable {
  std::string name;
  std::string unit = "pJ";  // of every action entry: "pJ" or a normalised unit
  double technology_nm = 0;
  std::string source;  // the publication or the file it came from
  std::vector<ActionEntry> actions;
  std::vector<StaticEntry> statics;  // empty: the table gives no static power
  std::vector<AreaEntry> areas;      // empty: the table gives no area

  // Energies in pJ (static power and energy-delay products need an absolute
  // unit); false for a normalised table.
  bool absolute() const { return unit == "pJ"; }
  const ActionEntry* find_action(const std::string& component, const std::string& action) const;
  const StaticEntry* find_static(const std::string& component) const;
  const AreaEntry* find_area(const std::string& component) const;
};

// The table `name_or_file` names: a built-in table, or a YAML file (either
// format). Throws InputError naming the file, line and entry on a malformed
// table, and std::invalid_argument for an unknown name.
EnergyTable load_energy_table(const std::string& name_or_file);

}  // namespace systole
