#include "sim/report/report.hpp"

#include <algorithm>
#include <cstdio>

#include "systole/version.hpp"

namespace systole {

namespace {

nlohmann::json figure(double value, const char* unit) { return {{"value", value}, {"unit", unit}}; }
nlohmann::json figure(std::int64_t value, const char* unit) { return {{"value", value}, {"unit", unit}}; }

double run_utilization(const RunDescription& run, const RunResult& result) {
  if (result.total_cycles == 0) return 0;
  return static_cast<double>(result.total_macs) /
         (static_cast<double>(run.arch->array.pe_count()) * static_cast<double>(result.total_cycles));
}

}  // namespace

void write_layers_csv(std::ostream& out, const RunResult& result, double clock_period_ns) {
  out << "layer,type,macs,cycles,folds,utilization,mapping_efficiency,first_cycle,m,n,k,groups,"
         "batch,row_folds,col_folds,steps,vector_cycles,compute_cycles,stall_cycles,stall_dram_cycles,"
         "stall_noc_cycles,stall_buffer_cycles,noc_left_words,noc_top_words,noc_out_words,"
         "link_hops_horizontal,link_hops_vertical,"
         "dram_read_bytes,dram_write_bytes,dram_ifmap_read_bytes,dram_filter_read_bytes,"
         "dram_ofmap_read_bytes,dram_ofmap_write_bytes,dram_gb_per_s,buffer_ifmap_reads,"
         "buffer_filter_reads,buffer_ofmap_reads,buffer_ifmap_writes,buffer_filter_writes,"
         "buffer_ofmap_writes,buffer_ifmap_peak_bytes,buffer_filter_peak_bytes,buffer_ofmap_peak_bytes,"
         "buffer_ifmap_capacity_bytes,buffer_filter_capacity_bytes,buffer_ofmap_capacity_bytes,verification\n";
  for (const LayerStats& l : result.layers) {
    char utilization[32], efficiency[32];
    std::snprintf(utilization, sizeof utilization, "%.6f", l.utilization);
    std::snprintf(efficiency, sizeof efficiency, "%.6f", l.mapping_efficiency);
    std::string name = l.name;
    if (name.find_first_of(",\"") != std::string::npos) {
      std::string quoted = "\"";
      for (char c : name) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
      name = quoted + "\"";
    }
    // GEMM columns are left empty for layers that are not one GEMM.
    const bool one_gemm = l.groups > 0;
    auto gemm_field = [&](std::int64_t value) { return one_gemm ? std::to_string(value) : std::string(); };
    out << name << ',' << to_string(l.kind) << ',' << l.macs << ',' << l.cycles << ',' << l.folds
        << ',' << utilization << ',' << efficiency << ',' << l.first_cycle << ',' << gemm_field(l.gemm.m)
        << ',' << gemm_field(l.gemm.n) << ',' << gemm_field(l.gemm.k) << ',' << gemm_field(l.groups)
        << ',' << l.batch << ',' << gemm_field(l.row_folds) << ',' << gemm_field(l.col_folds) << ','
        << l.steps << ',' << l.vector_cycles << ',';
    const std::int64_t reads = l.dram_read_bytes[0] + l.dram_read_bytes[1] + l.dram_read_bytes[2];
    const std::int64_t writes = l.dram_write_bytes[0] + l.dram_write_bytes[1] + l.dram_write_bytes[2];
    char bandwidth[32];
    std::snprintf(bandwidth, sizeof bandwidth, "%.4f",
                  l.cycles > 0 ? (reads + writes) / (l.cycles * clock_period_ns) : 0.0);
    const std::int64_t stalls = l.stall_dram_cycles + l.stall_noc_cycles + l.stall_buffer_cycles;
    out << l.cycles - stalls << ',' << stalls << ',' << l.stall_dram_cycles << ',' << l.stall_noc_cycles << ','
        << l.stall_buffer_cycles << ',';
    for (std::int64_t words : l.noc.words) out << words << ',';
    out << l.noc.horizontal_hops << ',' << l.noc.vertical_hops << ','
        << reads << ',' << writes << ',' << l.dram_read_bytes[0] << ',' << l.dram_read_bytes[1] << ','
        << l.dram_read_bytes[2] << ',' << l.dram_write_bytes[2] << ',' << bandwidth;
    for (int o = 0; o < 3; ++o) out << ',' << l.buffer_reads[o];
    for (int o = 0; o < 3; ++o) out << ',' << l.buffer_writes[o];
    for (int o = 0; o < 3; ++o) out << ',' << l.buffer_peak_bytes[o];
    for (int o = 0; o < 3; ++o) out << ',' << l.buffer_capacity_bytes[o];
    out << ',' << to_string(l.verification) << '\n';
  }
}

nlohmann::json summary_json(const RunDescription& run, const RunResult& result) {
  nlohmann::json json;
  json["systole_version"] = kVersion;
  json["status"] = result.interrupted ? "interrupted" : "completed";
  json["workload"] = {{"name", run.workload->name},
                      {"source", run.workload->source},
                      {"layers", run.workload->layers.size()},
                      {"layers_completed", result.layers.size()}};
  nlohmann::json config = to_json(*run.arch);
  config["run"] = {{"seed", run.seed},
                   {"verify", run.verify},
                   {"sample_window", run.sample_window},
                   {"clock_period_ns", run.arch->clock_period_ns()}};
  json["config"] = config;
  const double time_ns = static_cast<double>(result.total_cycles) * run.arch->clock_period_ns();
  std::int64_t vector_cycles = 0;
  for (const LayerStats& l : result.layers) vector_cycles += l.vector_cycles;
  json["totals"] = {
      {"cycles", figure(result.total_cycles, "cycles")},
      {"macs", figure(result.total_macs, "MACs")},
      {"pes", figure(static_cast<std::int64_t>(run.arch->array.pe_count()), "PEs")},
      {"utilization", figure(run_utilization(run, result), "fraction of PE-cycles doing a MAC")},
      {"time", figure(time_ns, "ns")},
      {"vector_cycles", figure(vector_cycles, "cycles")},
      {"batch", figure(result.batch, "inferences")},
      {"throughput", figure(time_ns > 0 ? result.batch * 1e9 / time_ns : 0.0, "inferences/s")},
      {"wall_time", figure(result.wall_seconds, "s")},
      {"simulation_rate",
       figure(result.wall_seconds > 0 ? result.total_cycles / result.wall_seconds : 0.0,
              "simulated cycles per wall-clock second")},
      {"slept_cycles", figure(result.slept_cycles, "quiet cycles skipped ahead while waiting on memory")}};
  if (result.dram) {
    const DramChannelStats& d = result.dram_stats;
    std::int64_t read_bytes = 0, write_bytes = 0, stall = 0;
    for (const LayerStats& l : result.layers) {
      for (int o = 0; o < 3; ++o) {
        read_bytes += l.dram_read_bytes[o];
        write_bytes += l.dram_write_bytes[o];
      }
      stall += l.stall_dram_cycles + l.stall_noc_cycles + l.stall_buffer_cycles;
    }
    const std::int64_t bursts = d.reads + d.writes;
    json["memory"] = {
        {"model", "dram"},
        {"dram_read_bytes", figure(read_bytes, "bytes")},
        {"dram_write_bytes", figure(write_bytes, "bytes")},
        {"stall_cycles", figure(stall, "cycles")},
        {"dram_bandwidth", figure(time_ns > 0 ? (read_bytes + write_bytes) / time_ns : 0.0, "GB/s")},
        {"dram_peak_bandwidth", figure(result.dram_peak_gb_per_s, "GB/s")},
        {"row_hits", figure(d.row_hits, "bursts")},
        {"row_misses", figure(d.row_misses, "bursts (closed row)")},
        {"row_conflicts", figure(d.row_conflicts, "bursts (other row open)")},
        {"refreshes", figure(d.refreshes, "REF commands")},
        {"mean_latency", figure(bursts > 0 ? d.latency_sum * result.dram_tck_ns / bursts : 0.0, "ns")},
        {"max_latency", figure(d.latency_max * result.dram_tck_ns, "ns")}};
  } else {
    json["memory"] = {{"model", "ideal"}};
  }
  if (result.dram) {
    const GlobalBufferConfig& buffer = run.arch->buffer;
    const bool shared = buffer.organization == BufferOrganization::Shared;
    nlohmann::json partitions;
    for (int o = 0; o < kOperands; ++o) {
      const Operand operand = static_cast<Operand>(o);
      std::int64_t reads = 0, writes = 0, peak = 0;
      std::int64_t capacity = shared ? 0 : buffer.partition().capacity(operand);
      for (const LayerStats& l : result.layers) {
        reads += l.buffer_reads[o];
        writes += l.buffer_writes[o];
        peak = std::max(peak, l.buffer_peak_bytes[o]);
        if (shared) capacity = std::max(capacity, l.buffer_capacity_bytes[o]);
      }
      partitions[to_string(operand)] = {{"capacity", figure(capacity, shared ? "bytes (the largest a layer gave it)"
                                                                             : "bytes")},
                                        {"reads", figure(reads, "bytes")},
                                        {"writes", figure(writes, "bytes")},
                                        {"peak_occupancy", figure(peak, "bytes")}};
    }
    std::int64_t conflicts = 0;
    for (const LayerStats& l : result.layers) conflicts += l.stall_buffer_cycles;
    json["buffer"] = {{"organization", shared ? "shared" : "separate"},
                      {"partitions", partitions},
                      {"stall_cycles", figure(conflicts, "cycles (bank conflicts)")}};
    if (shared) {
      json["buffer"]["size"] = figure(buffer.shared_bytes, "bytes");
      json["buffer"]["banks"] = buffer.banks;
    }
  }
  NocTraffic noc;
  for (const LayerStats& l : result.layers) noc += l.noc;
  nlohmann::json networks;
  for (int n = 0; n < kNetworks; ++n)
  {
    const int width = run.arch->noc.words(static_cast<Network>(n));
    nlohmann::json& bus = networks[to_string(static_cast<Network>(n))];
    bus = {{"words", figure(noc.words[n], "words")}, {"busy_cycles", figure(noc.busy_cycles[n], "cycles")}};
    if (result.dram && width > 0 && result.total_cycles > 0)
      bus["utilization"] = figure(static_cast<double>(noc.words[n]) / (static_cast<double>(width) * result.total_cycles),
                                  "fraction of the bus's word slots used");
  }
  json["noc"] = {{"networks", networks},
                 {"link_hops_horizontal", figure(noc.horizontal_hops, "operand hops between neighbour PEs")},
                 {"link_hops_vertical", figure(noc.vertical_hops, "partial-sum or operand hops between neighbour PEs")}};
  std::string verification = run.verify ? "passed" : "not_checked";
  if (result.verification_failed()) verification = "failed";
  json["verification"] = verification;
  return json;
}

void print_summary_table(std::ostream& out, const RunDescription& run, const RunResult& result) {
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-9s %15s %12s %7s %7s  %s\n", "layer", "type", "MACs",
                "cycles", "util%", "map%", "verify");
  out << line;
  for (const LayerStats& l : result.layers) {
    std::snprintf(line, sizeof line, "%-24.24s %-9s %15lld %12lld %7.2f %7.2f  %s\n", l.name.c_str(),
                  to_string(l.kind).c_str(), static_cast<long long>(l.macs),
                  static_cast<long long>(l.cycles), 100 * l.utilization, 100 * l.mapping_efficiency,
                  to_string(l.verification).c_str());
    out << line;
  }
  std::snprintf(line, sizeof line, "%-24s %-9s %15lld %12lld %7.2f\n",
                result.interrupted ? "total (interrupted)" : "total", "",
                static_cast<long long>(result.total_macs), static_cast<long long>(result.total_cycles),
                100 * run_utilization(run, result));
  out << line;
  const double time_ms = result.total_cycles * run.arch->clock_period_ns() * 1e-6;
  std::snprintf(line, sizeof line,
                "%s: %dx%d %s %s %s, %lld cycles = %.3f ms at %.0f MHz; batch %lld: %.1f inferences/s; "
                "simulated in %.2f s\n",
                run.arch->name.c_str(), run.arch->array.rows, run.arch->array.cols,
                run.arch->dataflow.c_str(),
                std::string(to_string(run.arch->array.microarch)).c_str(),
                std::string(to_string(run.arch->array.data_type)).c_str(),
                static_cast<long long>(result.total_cycles), time_ms, run.arch->clock_mhz,
                static_cast<long long>(result.batch), time_ms > 0 ? result.batch * 1e3 / time_ms : 0.0,
                result.wall_seconds);
  out << line;
  if (result.dram) {
    std::int64_t read = 0, written = 0, stall[3] = {0, 0, 0};
    for (const LayerStats& l : result.layers) {
      for (int o = 0; o < kOperands; ++o) {
        read += l.dram_read_bytes[o];
        written += l.dram_write_bytes[o];
      }
      stall[0] += l.stall_dram_cycles;
      stall[1] += l.stall_noc_cycles;
      stall[2] += l.stall_buffer_cycles;
    }
    const double time_ns = result.total_cycles * run.arch->clock_period_ns();
    std::snprintf(line, sizeof line,
                  "memory: %.3f MB read, %.3f MB written, %.2f of %.2f GB/s; stall cycles: DRAM %lld, NoC %lld, "
                  "buffer %lld\n",
                  read / 1e6, written / 1e6, time_ns > 0 ? (read + written) / time_ns : 0.0, result.dram_peak_gb_per_s,
                  static_cast<long long>(stall[0]), static_cast<long long>(stall[1]), static_cast<long long>(stall[2]));
    out << line;
  }
}

}  // namespace systole
