#pragma once
// The run's reports: layers.csv and summary.json for machines, a table on
// stdout for people. docs/outputs.md defines every column and its unit.

#include <cstdint>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/config/arch_config.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/workload/operand_source.hpp"
#include "sim/report/layer_stats.hpp"
#include "sim/workload/workload.hpp"

namespace systole {

struct RunDescription {
  const ArchConfig* arch = nullptr;
  const Workload* workload = nullptr;
  std::uint64_t seed = 1;
  OperandSparsity sparsity;
  bool verify = false;
  std::int64_t sample_window = 1;
  const EnergyModel* energy = nullptr;  // how the run is priced; null: energy off
};

void write_layers_csv(std::ostream& out, const RunResult& result, double clock_period_ns);
nlohmann::json summary_json(const RunDescription& run, const RunResult& result);
void print_summary_table(std::ostream& out, const RunDescription& run, const RunResult& result);

}  // namespace systole
