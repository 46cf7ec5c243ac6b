#include "sim/report/report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include <spdlog/fmt/fmt.h>

#include "sim/report/figures.hpp"
#include "systole/version.hpp"

namespace systole {

namespace {

Counters run_totals(const RunResult& result) {
  Counters totals;
  for (const LayerStats& layer : result.layers) totals += layer.counters;
  return totals;
}


RunSummary run_summary(const RunDescription& run, const RunResult& result) {
  RunSummary summary{*run.arch, result, run_totals(result),
                     static_cast<double>(result.total_cycles) * run.arch->clock_period_ns(), nullptr, {}, 0};
  if (run.energy == nullptr) return summary;
  summary.energy = run.energy;
  summary.energy_total = run.energy->price(summary.totals);
  for (const LayerStats& layer : result.layers) {
    const double time_ns = static_cast<double>(layer[Counter::Cycles]) * run.arch->clock_period_ns();
    if (time_ns > 0)
      summary.peak_layer_milliwatts =
          std::max(summary.peak_layer_milliwatts, run.energy->price(layer.counters).total() / time_ns);
  }
  return summary;
}

// Energy with an SI prefix: "12.3 µJ" from pJ, or the normalised unit.
std::string energy_text(double energy, const EnergyModel& model) {
  char text[64];
  if (!model.table().absolute()) {
    std::snprintf(text, sizeof text, "%.4g %s", energy, model.unit().c_str());
    return text;
  }
  const char* prefixes[] = {"pJ", "nJ", "µJ", "mJ", "J"};
  double scaled = energy;
  int p = 0;
  while (p < 4 && std::abs(scaled) >= 1000) {
    scaled /= 1000;
    ++p;
  }
  std::snprintf(text, sizeof text, "%.4g %s", scaled, prefixes[p]);
  return text;
}

}  // namespace

void write_layers_csv(std::ostream& out, const RunResult& result, double clock_period_ns) {
  std::vector<LayerColumn> columns;
  for (const LayerColumn& column : layer_columns())
    if (!column.shown || column.shown(result)) columns.push_back(column);
  for (std::size_t c = 0; c < columns.size(); ++c) out << (c > 0 ? "," : "") << columns[c].doc.name;
  out << '\n';
  for (const LayerStats& layer : result.layers) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) out << ',';
      columns[c].cell(out, layer, clock_period_ns);
    }
    out << '\n';
  }
}


nlohmann::json summary_json(const RunDescription& run, const RunResult& result) {
  nlohmann::json json;
  json["systole_version"] = kVersion;
  json["status"] = result.interrupted ? "interrupted" : "completed";
  json["workload"] = {{"name", run.workload->name},
                      {"source", run.workload->source},
                      {"layers", run.workload->layers.size()},
                      {"layers_completed", result.completed_layers()}};
  nlohmann::json config = to_json(*run.arch);
  config["run"] = {{"seed", run.seed},
                   {"sparsity", {{"ifmap", run.sparsity.ifmap}, {"weights", run.sparsity.weights}}},
                   {"verify", run.verify},
                   {"sample_window", run.sample_window},
                   {"clock_period_ns", run.arch->clock_period_ns()}};
  json["config"] = config;
  json["memory"]["model"] = to_string(run.arch->memory_model);
  if (result.dram) {
    const bool shared = run.arch->buffer.organization == BufferOrganization::Shared;
    json["buffer"]["organization"] = shared ? "shared" : "separate";
    if (shared) json["buffer"]["banks"] = run.arch->buffer.banks;
  }
  const RunSummary summary = run_summary(run, result);
  for (const SummaryFigure& figure : summary_figures()) {
    if (figure.shown && !figure.shown(summary)) continue;
    std::string pointer = "/" + figure.doc.name;
    std::replace(pointer.begin(), pointer.end(), '.', '/');
    json[nlohmann::json::json_pointer(pointer)] = {{"value", figure.value(summary)},
                                                           {"unit", figure.run_unit ? figure.run_unit(summary) : figure.doc.unit}};
  }
  std::string verification = run.verify ? "passed" : "not_checked";
  if (result.verification_failed()) verification = "failed";
  json["verification"] = verification;
  return json;
}

void print_summary_table(std::ostream& out, const RunDescription& run, const RunResult& result) {
  char line[320];
  const EnergyModel* energy = run.energy;
  const bool milliwatts = energy != nullptr && energy->table().absolute();
  const bool active = reports_mapping(result);  // row stationary: the PEs its passes use
  const double period_ns = run.arch->clock_period_ns();
  // DRAM accesses per MAC as Eyeriss counts them: an access is a 16-bit word.
  const auto accesses_per_mac = [](std::int64_t bytes, std::int64_t macs) {
    return macs > 0 ? static_cast<double>(bytes) / 2 / static_cast<double>(macs) : 0.0;
  };
  const auto dram_per_mac = [&](const Counters& counted, std::int64_t macs) {
    return macs > 0 ? fmt::format("{:.4f}", accesses_per_mac(dram_read_bytes(counted) + dram_write_bytes(counted), macs))
                    : std::string();
  };
  const auto optional_columns = [&](const std::string& active_pes, const std::string& dram_accesses,
                                    const std::string& layer_energy, const std::string& power) {
    std::string text;
    if (active) text += fmt::format(" {:>7}", active_pes);
    if (result.dram) text += fmt::format(" {:>9}", dram_accesses);
    if (energy) text += fmt::format(" {:>12}", layer_energy);
    if (milliwatts) text += fmt::format(" {:>8}", power);
    return text;
  };
  out << fmt::format("{:<24} {:<9} {:>15} {:>12} {:>10} {:>7} {:>7}", "layer", "type", "MACs", "cycles", "ms",
                     "util%", "map%")
      << optional_columns("active", "DRAM/MAC", "energy", "mW") << "  verify\n";
  for (const LayerStats& l : result.layers) {
    const double layer_energy = energy ? energy->price(l.counters).total() : 0;
    const double layer_ns = static_cast<double>(l[Counter::Cycles]) * period_ns;
    out << fmt::format("{:<24.24} {:<9} {:>15} {:>12} {:>10.4f} {:>7.2f} {:>7.2f}", l.name, to_string(l.kind),
                       l[Counter::Macs], l[Counter::Cycles], layer_ns * 1e-6, 100 * l.utilization,
                       100 * l.mapping_efficiency)
        << optional_columns(l.mapping.empty() ? "" : std::to_string(l.active_pes),
                            dram_per_mac(l.counters, l[Counter::Macs]), energy ? energy_text(layer_energy, *energy) : "",
                            layer_ns > 0 ? fmt::format("{:.1f}", layer_energy / layer_ns) : "")
        << "  " << to_string(l.verification) << '\n';
  }
  const RunSummary summary = run_summary(run, result);
  out << fmt::format("{:<24} {:<9} {:>15} {:>12} {:>10.4f} {:>7.2f} {:>7}",
                     result.interrupted ? "total (interrupted)" : "total", "", result.total_macs,
                     result.total_cycles, static_cast<double>(result.total_cycles) * period_ns * 1e-6,
                     100 * run_utilization(*run.arch, result), "")
      << optional_columns("", dram_per_mac(run_totals(result), result.total_macs),
                          energy ? energy_text(summary.energy_total.total(), *energy) : "",
                          summary.time_ns > 0 ? fmt::format("{:.1f}", summary.energy_total.total() / summary.time_ns)
                                              : "")
      << '\n';
  const double time_ms = result.total_cycles * run.arch->clock_period_ns() * 1e-6;
  // An interrupted run has no throughput: it did not finish the batch.
  char throughput[64] = "interrupted";
  if (!result.interrupted)
    std::snprintf(throughput, sizeof throughput, "%.1f inferences/s", time_ms > 0 ? result.batch * 1e3 / time_ms : 0.0);
  std::snprintf(line, sizeof line,
                "%s: %dx%d %s %s %s, %lld cycles = %.3f ms at %.0f MHz; batch %lld: %s; simulated in %.2f s\n",
                run.arch->name.c_str(), run.arch->array.rows, run.arch->array.cols, run.arch->dataflow.c_str(),
                std::string(to_string(run.arch->array.microarch)).c_str(),
                std::string(to_string(run.arch->array.data_type)).c_str(),
                static_cast<long long>(result.total_cycles), time_ms, run.arch->clock_mhz,
                static_cast<long long>(result.batch), throughput, result.wall_seconds);
  out << line;
  if (result.dram) {
    const Counters totals = run_totals(result);
    const std::int64_t read = dram_read_bytes(totals), written = dram_write_bytes(totals);
    const std::int64_t stall[3] = {totals[Counter::StallDramCycles], totals[Counter::StallNocCycles],
                                   totals[Counter::StallBufferCycles]};
    const double time_ns = result.total_cycles * run.arch->clock_period_ns();
    std::snprintf(line, sizeof line,
                  "memory: %.3f MB read, %.3f MB written, %.2f of %.2f GB/s; stall cycles: DRAM %lld, NoC %lld, "
                  "buffer %lld\n",
                  read / 1e6, written / 1e6, time_ns > 0 ? (read + written) / time_ns : 0.0, result.dram_peak_gb_per_s,
                  static_cast<long long>(stall[0]), static_cast<long long>(stall[1]), static_cast<long long>(stall[2]));
    out << line;
    out << fmt::format("DRAM accesses per MAC (16-bit words): {:.4g}",
                       accesses_per_mac(read + written, result.total_macs));
    if (run.arch->dram_compression != "none")
      out << fmt::format(" with {} compression, {:.4g} without", run.arch->dram_compression,
                         accesses_per_mac(totals[Counter::DramUncompressedBytes], result.total_macs));
    out << '\n';
  }
  if (energy) {
    const double total = summary.energy_total.total();
    std::string text = "energy (" + energy->table().name + "): " + energy_text(total, *energy) + ", of which " +
                       energy_text(summary.energy_total.background(), *energy) + " background; " +
                       energy_text(result.total_macs > 0 ? total / result.total_macs : 0.0, *energy) + " per MAC";
    if (energy->table().absolute() && summary.time_ns > 0) {
      std::snprintf(line, sizeof line, "; %.4g mW average at %.0f MHz", total / summary.time_ns, run.arch->clock_mhz);
      text += line;
    }
    if (!energy->area().empty()) {
      std::snprintf(line, sizeof line, "; area %.4g mm²", energy->area_mm2());
      text += line;
    }
    out << text << '\n';
    std::string levels;
    for (const std::string& level : energy_levels()) {
      double sum = 0;
      for (const EnergyLine& l : summary.energy_total.lines)
        if (energy_level(l.component) == level) sum += l.energy;
      if (sum == 0) continue;
      std::snprintf(line, sizeof line, "%s%s %.3g (%.1f%%)", levels.empty() ? "" : ", ", level.c_str(), sum,
                    total > 0 ? 100 * sum / total : 0.0);
      levels += line;
    }
    out << "energy by level, " << energy->unit() << ": " << levels << '\n';
  }
}

}  // namespace systole
