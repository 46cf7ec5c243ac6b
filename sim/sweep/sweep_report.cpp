#include "sim/sweep/sweep_report.hpp"

#include <filesystem>
#include <map>
#include <set>

#include "sim/config/arch_config.hpp"
#include "sim/config/input_error.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/report/csv.hpp"
#include "sim/report/figures.hpp"

namespace systole {

namespace {

std::string cell(const nlohmann::json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return csv_field(value.get<std::string>());
  return value.dump();
}

const nlohmann::json* figure_of(const StoredRun& run, const std::string& name) {
  for (const auto& [figure, entry] : run.figures)
    if (figure == name) return &entry.at("value");
  return nullptr;
}

// The figures any run holds, in summary.json's order.
std::vector<std::string> figure_names(const std::vector<StoredRun>& runs) {
  std::set<std::string> present;
  for (const StoredRun& run : runs)
    for (const auto& figure : run.figures) present.insert(figure.first);
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const SummaryFigure& figure : summary_figures())
    if (present.count(figure.doc.name) && seen.insert(figure.doc.name).second) names.push_back(figure.doc.name);
  return names;
}

void write_runs(std::ostream& out, const std::vector<const StoredRun*>& runs, const std::vector<std::string>& figures) {
  out << "hash,point,workload,batch,status,error";
  for (const ConfigKey& key : config_keys()) out << ',' << key.name;
  for (const std::string& figure : figures) out << ',' << figure;
  out << '\n';
  for (const StoredRun* run : runs) {
    out << run->hash << ',' << run->point << ',' << csv_field(run->workload) << ',' << run->batch << ','
        << run->status << ',' << csv_field(run->error);
    for (const ConfigKey& key : config_keys()) {
      const std::size_t dot = key.name.find('.');
      const nlohmann::json::json_pointer at("/" + key.name.substr(0, dot) + "/" + key.name.substr(dot + 1));
      out << ',' << (run->config.contains(at) ? cell(run->config.at(at)) : "");
    }
    for (const std::string& figure : figures) {
      const nlohmann::json* value = figure_of(*run, figure);
      out << ',' << (value ? cell(*value) : "");
    }
    out << '\n';
  }
}

void write_layers(std::ostream& out, const std::vector<const StoredRun*>& runs) {
  out << "hash,point,workload,array.rows,array.cols,general.clock_mhz,memory.model,dram_peak_gb_per_s";
  for (const LayerColumn& column : layer_columns()) out << ',' << column.doc.name;
  out << '\n';
  for (const StoredRun* run : runs) {
    const nlohmann::json* peak = figure_of(*run, "memory.dram_peak_bandwidth");
    for (const nlohmann::json& layer : run->layers) {
      out << run->hash << ',' << run->point << ',' << csv_field(run->workload) << ','
          << cell(run->config["array"]["rows"]) << ',' << cell(run->config["array"]["cols"]) << ','
          << cell(run->config["general"]["clock_mhz"]) << ',' << cell(run->config["memory"]["model"]) << ','
          << (peak ? cell(*peak) : "");
      for (const LayerColumn& column : layer_columns())
        out << ',' << (layer.contains(column.doc.name) ? cell(layer.at(column.doc.name)) : "");
      out << '\n';
    }
  }
}

}  // namespace

ReportCounts write_sweep_report(const std::vector<StoredRun>& runs, std::size_t expected,
                                const std::vector<ParetoAxis>& axes, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw InputError("cannot create the report folder '" + dir + "': " + error.message());
  ReportCounts counts;
  counts.runs = runs.size();
  counts.missing = expected > runs.size() ? expected - runs.size() : 0;
  std::vector<const StoredRun*> all, completed;
  for (const StoredRun& run : runs) {
    all.push_back(&run);
    if (run.status == "completed") completed.push_back(&run);
  }
  counts.completed = completed.size();
  counts.failed = runs.size() - completed.size();
  const std::vector<std::string> figures = figure_names(runs);

  // The front of each workload: latencies of different networks do not compare.
  std::map<std::string, std::vector<const StoredRun*>> by_workload;
  for (const StoredRun* run : completed) {
    bool has_axes = true;
    for (const ParetoAxis& axis : axes) {
      const nlohmann::json* value = figure_of(*run, axis.figure);
      has_axes = has_axes && value && value->is_number();
    }
    if (has_axes) by_workload[run->workload].push_back(run);
    else ++counts.without_axes;
  }
  std::vector<const StoredRun*> front;
  for (const auto& [workload, candidates] : by_workload) {
    std::vector<std::vector<double>> points;
    for (const StoredRun* run : candidates) {
      std::vector<double> point;
      for (const ParetoAxis& axis : axes) point.push_back(figure_of(*run, axis.figure)->get<double>());
      points.push_back(std::move(point));
    }
    for (std::size_t index : pareto_front(points, axes)) front.push_back(candidates[index]);
  }
  counts.on_front = front.size();

  AtomicFile runs_csv(dir + "/runs.csv");
  write_runs(runs_csv.stream(), all, figures);
  runs_csv.commit();
  AtomicFile pareto_csv(dir + "/pareto.csv");
  write_runs(pareto_csv.stream(), front, figures);
  pareto_csv.commit();
  AtomicFile layers_csv(dir + "/layers.csv");
  write_layers(layers_csv.stream(), completed);
  layers_csv.commit();
  AtomicFile axes_file(dir + "/pareto_axes.txt");
  for (const ParetoAxis& axis : axes) axes_file.stream() << (axis.maximize ? "max:" : "") << axis.figure << '\n';
  axes_file.commit();
  return counts;
}

}  // namespace systole
