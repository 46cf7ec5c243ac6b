#pragma once
// The figures each report shows, in the order it shows them, each declared
// once with its name, unit, meaning and how it is computed: the columns of
// layers.csv, the figures of summary.json, and the columns of
// utilization.csv and aggregate signals of the VCD. The writers
// (sim/report/report.hpp, utilization_log.hpp, vcd_tracer.hpp) only walk
// these lists, and docs/outputs.md's tables are generated from them
// (markdown_table; a test compares the two).
//
// A per-layer counter's name, unit and meaning come from its declaration in
// sim/report/counters.hpp; derived figures declare their own here.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/cycle_totals.hpp"
#include "models/execution.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/power_group.hpp"
#include "sim/report/layer_stats.hpp"

namespace systole {

// A figure as the docs list it.
struct FigureDoc {
  std::string name;
  std::string unit;
  std::string meaning;
};
// A markdown table of `figures` (column, unit, meaning), as docs/outputs.md
// holds it.
std::string markdown_table(const std::vector<FigureDoc>& figures, std::string_view first_header);

// The generated tables of docs/outputs.md, by the name that marks each
// there (`<!-- generated: NAME -->`): layers.csv, summary.json,
// utilization.csv, vcd. `systole figures` prints them.
struct GeneratedTable {
  std::string name;
  std::string markdown;
};
std::vector<GeneratedTable> generated_tables();

// ---- layers.csv: one row per layer ----
struct LayerColumn {
  FigureDoc doc;
  // Writes the cell of a layer; `clock_period_ns` converts cycles to time.
  std::function<void(std::ostream& out, const LayerStats& layer, double clock_period_ns)> cell;
  // Whether a run's layers.csv has the column (null: always).
  std::function<bool(const RunResult& result)> shown = nullptr;
};
const std::vector<LayerColumn>& layer_columns();
// Whether some layer of `result` reports its mapping (row stationary).
bool reports_mapping(const RunResult& result);

// ---- summary.json ----
// MACs / (PEs × cycles) over the whole run.
double run_utilization(const ArchConfig& arch, const RunResult& result);

// What a summary figure is computed from.
struct RunSummary {
  const ArchConfig& arch;
  const RunResult& result;
  Counters totals;  // every layer's counters combined
  double time_ns = 0;
  // The run's pricing (null: energy off), every layer's energy together,
  // and the highest layer average power (mW; pJ tables).
  const EnergyModel* energy = nullptr;
  LayerEnergy energy_total;
  double peak_layer_milliwatts = 0;
};
struct SummaryFigure {
  FigureDoc doc;  // name: the figure's path in the file, e.g. "totals.cycles"
  // When the figure is in the file (null: always).
  std::function<bool(const RunSummary&)> shown;
  // Its value, a JSON number of the type the file holds.
  std::function<nlohmann::json(const RunSummary&)> value;
  // The unit the file gives when it depends on the run (energy figures are
  // in the table's unit); null: doc.unit.
  std::function<std::string(const RunSummary&)> run_unit = nullptr;
};
const std::vector<SummaryFigure>& summary_figures();

// ---- utilization.csv and the VCD: per cycle ----
// A window of cycles (one cycle for the VCD) and what they did
// (models/cycle_totals.hpp).
struct CycleWindow {
  std::int64_t first_cycle = 0;
  std::int64_t cycles = 0;
  int layer = 0;
  CycleTotals sums;
  // Its energy by part (in pJ) and which parts are priced per cycle; null
  // without power figures (energy off, or a table not in pJ).
  const GroupEnergy* energy = nullptr;
  const PricedGroups* priced = nullptr;
};

// Power figures per cycle (VCD) or window (utilization.csv): the chip's
// total, then each part's. A figure is empty when its energy is not priced
// per cycle (the total: when any part's is not).
struct PowerFigure {
  FigureDoc doc;  // name: the utilization.csv column; the VCD's signal is power.<part>_mw
  int group = -1;  // PowerGroup, or -1 for the total
  std::optional<double> milliwatts(const GroupEnergy& energy, const PricedGroups& priced,
                                   double nanoseconds) const;
};
const std::vector<PowerFigure>& power_figures();
struct CycleFigure {
  FigureDoc doc;  // name: the VCD signal
  int bits = 32;  // of the VCD signal
  std::uint64_t (*value)(const CycleTotals& totals);
};
// The aggregate signals the VCD traces every cycle, in its order.
const std::vector<CycleFigure>& cycle_figures();
struct UtilizationColumn {
  FigureDoc doc;
  std::function<void(std::ostream& out, const CycleWindow& window, long long pe_count, double clock_period_ns)>
      cell;
};
const std::vector<UtilizationColumn>& utilization_columns();

}  // namespace systole
