#pragma once
// Prices a run's action counts with an energy table: each action counter of
// a layer (sim/report/counters.hpp) times what one such action costs on this
// hardware. What an action costs is the table's entry scaled to the width it
// moves or computes, the SRAM bank it hits and the technology node
// (sim/energy/energy_scaling.hpp); each priced action carries the text of
// that derivation, so every figure in energy.csv can be traced to its entry.
//
// DRAM: from the part's currents and voltages when the DRAM model has them
// and the table is in pJ (per ACT+PRE, burst, refresh and standby cycle);
// otherwise per byte from the table's dram entries. Static power: from the
// table, per PE and per KiB of buffer, times the layer's time.
//
// Which actions exist, what counter counts each and at what width it is
// priced is declared once, in energy_model.cpp.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/dataflow/dataflow.hpp"
#include "sim/energy/energy_table.hpp"
#include "sim/report/counters.hpp"

namespace systole {

// One priced action of one component, for one layer or a run.
struct EnergyLine {
  std::string component;  // e.g. "rf_psum", "buffer_ifmap", "dram"
  std::string action;     // e.g. "read", "activate", "static"
  std::int64_t count = 0;
  std::string count_unit;  // what `count` counts: values, accesses, bytes, cycles, ...
  double per_action = 0;   // in the table's unit
  double energy = 0;       // count × per_action
  bool background = false;  // static power or DRAM standby, not an action
  std::string entry;  // the table entry and the scaling that gave per_action
};

struct LayerEnergy {
  std::vector<EnergyLine> lines;
  double dynamic() const;
  double background() const;
  double total() const { return dynamic() + background(); }
};

// The chip's area, component by component.
struct AreaLine {
  std::string component;
  double count = 0;  // of `unit`
  std::string unit;
  double um2_each = 0;
  double um2 = 0;
  std::string entry;
};

// What one action counted by `counter` costs, in the table's unit. The
// model's energy is linear in the counters: a layer's is the sum of count ×
// per_action over these, with the MACs counter standing for performed ones
// (MACs less gated MACs, see price()).
struct ActionPrice {
  std::string component;
  Counter counter;
  double per_action = 0;
};

class EnergyModel {
 public:
  // Throws InputError (naming the table) when the table lacks an entry
  // this architecture's runs perform, or cannot be used with it. With the
  // DRAM model, the part is arch.dram.
  // The dataflow says what the vertical links carry and what a PE stores.
  EnergyModel(EnergyTable table, const ArchConfig& arch, const Dataflow& dataflow);

  LayerEnergy price(const Counters& counters) const;
  std::vector<ActionPrice> action_prices() const;
  const EnergyTable& table() const { return table_; }
  const std::string& unit() const { return table_.unit; }
  // The node the run is priced at, and the factor from the table's node.
  double technology_nm() const { return technology_nm_; }
  double technology_factor() const { return technology_factor_; }
  // Static power of the whole chip, mW; nullopt when the table gives none.
  std::optional<double> static_milliwatts() const;
  // Every component's area; empty when the table gives none.
  const std::vector<AreaLine>& area() const { return area_; }
  double area_mm2() const;

 private:
  struct PricedAction {
    std::string component, action;
    Counter counter;
    std::string count_unit;
    double per_action = 0;
    bool background = false;
    std::string entry;
  };

  void price_actions(const ArchConfig& arch, LinkPayload vertical_link);
  void price_dram(const ArchConfig& arch);
  void price_static(const ArchConfig& arch);
  void compute_area(const ArchConfig& arch, PeStorage storage);
  const ActionEntry& entry(const std::string& component, const std::string& action) const;

  EnergyTable table_;
  double technology_nm_ = 0;
  double technology_factor_ = 1;
  std::vector<PricedAction> priced_;
  std::vector<AreaLine> area_;
  double clock_period_ns_ = 1;
  std::optional<double> static_milliwatts_;
};

// Every table entry ("component.action") the model may price; table files
// accept these names (sim/energy/energy_table_file.hpp, a test checks).
std::vector<std::string> priced_table_actions();

// The components energy.csv and summary.json break energy down by, in order.
std::vector<std::string> energy_components();

// The levels summary.json also sums energy by, as ISCA 2016 reports it:
// alu (multipliers and adders), rf (PE registers and scratchpads), noc
// (networks and neighbour links), buffer, dram; then vector (the vector
// unit) and static (the chip's static power) outside that hierarchy.
std::vector<std::string> energy_levels();
// The level `component` (one of energy_components()) belongs to.
std::string energy_level(const std::string& component);

}  // namespace systole
