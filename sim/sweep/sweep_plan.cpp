#include "sim/sweep/sweep_plan.hpp"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/energy_table.hpp"
#include "sim/sweep/axis_expansion.hpp"
#include "sim/sweep/constraint.hpp"
#include "sim/sweep/point_hash.hpp"

namespace systole {

namespace {

std::optional<ConstraintValue> as_value(const std::string& text) {
  char* end = nullptr;
  const double number = std::strtod(text.c_str(), &end);
  if (!text.empty() && *end == '\0') return number;
  return text;
}

// The chip's area before it runs, from the energy table's area entries;
// nothing when the table has none or the point is not a valid architecture
// (it then fails when it runs, and says why).
std::optional<double> pre_run_area(const ArchConfig& arch, std::map<std::string, EnergyTable>& tables) {
  if (arch.energy_table == "none") return std::nullopt;
  try {
    validate(arch, "the point");
    auto table = tables.find(arch.energy_table);
    if (table == tables.end()) table = tables.emplace(arch.energy_table, load_energy_table(arch.energy_table)).first;
    const Dataflow* dataflow = find_dataflow(arch.dataflow);
    if (dataflow == nullptr) return std::nullopt;
    const EnergyModel model(table->second, arch, *dataflow);
    if (model.area().empty()) return std::nullopt;
    return model.area_mm2();
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

ArchConfig point_arch(const SweepFile& sweep, const ArchConfig& base, const std::vector<std::string>& values) {
  ArchConfig arch = base;
  for (const auto& [key, value] : sweep.fixed) set_config_key(arch, key, value);
  for (std::size_t a = 0; a < sweep.axes.size(); ++a) set_config_key(arch, sweep.axes[a].key, values[a]);
  return arch;
}

SweepPlan plan_sweep(const SweepFile& sweep) {
  std::vector<Constraint> constraints;
  for (const SweepConstraint& constraint : sweep.constraints) {
    try {
      constraints.emplace_back(constraint.expression);
    } catch (const std::invalid_argument& e) {
      throw_input_error(sweep.path, constraint.line, "constraint '" + constraint.expression + "': " + e.what());
    }
  }
  const ArchConfig base = load_arch_config(sweep.base);
  std::vector<std::string> workload_keys;
  for (const SweepWorkload& workload : sweep.workloads)
    workload_keys.push_back("\nworkload:" + hash_file(workload.path) +
                            "\nbatch:" + (workload.batch ? std::to_string(*workload.batch) : "file") +
                            "\nseed:" + std::to_string(sweep.seed) + (sweep.compute ? "" : "\ncompute:off") +
                            (sweep.sparsity.empty() ? "" : "\nsparsity:" + sweep.sparsity));

  std::map<std::string, EnergyTable> tables;
  SweepPlan plan;
  for (const SweepPoint& point : expand_axes(sweep.axes, sweep.sample)) {
    ++plan.points;
    ArchConfig arch = point_arch(sweep, base, point.values);
    std::optional<std::optional<double>> area;  // computed when a constraint asks
    const ConstraintLookup lookup = [&](const std::string& name) -> std::optional<ConstraintValue> {
      if (name == "area_mm2" || name == "area.total") {
        if (!area) area = pre_run_area(arch, tables);
        if (!*area) throw std::invalid_argument("'" + name + "' is unknown for this point (its energy table has no area, or the point is not a valid architecture)");
        return **area;
      }
      if (name == "pes") return static_cast<double>(arch.array.rows) * arch.array.cols;
      const std::string key = resolve_config_key(name);
      if (key.empty()) return std::nullopt;
      return as_value(get_config_key(arch, key));
    };
    bool kept = true;
    for (std::size_t c = 0; c < constraints.size() && kept; ++c) {
      try {
        kept = constraints[c].holds(lookup);
      } catch (const std::invalid_argument& e) {
        throw_input_error(sweep.path, sweep.constraints[c].line,
                          "constraint '" + sweep.constraints[c].expression + "': " + e.what());
      }
    }
    if (!kept) {
      ++plan.pruned_points;
      continue;
    }
    nlohmann::json keys = to_json(arch);
    keys.erase("source");
    std::string arch_key = keys.dump();
    // A file a key names (an energy table, a DRAMSys memspec) counts by its
    // contents: editing it changes the runs' results.
    for (const std::string& file : {arch.energy_table, arch.dram})
      if (std::filesystem::is_regular_file(file)) arch_key += "\nfile:" + hash_file(file);
    for (std::size_t w = 0; w < sweep.workloads.size(); ++w) {
      SweepRun run;
      run.hash = hash_text("systole-sweep-run\narch:" + arch_key + workload_keys[w]);
      run.point = point.index;
      run.workload = w;
      run.values = point.values;
      run.arch = arch;
      plan.runs.push_back(std::move(run));
    }
  }
  return plan;
}

std::pair<std::size_t, std::size_t> parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  const auto index = parse_integer(text.substr(0, slash));
  const auto count = slash == std::string::npos ? std::nullopt : parse_integer(text.substr(slash + 1));
  if (!index || !count || *count < 1 || *index < 0 || *index >= *count)
    throw InputError("option --shard: '" + text + "' is not i/n with 0 <= i < n");
  return {static_cast<std::size_t>(*index), static_cast<std::size_t>(*count)};
}

}  // namespace systole
