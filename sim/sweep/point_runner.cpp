#include "sim/sweep/point_runner.hpp"

#include <algorithm>
#include <cstdlib>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/report/figures.hpp"
#include "sim/report/report.hpp"
#include "sim/workload/workload_loader.hpp"

namespace systole {

namespace {

// A layers.csv cell as JSON: a number when it is one, else its text; an
// empty cell is null.
nlohmann::json cell_value(const std::string& text) {
  if (text.empty()) return nullptr;
  if (const auto integer = parse_integer(text)) return *integer;
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (*end == '\0') return number;
  return text;
}

nlohmann::json layer_row(const LayerStats& layer, double clock_period_ns) {
  nlohmann::json row = nlohmann::json::object();
  for (const LayerColumn& column : layer_columns()) {
    std::ostringstream cell;
    column.cell(cell, layer, clock_period_ns);
    row[column.doc.name] = column.doc.name == "layer" ? nlohmann::json(layer.name) : cell_value(cell.str());
  }
  return row;
}

}  // namespace

std::vector<std::pair<std::string, nlohmann::json>> summary_figure_values(const nlohmann::json& summary,
                                                                          const std::vector<std::string>& keep) {
  std::vector<std::pair<std::string, nlohmann::json>> values;
  std::set<std::string> seen;
  for (const SummaryFigure& figure : summary_figures()) {
    const std::string& name = figure.doc.name;
    if (!seen.insert(name).second) continue;
    if (!keep.empty() && std::find(keep.begin(), keep.end(), name) == keep.end()) continue;
    std::string pointer = "/" + name;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    const nlohmann::json::json_pointer at(pointer);
    if (summary.contains(at)) values.emplace_back(name, summary.at(at));
  }
  return values;
}

PointRunner::PointRunner(Accelerator& accelerator, const SweepFile& sweep, const std::atomic<bool>* interrupt)
    : accelerator_(accelerator), sweep_(sweep), interrupt_(interrupt) {}

const Workload& PointRunner::workload(std::size_t index) {
  auto found = workloads_.find(index);
  if (found != workloads_.end()) return found->second;
  WorkloadOptions options;
  options.batch = sweep_.workloads[index].batch;
  return workloads_.emplace(index, load_workload(sweep_.workloads[index].path, options)).first->second;
}

const EnergyTable& PointRunner::table(const std::string& name) {
  auto found = tables_.find(name);
  if (found == tables_.end()) found = tables_.emplace(name, load_energy_table(name)).first;
  return found->second;
}

std::optional<StoredRun> PointRunner::run(const SweepRun& run) {
  StoredRun stored;
  stored.hash = run.hash;
  stored.point = run.point;
  stored.workload = sweep_.workloads[run.workload].path;
  stored.axes = nlohmann::json::object();
  for (std::size_t a = 0; a < sweep_.axes.size(); ++a) stored.axes[sweep_.axes[a].key] = run.values[a];
  stored.config = to_json(run.arch);
  try {
    const ArchConfig& arch = run.arch;
    validate(arch, "the point");
    const Workload& work = workload(run.workload);
    stored.batch = work.layers.empty() ? 0 : work.layers.front().batch;
    for (const Layer& layer : work.layers) {
      check_operand_files(layer, arch.array.data_type);
      if (!find_dataflow(arch.dataflow)->runs_timing_only() &&
          (!sweep_.compute || functional_bytes(layer, arch.array.data_type) > RunOptions{}.compute_limit_bytes))
        throw InputError("layer '" + layer.name + "': the " + arch.dataflow +
                         " dataflow cannot run it timing-only (compute: off, or operands beyond the compute limit)");
    }
    if (const std::string problem = sparsity_problem(sweep_.parsed_sparsity, arch.array.data_type); !problem.empty())
      throw InputError("sparsity: " + problem);
    if (const std::string problem = memory_problem(arch, work); !problem.empty()) throw InputError(problem);
    std::optional<EnergyModel> energy;
    if (arch.energy_table != "none")
      energy.emplace(table(arch.energy_table), arch, *find_dataflow(arch.dataflow));

    RunOptions options;
    options.seed = sweep_.seed;
    options.compute = sweep_.compute;
    options.sparsity = sweep_.parsed_sparsity;
    options.interrupt = interrupt_;
    Simulator simulator(accelerator_, arch, options);
    const RunResult result = simulator.run(work);
    simulation_seconds_ += result.wall_seconds;
    if (result.interrupted) return std::nullopt;

    const RunDescription description{&arch, &work, options.seed, options.sparsity, options.verify, 1,
                                     energy ? &*energy : nullptr};
    stored.summary = summary_json(description, result);
    stored.batch = result.batch;
    stored.figures = summary_figure_values(stored.summary, sweep_.figures);
    for (const LayerStats& layer : result.layers) stored.layers.push_back(layer_row(layer, arch.clock_period_ns()));
    stored.status = "completed";
  } catch (const std::exception& e) {
    if (interrupt_ && *interrupt_) return std::nullopt;
    stored.status = "failed";
    stored.error = printable(e.what());
    stored.summary = nullptr;
    stored.figures.clear();
    stored.layers.clear();
  }
  return stored;
}

}  // namespace systole
