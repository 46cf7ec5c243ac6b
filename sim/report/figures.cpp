#include "sim/report/figures.hpp"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sim/report/csv.hpp"

namespace systole {

namespace {

// ---- layers.csv ----

void write_fixed(std::ostream& out, const char* format, double value) {
  char text[32];
  std::snprintf(text, sizeof text, format, value);
  out << text;
}


LayerColumn counter_column(Counter counter) {
  const CounterInfo& i = info(counter);
  return {{std::string(i.name), std::string(i.unit), std::string(i.meaning)},
          [counter](std::ostream& out, const LayerStats& l, double) {
            if (!(needs_operand_values(counter) && l.timing_only())) out << l[counter];
          }};
}

LayerColumn column(std::string name, std::string unit, std::string meaning,
                   std::function<void(std::ostream&, const LayerStats&, double)> cell) {
  return {{std::move(name), std::move(unit), std::move(meaning)}, std::move(cell)};
}

// GEMM figures are left empty for layers that are not one GEMM.
LayerColumn gemm_column(std::string name, std::string unit, std::string meaning,
                        std::int64_t (*value)(const LayerStats&)) {
  return column(std::move(name), std::move(unit), std::move(meaning), [value](std::ostream& out, const LayerStats& l, double) {
    if (l.groups > 0) out << value(l);
  });
}

std::vector<LayerColumn> make_layer_columns() {
  std::vector<LayerColumn> columns = {
      column("layer", "", "layer name (quoted if it contains a comma)",
             [](std::ostream& out, const LayerStats& l, double) { out << csv_field(l.name); }),
      column("type", "",
             "`conv`, `depthwise`, `fc`, `gemm`, `pool`, `eltwise`, `lstm`, `gru` or `attention`",
             [](std::ostream& out, const LayerStats& l, double) { out << to_string(l.kind); }),
      counter_column(Counter::Macs),
      counter_column(Counter::Cycles),
      counter_column(Counter::Folds),
      column("utilization", "fraction 0–1", "macs / (R·C·cycles)",
             [](std::ostream& out, const LayerStats& l, double) { write_fixed(out, "%.6f", l.utilization); }),
      column("mapping_efficiency", "fraction 0–1",
             "unweighted mean over folds of rows_used·cols_used / (R·C) (SCALE-Sim's definition)",
             [](std::ostream& out, const LayerStats& l, double) { write_fixed(out, "%.6f", l.mapping_efficiency); }),
      column("first_cycle", "cycle", "the layer's first cycle in the run",
             [](std::ostream& out, const LayerStats& l, double) { out << l.first_cycle; }),
      gemm_column("m", "elements", "output pixels (incl. batch) of the GEMM each group performs; empty for layers "
                  "that are not one GEMM", [](const LayerStats& l) { return l.gemm.m; }),
      gemm_column("n", "elements", "filters per group (empty as above)", [](const LayerStats& l) { return l.gemm.n; }),
      gemm_column("k", "elements", "window size (empty as above)", [](const LayerStats& l) { return l.gemm.k; }),
      gemm_column("groups", "", "GEMMs in the layer (empty as above)", [](const LayerStats& l) { return l.groups; }),
      column("batch", "", "batch size", [](std::ostream& out, const LayerStats& l, double) { out << l.batch; }),
      gemm_column("row_folds", "folds", "folds along the array rows, per group (empty as above)",
                  [](const LayerStats& l) { return l.row_folds; }),
      gemm_column("col_folds", "folds", "folds along the array columns, per group (empty as above)",
                  [](const LayerStats& l) { return l.col_folds; }),
      column("steps", "", "GEMMs and vector operations the layer lowered to (`docs/workloads.md`)",
             [](std::ostream& out, const LayerStats& l, double) { out << l.steps; }),
      counter_column(Counter::VectorCycles),
      LayerColumn{{"mapping", "", "row-stationary runs only: the mapping the mapper chose (or the YAML forced): "
                   "PE set filter rows × output rows, filters p, channels q and images n per PE, replicas"},
                  [](std::ostream& out, const LayerStats& l, double) { out << csv_field(l.mapping); },
                  reports_mapping},
      LayerColumn{{"active_pes", "PEs", "row-stationary runs only: the most PEs one pass of the layer used"},
                  [](std::ostream& out, const LayerStats& l, double) {
                    if (!l.mapping.empty()) out << l.active_pes;
                  },
                  reports_mapping},
      column("compute_cycles", "cycles", "`cycles` − `stall_cycles`",
             [](std::ostream& out, const LayerStats& l, double) {
               out << l[Counter::Cycles] - stall_cycles(l.counters);
             }),
      column("stall_cycles", "cycles",
             "`stall_dram_cycles` + `stall_noc_cycles` + `stall_buffer_cycles` (0 with ideal memory)",
             [](std::ostream& out, const LayerStats& l, double) { out << stall_cycles(l.counters); }),
      counter_column(Counter::StallDramCycles),
      counter_column(Counter::StallNocCycles),
      counter_column(Counter::StallBufferCycles),
      counter_column(Counter::NocLeftWords),
      counter_column(Counter::NocTopWords),
      counter_column(Counter::NocOutWords),
      counter_column(Counter::LinkHopsHorizontal),
      counter_column(Counter::LinkHopsVertical),
      column("dram_read_bytes", "bytes", "DRAM bytes the layer read",
             [](std::ostream& out, const LayerStats& l, double) { out << dram_read_bytes(l.counters); }),
      column("dram_write_bytes", "bytes", "DRAM bytes the layer wrote",
             [](std::ostream& out, const LayerStats& l, double) { out << dram_write_bytes(l.counters); }),
      counter_column(Counter::DramIfmapReadBytes),
      counter_column(Counter::DramFilterReadBytes),
      counter_column(Counter::DramOfmapReadBytes),
      counter_column(Counter::DramOfmapWriteBytes),
      column("dram_gb_per_s", "GB/s", "(read + write bytes) / layer time",
             [](std::ostream& out, const LayerStats& l, double clock_period_ns) {
               const std::int64_t bytes = dram_read_bytes(l.counters) + dram_write_bytes(l.counters);
               const std::int64_t cycles = l[Counter::Cycles];
               write_fixed(out, "%.4f", cycles > 0 ? bytes / (cycles * clock_period_ns) : 0.0);
             }),
  };
  for (Counter first : {Counter::BufferIfmapReads, Counter::BufferIfmapWrites, Counter::BufferIfmapPeakBytes,
                        Counter::BufferIfmapCapacityBytes})
    for (Operand operand : {Operand::Ifmap, Operand::Filter, Operand::Ofmap})
      columns.push_back(counter_column(per_operand(first, operand)));
  // Counters shown as columns and not placed above come before the
  // verification, in declaration order.
  std::set<std::string> placed;
  for (const LayerColumn& c : columns) placed.insert(c.doc.name);
  for (const CounterInfo& counter : counter_infos())
    if (counter.shown != Shown::Total && placed.count(std::string(counter.name)) == 0)
      columns.push_back(counter_column(counter.counter));
  columns.push_back(column("gated_fraction", "fraction 0–1", "macs_gated / macs: the MACs a zero operand gated",
                           [](std::ostream& out, const LayerStats& l, double) {
                             if (l.timing_only()) return;
                             const std::int64_t macs = l[Counter::Macs];
                             out << (macs > 0 ? static_cast<double>(l[Counter::MacsGated]) / static_cast<double>(macs)
                                              : 0.0);
                           }));
  columns.push_back(column("verification", "", "`passed`, `failed` or `not_checked` (without `--verify`); `interrupted` for the last row of an interrupted "
                           "run, the part of the layer that was simulated; `timing_only` for a layer run without operand values "
                           "(`--compute off`, or operands beyond `--compute-limit-mb`), whose `macs_gated` and "
                           "`gated_fraction` are left empty",
                           [](std::ostream& out, const LayerStats& l, double) { out << to_string(l.verification); }));
  return columns;
}

// ---- summary.json ----

SummaryFigure figure(std::string path, std::string unit, std::string meaning,
                     std::function<nlohmann::json(const RunSummary&)> value,
                     std::function<bool(const RunSummary&)> shown = nullptr) {
  return {{std::move(path), std::move(unit), std::move(meaning)}, std::move(shown), std::move(value)};
}

// A figure in the energy table's unit (pJ, or a normalised one).
SummaryFigure energy_figure(std::string path, std::string meaning, std::function<nlohmann::json(const RunSummary&)> value,
                            std::function<bool(const RunSummary&)> shown, const char* per = "") {
  SummaryFigure f = figure(std::move(path), std::string("energy.unit") + per, std::move(meaning), std::move(value),
                           std::move(shown));
  f.run_unit = [per](const RunSummary& s) { return s.energy->unit() + per; };
  return f;
}

bool with_dram(const RunSummary& s) { return s.result.dram; }
bool with_compression(const RunSummary& s) { return s.result.dram && s.arch.dram_compression != "none"; }

// DRAM accesses per MAC, an access being a 16-bit word.
double words_per_mac(std::int64_t bytes, std::int64_t macs) {
  return macs > 0 ? static_cast<double>(bytes) / 2.0 / static_cast<double>(macs) : 0.0;
}

std::int64_t timing_only_layers(const RunResult& result) {
  return std::count_if(result.layers.begin(), result.layers.end(), [](const LayerStats& l) { return l.timing_only(); });
}


bool with_energy(const RunSummary& s) { return s.energy != nullptr; }
bool with_absolute_energy(const RunSummary& s) { return s.energy != nullptr && s.energy->table().absolute(); }

double level_energy(const RunSummary& s, const std::string& level) {
  double sum = 0;
  for (const EnergyLine& line : s.energy_total.lines)
    if (energy_level(line.component) == level) sum += line.energy;
  return sum;
}

// Joules from the table's pJ.
double joules(const RunSummary& s) { return s.energy_total.total() * 1e-12; }

// Energy, power, efficiency and area: there when the run priced its actions
// (`--energy`); in absolute units only when the table is in pJ.
void add_energy_figures(std::vector<SummaryFigure>& figures) {
  figures.push_back(figure("energy.table", "name", "the energy table the run was priced with (`--energy`)",
                           [](const RunSummary& s) { return s.energy->table().name; }, with_energy));
  figures.push_back(figure("energy.unit", "name", "the unit of every energy figure: pJ, or the table's normalised unit",
                           [](const RunSummary& s) { return s.energy->unit(); }, with_energy));
  figures.push_back(figure("energy.technology_nm", "nm", "the node the table was scaled to",
                           [](const RunSummary& s) { return s.energy->technology_nm(); }, with_energy));
  figures.push_back(energy_figure("energy.total", "dynamic + background energy of every layer",
                           [](const RunSummary& s) { return s.energy_total.total(); }, with_energy));
  figures.push_back(energy_figure("energy.dynamic", "energy of the actions (MACs, register, NoC, buffer, DRAM commands)",
                           [](const RunSummary& s) { return s.energy_total.dynamic(); }, with_energy));
  figures.push_back(energy_figure("energy.background",
                           "static power over the run's time, and DRAM standby (energy.csv kind `background`)",
                           [](const RunSummary& s) { return s.energy_total.background(); }, with_energy));
  figures.push_back(energy_figure(
      "energy.per_mac", "energy.total / totals.macs",
      [](const RunSummary& s) { return s.result.total_macs > 0 ? s.energy_total.total() / s.result.total_macs : 0.0; },
      with_energy, " per MAC"));
  for (const std::string& component : energy_components())
    figures.push_back(energy_figure("energy.components." + component,
                             "energy of the component's rows of energy.csv, all layers",
                             [component](const RunSummary& s) {
                               double sum = 0;
                               for (const EnergyLine& line : s.energy_total.lines)
                                 if (line.component == component) sum += line.energy;
                               return sum;
                             },
                             [component](const RunSummary& s) {
                               if (s.energy == nullptr) return false;
                               for (const EnergyLine& line : s.energy_total.lines)
                                 if (line.component == component) return true;
                               return false;
                             }));
  for (const std::string& level : energy_levels())
    figures.push_back(energy_figure("energy.levels." + level,
                                    "energy of the components at this level (alu, rf, noc, buffer, dram as ISCA 2016 "
                                    "reports it; vector unit; static power), all layers",
                                    [level](const RunSummary& s) { return level_energy(s, level); },
                                    [level](const RunSummary& s) {
                                      if (s.energy == nullptr) return false;
                                      for (const EnergyLine& line : s.energy_total.lines)
                                        if (energy_level(line.component) == level) return true;
                                      return false;
                                    }));
  figures.push_back(figure("energy.delay_product", "J·s", "energy.total × totals.time (pJ tables)",
                           [](const RunSummary& s) { return joules(s) * s.time_ns * 1e-9; }, with_absolute_energy));
  figures.push_back(figure("power.average", "mW", "energy.total / totals.time (pJ tables)",
                           [](const RunSummary& s) { return s.time_ns > 0 ? s.energy_total.total() / s.time_ns : 0.0; },
                           with_absolute_energy));
  figures.push_back(figure("power.peak_layer", "mW",
                           "the highest average power of a layer: its energy / its time (pJ tables)",
                           [](const RunSummary& s) { return s.peak_layer_milliwatts; }, with_absolute_energy));
  figures.push_back(figure("power.static", "mW", "the chip's static power from the table",
                           [](const RunSummary& s) { return *s.energy->static_milliwatts(); },
                           [](const RunSummary& s) { return s.energy != nullptr && s.energy->static_milliwatts(); }));
  figures.push_back(figure("efficiency.inferences_per_joule", "inferences/J", "batch / energy.total (pJ tables)",
                           [](const RunSummary& s) { return joules(s) > 0 ? s.result.batch / joules(s) : 0.0; },
                           [](const RunSummary& s) { return with_absolute_energy(s) && !s.result.interrupted; }));
  figures.push_back(figure("efficiency.tops_per_watt", "TOPS/W", "2 operations per MAC / energy.total (pJ tables)",
                           [](const RunSummary& s) {
                             return joules(s) > 0 ? 2.0 * s.result.total_macs / joules(s) * 1e-12 : 0.0;
                           },
                           with_absolute_energy));
  figures.push_back(figure("area.total", "mm²", "the chip's area from the table's area entries, at the table's own node (energy.technology_nm does not rescale area)",
                           [](const RunSummary& s) { return s.energy->area_mm2(); },
                           [](const RunSummary& s) { return s.energy != nullptr && !s.energy->area().empty(); }));
  for (const char* component : {"multiplier", "adder", "pe_registers", "pe_scratchpads", "global_buffer"})
    figures.push_back(figure(std::string("area.components.") + component, "mm²",
                             "the component's area, all PEs (or the whole buffer)",
                             [component](const RunSummary& s) {
                               for (const AreaLine& line : s.energy->area())
                                 if (line.component == component) return line.um2 * 1e-6;
                               return 0.0;
                             },
                             [component](const RunSummary& s) {
                               if (s.energy == nullptr) return false;
                               for (const AreaLine& line : s.energy->area())
                                 if (line.component == component) return true;
                               return false;
                             }));
}

std::vector<SummaryFigure> make_summary_figures() {
  std::vector<SummaryFigure> figures = {
      figure("totals.cycles", "cycles", "the latency of one batch",
             [](const RunSummary& s) { return s.result.total_cycles; }),
      figure("totals.macs", "MACs", "multiply-accumulates of every layer", [](const RunSummary& s) { return s.result.total_macs; }),
      figure("totals.pes", "PEs", "the array's PEs",
             [](const RunSummary& s) { return static_cast<std::int64_t>(s.arch.array.pe_count()); }),
      figure("totals.utilization", "fraction of PE-cycles doing a MAC", "macs / (PEs × cycles)",
             [](const RunSummary& s) { return run_utilization(s.arch, s.result); }),
      figure("totals.time", "ns", "cycles at the clock period", [](const RunSummary& s) { return s.time_ns; }),
      figure("totals.timing_only_layers", "layers",
             "layers run without operand values (`--compute off`, or operands beyond `--compute-limit-mb`): "
             "the figures that need values are null (`totals.macs_gated`) and their energy prices every MAC "
             "as performed, since zero gating needs the values",
             [](const RunSummary& s) { return timing_only_layers(s.result); }),
      figure("totals.vector_cycles", "cycles", "cycles on the vector unit",
             [](const RunSummary& s) { return s.totals[Counter::VectorCycles]; }),
      figure("totals.batch", "inferences", "the batch size", [](const RunSummary& s) { return s.result.batch; }),
      figure("mappings", "", "row-stationary runs only: each layer's mapping and active PEs, by layer name "
             "(as layers.csv's mapping and active_pes)",
             [](const RunSummary& s) {
               nlohmann::json mappings = nlohmann::json::object();
               for (const LayerStats& l : s.result.layers)
                 if (!l.mapping.empty()) mappings[l.name] = {{"mapping", l.mapping}, {"active_pes", l.active_pes}};
               return mappings;
             },
             [](const RunSummary& s) { return reports_mapping(s.result); }),
      figure("totals.throughput", "inferences/s", "batch / time; not there when the run was interrupted",
             [](const RunSummary& s) { return s.time_ns > 0 ? s.result.batch * 1e9 / s.time_ns : 0.0; },
             [](const RunSummary& s) { return !s.result.interrupted; }),
      figure("totals.wall_time", "s", "wall-clock time of the simulation",
             [](const RunSummary& s) { return s.result.wall_seconds; }),
      figure("totals.simulation_rate", "simulated cycles per wall-clock second", "cycles / wall_time",
             [](const RunSummary& s) {
               return s.result.wall_seconds > 0 ? s.result.total_cycles / s.result.wall_seconds : 0.0;
             }),
      figure("totals.slept_cycles", "quiet cycles skipped ahead while waiting on memory",
             "quiet cycles the array slept through while waiting on memory; they are counted in every other "
             "figure like any cycle",
             [](const RunSummary& s) { return s.result.slept_cycles; }),
      figure("memory.dram_read_bytes", "bytes", "DRAM bytes read (with `--memory dram`)",
             [](const RunSummary& s) { return dram_read_bytes(s.totals); }, with_dram),
      figure("memory.dram_write_bytes", "bytes", "DRAM bytes written",
             [](const RunSummary& s) { return dram_write_bytes(s.totals); }, with_dram),
      figure("memory.dram_uncompressed_bytes", "bytes",
             "DRAM bytes read and written had `dram.compression` been none (memory.dram_read_bytes and "
             "memory.dram_write_bytes are the encoded bytes DRAM moved)",
             [](const RunSummary& s) { return s.totals[Counter::DramUncompressedBytes]; }, with_compression),
      figure("memory.dram_accesses_per_mac", "16-bit words per MAC",
             "(memory.dram_read_bytes + memory.dram_write_bytes) / 2 / totals.macs: DRAM accesses per MAC as "
             "Eyeriss counts them (JSSC 2017: an access is a 16-bit word), after compression",
             [](const RunSummary& s) {
               return words_per_mac(dram_read_bytes(s.totals) + dram_write_bytes(s.totals), s.result.total_macs);
             },
             with_dram),
      figure("memory.dram_accesses_per_mac_uncompressed", "16-bit words per MAC",
             "memory.dram_uncompressed_bytes / 2 / totals.macs: the same without compression",
             [](const RunSummary& s) { return words_per_mac(s.totals[Counter::DramUncompressedBytes], s.result.total_macs); },
             with_compression),
      figure("memory.stall_cycles", "cycles", "stall cycles of every cause",
             [](const RunSummary& s) { return stall_cycles(s.totals); }, with_dram),
      figure("memory.dram_bandwidth", "GB/s", "achieved: (read + write bytes) / time",
             [](const RunSummary& s) {
               const std::int64_t bytes = dram_read_bytes(s.totals) + dram_write_bytes(s.totals);
               return s.time_ns > 0 ? bytes / s.time_ns : 0.0;
             },
             with_dram),
      figure("memory.dram_peak_bandwidth", "GB/s", "the DRAM's peak, all channels",
             [](const RunSummary& s) { return s.result.dram_peak_gb_per_s; }, with_dram),
      figure("memory.row_hits", "bursts", "bursts that found their row open",
             [](const RunSummary& s) { return s.result.dram_stats.row_hits; }, with_dram),
      figure("memory.row_misses", "bursts (closed row)", "bursts that had to open their row",
             [](const RunSummary& s) { return s.result.dram_stats.row_misses; }, with_dram),
      figure("memory.row_conflicts", "bursts (other row open)", "bursts that had to close another row first",
             [](const RunSummary& s) { return s.result.dram_stats.row_conflicts; }, with_dram),
      figure("memory.refreshes", "REF commands", "refresh commands issued",
             [](const RunSummary& s) { return s.result.dram_stats.refreshes; }, with_dram),
      figure("memory.mean_latency", "ns", "mean request latency, arrival in the queue to the last data beat",
             [](const RunSummary& s) {
               const DramChannelStats& d = s.result.dram_stats;
               const std::int64_t bursts = d.reads + d.writes;
               return bursts > 0 ? d.latency_sum * s.result.dram_tck_ns / bursts : 0.0;
             },
             with_dram),
      figure("memory.max_latency", "ns", "the longest request latency",
             [](const RunSummary& s) { return s.result.dram_stats.latency_max * s.result.dram_tck_ns; }, with_dram),
  };
  const auto shared = [](const RunSummary& s) {
    return s.result.dram && s.arch.buffer.organization == BufferOrganization::Shared;
  };
  const auto separate = [](const RunSummary& s) {
    return s.result.dram && s.arch.buffer.organization == BufferOrganization::Separate;
  };
  for (Operand operand : {Operand::Ifmap, Operand::Filter, Operand::Ofmap}) {
    const std::string partition = "buffer.partitions." + to_string(operand) + ".";
    figures.push_back(figure(partition + "capacity", "bytes", "the partition's configured capacity",
                             [operand](const RunSummary& s) { return s.arch.buffer.partition().capacity(operand); },
                             separate));
    figures.push_back(figure(partition + "capacity", "bytes (the largest a layer gave it)",
                             "a shared buffer's partition: the largest a layer gave it",
                             [operand](const RunSummary& s) {
                               return s.totals[per_operand(Counter::BufferIfmapCapacityBytes, operand)];
                             },
                             shared));
    figures.push_back(figure(partition + "reads", "values",
                             "values read from the partition: the array's, and with `--memory dram` the write-backs",
                             [operand](const RunSummary& s) { return s.totals[per_operand(Counter::BufferIfmapReads, operand)]; }));
    figures.push_back(figure(partition + "writes", "values",
                             "values written into the partition: the array's results, and with `--memory dram` the tiles",
                             [operand](const RunSummary& s) { return s.totals[per_operand(Counter::BufferIfmapWrites, operand)]; }));
    figures.push_back(figure(partition + "peak_occupancy", "bytes", "the most space reserved in it in any cycle",
                             [operand](const RunSummary& s) {
                               return s.totals[per_operand(Counter::BufferIfmapPeakBytes, operand)];
                             },
                             with_dram));
  }
  figures.push_back(figure("buffer.stall_cycles", "cycles (bank conflicts)", "cycles lost to the buffer's ports",
                           [](const RunSummary& s) { return s.totals[Counter::StallBufferCycles]; }, with_dram));
  figures.push_back(figure("buffer.size", "bytes", "a shared buffer's size",
                           [](const RunSummary& s) { return s.arch.buffer.shared_bytes; }, shared));
  for (Network network : {Network::Left, Network::Top, Network::Out}) {
    const std::string bus = std::string("noc.networks.") + to_string(network) + ".";
    figures.push_back(figure(bus + "words", "words", "words the bus carried",
                             [network](const RunSummary& s) { return s.totals[per_network(Counter::NocLeftWords, network)]; }));
    figures.push_back(figure(bus + "busy_cycles", "cycles", "cycles with at least one word on the bus",
                             [network](const RunSummary& s) {
                               return s.totals[per_network(Counter::NocLeftBusyCycles, network)];
                             }));
    figures.push_back(figure(
        bus + "utilization", "fraction of the bus's word slots used",
        "words / (width × cycles), with `--memory dram` and a bus width set",
        [network](const RunSummary& s) {
          return static_cast<double>(s.totals[per_network(Counter::NocLeftWords, network)]) /
                 (static_cast<double>(s.arch.noc.words(network)) * s.result.total_cycles);
        },
        [network](const RunSummary& s) {
          return s.result.dram && s.arch.noc.words(network) > 0 && s.result.total_cycles > 0;
        }));
  }
  figures.push_back(figure("noc.link_hops_horizontal", "operand hops between neighbour PEs",
                           "as `link_hops_horizontal` in layers.csv",
                           [](const RunSummary& s) { return s.totals[Counter::LinkHopsHorizontal]; }));
  figures.push_back(figure("noc.link_hops_vertical", "partial-sum or operand hops between neighbour PEs",
                           "as `link_hops_vertical` in layers.csv",
                           [](const RunSummary& s) { return s.totals[Counter::LinkHopsVertical]; }));
  // Counters shown in both reports and not placed above: the run's total.
  for (const CounterInfo& counter : counter_infos())
    if (counter.shown == Shown::Both)
      figures.push_back(figure("totals." + std::string(counter.name), std::string(counter.unit),
                               std::string(counter.meaning),
                               [id = counter.counter](const RunSummary& s) -> nlohmann::json {
                                 if (needs_operand_values(id) && timing_only_layers(s.result) > 0) return nullptr;
                                 return s.totals[id];
                               }));
  add_energy_figures(figures);
  return figures;
}

// ---- utilization.csv and the VCD ----

// What each per-cycle figure reads of a window's (or a cycle's) totals.
std::uint64_t active_pes(const CycleTotals& t) { return t.active_pes; }
std::uint64_t noc_left_words(const CycleTotals& t) { return t.noc_words[static_cast<int>(Network::Left)]; }
std::uint64_t noc_top_words(const CycleTotals& t) { return t.noc_words[static_cast<int>(Network::Top)]; }
std::uint64_t noc_out_words(const CycleTotals& t) { return t.noc_words[static_cast<int>(Network::Out)]; }
std::uint64_t dram_bytes(const CycleTotals& t) { return t.dram_bytes; }
std::uint64_t ifmap_buffer_bytes(const CycleTotals& t) { return t.buffer_bytes[static_cast<int>(Operand::Ifmap)]; }
std::uint64_t filter_buffer_bytes(const CycleTotals& t) { return t.buffer_bytes[static_cast<int>(Operand::Filter)]; }
std::uint64_t ofmap_buffer_bytes(const CycleTotals& t) { return t.buffer_bytes[static_cast<int>(Operand::Ofmap)]; }

std::vector<CycleFigure> make_cycle_figures() {
  return {
      {{"active_pes", "PEs", "PEs doing a valid MAC"}, 32, active_pes},
      {{"noc.left_words", "words", "words on the left-edge bus"}, 32, noc_left_words},
      {{"noc.top_words", "words", "words on the top-edge (or stationary-row) bus"}, 32, noc_top_words},
      {{"noc.out_words", "words", "words on the output bus"}, 32, noc_out_words},
      {{"dram.bytes", "bytes", "bytes whose DRAM transfer completed"}, 32, dram_bytes},
      {{"global_buffer.ifmap_bytes", "bytes", "space reserved in the ifmap partition"}, 32, ifmap_buffer_bytes},
      {{"global_buffer.filter_bytes", "bytes", "space reserved in the filter partition"}, 32, filter_buffer_bytes},
      {{"global_buffer.ofmap_bytes", "bytes", "space reserved in the ofmap partition"}, 32, ofmap_buffer_bytes},
  };
}

using WindowValue = std::uint64_t (*)(const CycleTotals&);

UtilizationColumn window_sum(std::string name, std::string unit, std::string meaning, WindowValue value) {
  return {{std::move(name), std::move(unit), std::move(meaning)},
          [value](std::ostream& out, const CycleWindow& w, long long, double) { out << value(w.sums); }};
}

// The mean over the window's cycles (exact with --sample 1).
UtilizationColumn window_mean(std::string name, std::string unit, std::string meaning, WindowValue value) {
  return {{std::move(name), std::move(unit), std::move(meaning)},
          [value](std::ostream& out, const CycleWindow& w, long long, double) {
            write_number(out, static_cast<double>(value(w.sums)) / static_cast<double>(w.cycles));
          }};
}

const char* const kOccupancyMeaning =
    "space reserved in the partition, the mean over the window's cycles: a tile from the moment its read is "
    "issued until the last fold using it ends, an output block (a fold's results, or a WS/IS column block's "
    "partial sums) from its first fold's start until its write-back is in DRAM. Never more than the partition; "
    "0 with ideal memory";

std::vector<PowerFigure> make_power_figures() {
  std::vector<PowerFigure> figures = {
      {{"power_mw", "mW",
        "the chip's power over the window (in the VCD: over the cycle), DRAM included: every action it performed and its static power, "
        "priced as in energy.csv, so the windows' energy adds up to energy.csv's total (pJ tables; empty with "
        "`--energy none`, a normalised table, or a part priced per layer only)"},
       -1}};
  const char* const meanings[kPowerGroups] = {
      "the PEs' part: MACs (performed and gated) and register reads and writes",
      "the neighbour links' part: operand and partial-sum hops between PEs",
      "the NoC's part: words on the left, top and output buses",
      "the global buffer's part: its read and write accesses (the array's, DRAM tiles, write-backs)",
      "the vector unit's part",
      "the DRAM's part: commands and standby, from the part's currents; empty when the DRAM is priced per "
      "byte (a part without currents), which energy.csv prices per layer",
      "static power of the chip"};
  for (int g = 0; g < kPowerGroups; ++g)
    figures.push_back({{"power_" + std::string(to_string(static_cast<PowerGroup>(g))) + "_mw", "mW", meanings[g]},
                       g});
  return figures;
}

std::vector<UtilizationColumn> make_utilization_columns() {
  std::vector<UtilizationColumn> columns = {
      {{"cycle", "cycle", "first cycle of the window"},
       [](std::ostream& out, const CycleWindow& w, long long, double) { out << w.first_cycle; }},
      {{"cycles", "cycles", "window length (N, or less for a step's last window: a window never spans two steps of a layer)"},
       [](std::ostream& out, const CycleWindow& w, long long, double) { out << w.cycles; }},
      {{"layer", "", "index (0-based) of the layer the window belongs to"},
       [](std::ostream& out, const CycleWindow& w, long long, double) { out << w.layer; }},
      window_sum("active_pe_cycles", "PE-cycles", "sum over the window of PEs doing a valid MAC", active_pes),
      {{"utilization", "fraction 0–1", "active_pe_cycles / (R·C·cycles)"},
       [](std::ostream& out, const CycleWindow& w, long long pe_count, double) {
         write_number(out, static_cast<double>(w.sums.active_pes) / (static_cast<double>(pe_count) * w.cycles));
       }},
      window_sum("noc_left_words", "words", "words on the left-edge bus in the window (as in layers.csv)",
                 noc_left_words),
      window_sum("noc_top_words", "words", "words on the top-edge bus in the window", noc_top_words),
      window_sum("noc_out_words", "words", "words on the output bus in the window", noc_out_words),
      window_sum("dram_bytes", "bytes",
                 "DRAM bursts completed in the window, in bytes (whole bursts, so at least the tile bytes)",
                 dram_bytes),
      {{"dram_gb_per_s", "GB/s", "dram_bytes / window time"},
       [](std::ostream& out, const CycleWindow& w, long long, double clock_period_ns) {
         write_number(out, static_cast<double>(w.sums.dram_bytes) / (w.cycles * clock_period_ns));
       }},
      window_mean("ifmap_buffer_bytes", "bytes", kOccupancyMeaning, ifmap_buffer_bytes),
      window_mean("filter_buffer_bytes", "bytes", "the same for the filter partition", filter_buffer_bytes),
      window_mean("ofmap_buffer_bytes", "bytes", "the same for the ofmap partition", ofmap_buffer_bytes),
  };
  for (const PowerFigure& figure : make_power_figures())
    columns.push_back({figure.doc, [figure](std::ostream& out, const CycleWindow& w, long long, double clock_period_ns) {
                         if (w.energy == nullptr) return;
                         if (const std::optional<double> mw =
                                 figure.milliwatts(*w.energy, *w.priced, w.cycles * clock_period_ns))
                           write_number(out, *mw);
                       }});
  return columns;
}

}  // namespace

std::optional<double> PowerFigure::milliwatts(const GroupEnergy& energy, const PricedGroups& priced,
                                             double nanoseconds) const {
  if (group < 0) return priced.all() ? std::optional(energy.total() / nanoseconds) : std::nullopt;
  if (!priced.priced[group]) return std::nullopt;
  return energy.energy[group] / nanoseconds;  // pJ / ns = mW
}

const std::vector<PowerFigure>& power_figures() {
  static const std::vector<PowerFigure> figures = make_power_figures();
  return figures;
}

double run_utilization(const ArchConfig& arch, const RunResult& result) {
  if (result.total_cycles == 0) return 0;
  return static_cast<double>(result.total_macs) /
         (static_cast<double>(arch.array.pe_count()) * static_cast<double>(result.total_cycles));
}

std::string markdown_table(const std::vector<FigureDoc>& figures, std::string_view first_header) {
  std::string table = "| " + std::string(first_header) + " | unit | meaning |\n|---|---|---|\n";
  for (const FigureDoc& f : figures)
    table += "| `" + f.name + "` | " + (f.unit.empty() ? "" : f.unit + " ") + "| " + f.meaning + " |\n";
  return table;
}

std::vector<GeneratedTable> generated_tables() {
  std::vector<FigureDoc> layers, summary, utilization, vcd;
  for (const LayerColumn& c : layer_columns()) layers.push_back(c.doc);
  for (const SummaryFigure& f : summary_figures()) summary.push_back(f.doc);
  for (const UtilizationColumn& c : utilization_columns()) utilization.push_back(c.doc);
  for (const CycleFigure& f : cycle_figures()) vcd.push_back(f.doc);
  for (const PowerFigure& f : power_figures()) vcd.push_back(f.doc);
  return {{"layers.csv", markdown_table(layers, "column")},
          {"summary.json", markdown_table(summary, "figure")},
          {"utilization.csv", markdown_table(utilization, "column")},
          {"vcd", markdown_table(vcd, "signal")}};
}

bool reports_mapping(const RunResult& result) {
  for (const LayerStats& l : result.layers)
    if (!l.mapping.empty()) return true;
  return false;
}

const std::vector<LayerColumn>& layer_columns() {
  static const std::vector<LayerColumn> columns = make_layer_columns();
  return columns;
}

const std::vector<SummaryFigure>& summary_figures() {
  static const std::vector<SummaryFigure> figures = make_summary_figures();
  return figures;
}

const std::vector<CycleFigure>& cycle_figures() {
  static const std::vector<CycleFigure> figures = make_cycle_figures();
  return figures;
}

const std::vector<UtilizationColumn>& utilization_columns() {
  static const std::vector<UtilizationColumn> columns = make_utilization_columns();
  return columns;
}

}  // namespace systole
