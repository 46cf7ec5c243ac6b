#include "sim/cli/cli.hpp"
#include "sim/cli/sweep_command.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <fstream>
#include <functional>
#include <filesystem>
#include <iostream>
#include <optional>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "sim/config/arch_config.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/engine/dram_traffic.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/memspec.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/report/energy_report.hpp"
#include "sim/workload/network_stats.hpp"
#include "sim/workload/onnx_workload.hpp"
#include "sim/report/figures.hpp"
#include "sim/report/report.hpp"
#include "sim/report/scalesim_reports.hpp"
#include "sim/energy/cycle_energy.hpp"
#include "sim/engine/layer_pool.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/config/text.hpp"
#include "sim/report/utilization_log.hpp"
#include "sim/cli/held_log.hpp"
#include "sim/cli/option_values.hpp"
#include "sim/report/dram_transfer_log.hpp"
#include "sim/report/scalesim_traces.hpp"
#include "sim/report/timeline_trace.hpp"
#include "sim/report/vcd_tracer.hpp"
#include "sim/workload/workload_loader.hpp"
#include "systole/version.hpp"

namespace systole {

namespace po = boost::program_options;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitBadInput = 2;
// Signals that stop a run, which then writes what it simulated and exits
// 128 + the signal's number: Ctrl-C (130), SIGTERM from kill, timeout or
// Slurm (143), SIGHUP from a closed terminal (129).
constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};

std::atomic<bool> g_interrupted{false};
std::atomic<int> g_signal{0};

extern "C" void on_interrupt(int signal) {
  g_signal = signal;
  g_interrupted = true;
  // A second one ends the process at once.
  std::signal(signal, SIG_DFL);
}

const char* const kUsage =
    "Systole: a cycle-accurate simulator of systolic-array DNN accelerators.\n"
    "\n"
    "Usage:\n"
    "  systole run --arch FILE|PRESET --workload FILE [options]\n"
    "  systole stats --workload FILE [--csv] [--batch N] [--input-shape NAME=AxB...]\n"
    "  systole dram [--dram ddr4-2400|lpddr4-3200|hbm2|FILE.json] [--pattern sequential|random] ...\n"
    "  systole figures\n"
    "  systole sweep run|status|merge|report FILE [options]\n"
    "  systole --help | --version\n"
    "\n"
    "Subcommands:\n"
    "  run    simulate a workload on an architecture (systole run --help)\n"
    "  stats  weights, MACs and activation sizes of a workload, per layer and in total\n"
    "  dram   drive the DRAM model with a synthetic stream: bandwidth, latency, row hits\n"
    "  figures  every figure the reports hold, with its unit and meaning (docs/outputs.md)\n"
    "  sweep  design-space exploration on all cores or a Slurm cluster, results in SQLite (docs/sweeps.md)\n";

void print_usage(std::ostream& out) {
  out << kUsage << "\nArchitecture presets:";
  for (const std::string& name : preset_names()) out << ' ' << name;
  out << "\n";
}

void add_workload_options(po::options_description& options) {
  options.add_options()
      ("workload", po::value<std::string>(), "workload: a native .yaml, an ONNX model (.onnx), or a SCALE-Sim topology CSV")
      ("batch", po::value<std::int64_t>(), "batch size of every layer (replaces the workload's; fills an ONNX model's symbolic batch)")
      ("input-shape", po::value<std::vector<std::string>>()->composing(),
       "ONNX: shape of an input with symbolic dimensions, NAME=AxBx... (repeatable)")
      ("unsupported", po::value<std::string>()->default_value("skip"),
       "ONNX: skip (with a warning) or error on operators Systole cannot run");
}

Workload workload_from_options(const po::variables_map& vm) {
  if (!vm.count("workload")) throw InputError("option --workload is required");
  WorkloadOptions options;
  if (vm.count("batch")) {
    options.batch = vm["batch"].as<std::int64_t>();
    if (*options.batch <= 0)
      throw InputError("option --batch: must be positive, got " + std::to_string(*options.batch));
  }
  if (vm.count("input-shape"))
    for (const std::string& text : vm["input-shape"].as<std::vector<std::string>>())
      options.input_shapes.insert(parse_input_shape(text));
  const std::string unsupported = vm["unsupported"].as<std::string>();
  if (unsupported != "skip" && unsupported != "error")
    throw InputError("option --unsupported: '" + unsupported + "' is not skip or error");
  options.skip_unsupported = unsupported == "skip";
  return load_workload(vm["workload"].as<std::string>(), options);
}

po::variables_map parse_options(int argc, char** argv, const po::options_description& options) {
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
    reject_options_as_values(vm);
  } catch (const po::unknown_option& e) {
    const std::string option = e.get_option_name();  // "--key" or "--key=value"
    const std::string key = option.substr(0, option.find('='));
    const std::size_t name = key.find_first_not_of('-');
    throw InputError(std::string(e.what()) + (name == std::string::npos ? "" : renamed_key_hint(key.substr(name))));
  } catch (const po::error& e) {
    throw InputError(std::string(e.what()));
  }
  return vm;
}

po::options_description run_options() {
  po::options_description options("Options");
  options.add_options()
      ("help,h", "show this help")
      ("arch", po::value<std::string>(), "architecture: an INI file, a SCALE-Sim .cfg, or a preset name")
      ("dataflow", po::value<std::string>(), (dataflow_names() + " (overrides array.dataflow)").c_str())
      ("array", po::value<std::string>(), "array size RxC, e.g. 128x128 (overrides array.rows/cols)")
      ("microarch", po::value<std::string>(), "baseline or pipelined (overrides array.microarch)")
      ("data-type", po::value<std::string>(),
       "int16, int8, int4, int2, int1 (binary: -1 and +1) or fp32 (overrides array.data_type)")
      ("clock-mhz", po::value<std::string>(), "accelerator clock in MHz (overrides general.clock_mhz, default 1000)")
      ("memory", po::value<std::string>(), "ideal or dram (overrides memory.model)")
      ("dram", po::value<std::string>(),
       "ddr4-2400, lpddr4-3200, hbm2 (one pseudo-channel, 16 GB/s: a whole HBM2 stack is --dram-channels 16) or a "
       "DRAMSys memspec .json (overrides dram.spec; selects --memory dram)")
      ("dram-channels", po::value<std::string>(), "DRAM channels (overrides dram.channels; selects --memory dram)")
      ("energy", po::value<std::string>(),
       "energy table: eyeriss-normalized, 65nm-16bit, 45nm (default), a .yaml table or Accelergy ERT map, or none "
       "(overrides energy.table)")
      ("out", po::value<std::string>(), "directory for layers.csv, summary.json, utilization.csv, energy.csv")
      ("verify", po::bool_switch(), "check every layer's outputs against the reference computation")
      ("compute", po::value<std::string>()->default_value("on"),
       "on: the PEs compute on operand values; off: timing-only, without values (every cycle and count the same, "
       "except the MACs zero operands gate; no outputs to verify; ws, os and is)")
      ("engine", po::value<std::string>()->default_value("fold"),
       "how the PEs' values are evaluated: fold, each fold's results at once when it starts (rs: each PE's column "
       "of MACs) (fast; with --vcd-pes "
       "the PE registers are also evaluated, up to the window's last cycle); cycle, every PE register cycle by "
       "cycle (the reference). Every output is the same")
      ("compute-limit-mb", po::value<std::int64_t>()->default_value(1024),
       "a step whose operand values would take more than this runs timing-only, with a warning")
      ("seed", po::value<std::int64_t>()->default_value(1), "seed of the random operands (>= 0)")
      ("sparsity", po::value<std::string>(),
       "fraction of operands drawn as zero, e.g. ifmap=0.5,weights=0.3 (zeros gate MACs: energy only, never cycles)")
      ("sample", po::value<std::int64_t>()->default_value(1000),
       "utilization.csv window: one row per N cycles, with exact sums (--sample 1: every cycle)")
      ("vcd", po::value<std::string>(), "write a VCD waveform to FILE")
      ("vcd-pes", po::value<std::string>(),
       "PEs whose registers go into the VCD: ROWS,COLS with each A or A:B (inclusive), e.g. 0:3,0:3")
      ("vcd-cycles", po::value<std::string>()->default_value("0:99999"),
       "cycles the VCD covers, A:B inclusive")
      ("vcd-max-mb", po::value<std::int64_t>()->default_value(1000),
       "refuse a VCD whose window (--vcd-pes x --vcd-cycles) may exceed this many MB")
      ("timeline", po::value<std::string>(),
       "write a Chrome trace JSON of the run to FILE (layers, steps, phases, folds, counters; opens in "
       "ui.perfetto.dev)")
      ("timeline-window", po::value<std::int64_t>()->default_value(1000), "timeline counters: one sample per N cycles")
      ("timeline-max-mb", po::value<std::int64_t>()->default_value(200),
       "the timeline leaves out later events once it reaches this many MB")
      ("traces", po::value<std::string>(), "SCALE-Sim v2-compatible reports and traces into DIR")
      ("traces-max-mb", po::value<std::int64_t>()->default_value(1000),
       "refuse traces whose estimated size exceeds this many MB (0: SCALE-Sim's reports only, no trace files)")
      ("threads", po::value<int>()->default_value(1),
       "layers simulated at once, each in a worker process (0: one per core); with ideal memory and without "
       "--vcd, --timeline or --traces, results identical to --threads 1")
      ("log-level", po::value<std::string>()->default_value("info"),
       "trace, debug, info, warn, error or off");
  add_workload_options(options);
  return options;
}

std::pair<std::int64_t, std::int64_t> parse_range(const std::string& text, const std::string& option) {
  const std::size_t colon = text.find(':');
  const auto first = parse_integer(trim(text.substr(0, colon)));
  const auto last = colon == std::string::npos ? first : parse_integer(trim(text.substr(colon + 1)));
  if (!first || !last || *first < 0 || *last < *first)
    throw InputError("option --" + option + ": '" + text + "' is not a range A:B with 0 <= A <= B");
  return {*first, *last};
}

VcdOptions parse_vcd_options(const po::variables_map& vm, const ArchConfig& arch) {
  const ArrayConfig& array = arch.array;
  VcdOptions vcd;
  vcd.path = vm["vcd"].as<std::string>();
  std::tie(vcd.cycle_first, vcd.cycle_last) = parse_range(vm["vcd-cycles"].as<std::string>(), "vcd-cycles");
  if (vm.count("vcd-pes")) {
    const std::string text = vm["vcd-pes"].as<std::string>();
    const std::size_t comma = text.find(',');
    if (comma == std::string::npos)
      throw InputError("option --vcd-pes: '" + text + "' is not ROWS,COLS (e.g. 0:3,0:3)");
    const auto rows = parse_range(text.substr(0, comma), "vcd-pes");
    const auto cols = parse_range(text.substr(comma + 1), "vcd-pes");
    if (rows.second >= array.rows || cols.second >= array.cols)
      throw InputError("option --vcd-pes: '" + text + "' is outside the " + std::to_string(array.rows) +
                       "x" + std::to_string(array.cols) + " array");
    if ((rows.second - rows.first + 1) * (cols.second - cols.first + 1) > 4096)
      throw InputError("option --vcd-pes: '" + text + "' names more than 4096 PEs");
    vcd.row_first = static_cast<int>(rows.first);
    vcd.row_last = static_cast<int>(rows.second);
    vcd.col_first = static_cast<int>(cols.first);
    vcd.col_last = static_cast<int>(cols.second);
  }
  const std::int64_t max_mb = vm["vcd-max-mb"].as<std::int64_t>();
  if (max_mb <= 0 || max_mb > (std::int64_t{1} << 40))
    throw InputError("option --vcd-max-mb: must be from 1 to 2^40, got " + std::to_string(max_mb));
  vcd.max_bytes = static_cast<std::uint64_t>(max_mb) * 1'000'000;
  const std::uint64_t bound =
      vcd_size_bound(vcd, array, arch.clock_period_fs(), find_dataflow(arch.dataflow)->traced_pe(array));
  if (bound > vcd.max_bytes) {
    const long long pes = static_cast<long long>(vcd.row_last - vcd.row_first + 1) * (vcd.col_last - vcd.col_first + 1);
    char size[64];
    std::snprintf(size, sizeof size, "%.3g GB", static_cast<double>(bound) / 1e9);
    throw InputError("option --vcd: a VCD of " + std::to_string(pes) + " PEs over " +
                     std::to_string(vcd.cycle_last - vcd.cycle_first + 1) + " cycles may reach " + size +
                     ", above --vcd-max-mb " + std::to_string(max_mb) +
                     ": narrow --vcd-pes or --vcd-cycles, or raise --vcd-max-mb");
  }
  return vcd;
}

std::optional<TimelineOptions> parse_timeline_options(const po::variables_map& vm) {
  if (!vm.count("timeline")) {
    for (const char* option : {"timeline-window", "timeline-max-mb"})
      if (!vm[option].defaulted()) throw InputError(std::string("option --") + option + " needs --timeline FILE");
    return std::nullopt;
  }
  TimelineOptions timeline;
  timeline.path = vm["timeline"].as<std::string>();
  timeline.window = vm["timeline-window"].as<std::int64_t>();
  if (timeline.window <= 0)
    throw InputError("option --timeline-window: must be positive, got " + std::to_string(timeline.window));
  const std::int64_t max_mb = vm["timeline-max-mb"].as<std::int64_t>();
  if (max_mb <= 0 || max_mb > (std::int64_t{1} << 40))
    throw InputError("option --timeline-max-mb: must be from 1 to 2^40, got " + std::to_string(max_mb));
  timeline.max_bytes = static_cast<std::uint64_t>(max_mb) * 1'000'000;
  return timeline;
}

struct TracesOptions {
  std::string dir;
  std::uint64_t max_bytes = 0;
};

// --traces DIR, refused when the traces' estimated size passes
// --traces-max-mb.
std::optional<TracesOptions> parse_traces_options(const po::variables_map& vm, const ArchConfig& arch,
                                                  const Workload& workload) {
  if (!vm.count("traces")) {
    if (!vm["traces-max-mb"].defaulted()) throw InputError("option --traces-max-mb needs --traces DIR");
    return std::nullopt;
  }
  TracesOptions traces;
  traces.dir = vm["traces"].as<std::string>();
  const std::int64_t max_mb = vm["traces-max-mb"].as<std::int64_t>();
  if (max_mb < 0 || max_mb > (std::int64_t{1} << 40))
    throw InputError("option --traces-max-mb: must be from 0 to 2^40, got " + std::to_string(max_mb));
  traces.max_bytes = static_cast<std::uint64_t>(max_mb) * 1'000'000;
  if (max_mb == 0) return traces;
  const std::uint64_t estimate = ScaleSimTraces::estimate_bytes(arch, workload);
  if (estimate > traces.max_bytes) {
    char size[64];
    std::snprintf(size, sizeof size, "%.3g MB", static_cast<double>(estimate) / 1e6);
    throw InputError("option --traces: the demand traces of this run may reach " + std::string(size) +
                     ", above --traces-max-mb " + std::to_string(max_mb) +
                     ": trace fewer layers, raise --traces-max-mb, or give --traces-max-mb 0 for SCALE-Sim's "
                     "reports alone");
  }
  return traces;
}

// Fails, before anything is simulated, unless the run can write `path`
// (under `partial` first, the name it has until it is complete).
void check_writable(const std::string& path, const std::string& partial, const std::string& option) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error))
    throw InputError("option --" + option + ": '" + path + "' is a directory");
  const bool existed = std::filesystem::exists(partial, error);
  if (!std::ofstream(partial, std::ios::app))
    throw InputError("option --" + option + ": cannot write '" + path + "': " + std::strerror(errno));
  if (!existed) std::filesystem::remove(partial, error);
}

// Creates `directory` (its parent must exist) unless it is there, and fails,
// before anything is simulated, unless the run can write `files` into it.
// A directory created here is removed again when it fails.
void prepare_directory(const std::string& directory, const std::vector<std::string>& files, const std::string& option) {
  namespace fs = std::filesystem;
  std::error_code error;
  bool created = false;
  if (fs::exists(directory, error)) {
    if (!fs::is_directory(directory, error))
      throw InputError("option --" + option + ": '" + directory + "' is not a directory");
  } else {
    fs::path path = fs::path(directory).lexically_normal();
    if (!path.has_filename()) path = path.parent_path();  // "DIR/"
    const fs::path parent = path.parent_path();
    if (!parent.empty() && !fs::is_directory(parent, error))
      throw InputError("option --" + option + ": cannot create '" + directory + "': '" + parent.string() +
                       "' is not a directory");
    created = fs::create_directory(directory, error);
    if (error) throw InputError("option --" + option + ": cannot create '" + directory + "': " + error.message());
  }
  try {
    for (const std::string& file : files)
      check_writable(directory + "/" + file, directory + "/" + file + ".partial", option);
  } catch (const InputError&) {
    if (created) fs::remove(directory, error);
    throw;
  }
}

void set_option_key(ArchConfig& arch, const std::string& option, const std::string& key,
                    const std::string& value) {
  try {
    set_config_key(arch, key, value);
  } catch (const std::invalid_argument& e) {
    throw InputError("option --" + option + ": " + e.what());
  }
}

// The shorthand options and the keys they set.
struct Shorthand {
  const char* option;
  std::vector<const char*> keys;
};
const std::vector<Shorthand>& shorthands() {
  static const std::vector<Shorthand> list = {
      {"dataflow", {"array.dataflow"}},     {"microarch", {"array.microarch"}},
      {"data-type", {"array.data_type"}},   {"clock-mhz", {"general.clock_mhz"}},
      {"memory", {"memory.model"}},         {"dram", {"dram.spec"}},
      {"dram-channels", {"dram.channels"}}, {"array", {"array.rows", "array.cols"}},
      {"energy", {"energy.table"}},
  };
  return list;
}

ArchConfig arch_from_options(const po::variables_map& vm) {
  ArchConfig arch = load_arch_config(vm["arch"].as<std::string>());
  validate(arch, arch.source);
  // An option and the key it stands for, both given, would have one win
  // silently.
  for (const Shorthand& shorthand : shorthands())
    for (const char* key : shorthand.keys)
      if (vm.count(shorthand.option) && vm.count(key))
        throw InputError(std::string("options --") + shorthand.option + " and --" + key + " both set " + key +
                         ": give one of them");
  std::vector<std::string> given;
  for (const ConfigKey& key : config_keys())
    if (vm.count(key.name)) {
      set_option_key(arch, key.name, key.name, vm[key.name].as<std::string>());
      given.push_back(key.name);
    }
  for (const Shorthand& shorthand : shorthands()) {
    if (!vm.count(shorthand.option)) continue;
    given.push_back(shorthand.option);
    const std::string value = vm[shorthand.option].as<std::string>();
    if (shorthand.keys.size() == 1) {
      set_option_key(arch, shorthand.option, shorthand.keys[0], value);
      continue;
    }
    const std::string text = to_lower(value);
    const std::size_t x = text.find('x');
    if (x == std::string::npos) throw InputError("option --array: '" + text + "' is not RxC (e.g. 128x128)");
    set_option_key(arch, "array", "array.rows", text.substr(0, x));
    set_option_key(arch, "array", "array.cols", text.substr(x + 1));
  }
  // Naming a DRAM part or its channels on the command line means using it.
  const bool names_dram = vm.count("dram") || vm.count("dram-channels") || vm.count("dram.spec") ||
                          vm.count("dram.channels");
  if (names_dram && !vm.count("memory") && !vm.count("memory.model")) arch.memory_model = MemoryModel::Dram;
  if (arch.memory_model == MemoryModel::Ideal) {
    std::vector<std::string> unused;
    const Dataflow* dataflow = find_dataflow(arch.dataflow);
    const bool on_chip = dataflow != nullptr && dataflow->models_noc_with_ideal_memory();
    for (const std::string& option : given)
      if (((option.rfind("buffer.", 0) == 0 || option.rfind("noc.", 0) == 0) && !on_chip) ||
          option.rfind("dram", 0) == 0)
        unused.push_back("--" + option);
    if (!unused.empty()) {
      std::string list;
      for (const std::string& option : unused) list += (list.empty() ? "" : ", ") + option;
      spdlog::warn("{} {} no effect with ideal memory (--memory dram uses the buffer, the NoC and the DRAM)", list,
                   unused.size() == 1 ? "has" : "have");
    }
  }
  if (arch.memory_model == MemoryModel::Dram) {
    // A memspec's own errors name the memspec: say where it was chosen too.
    const std::string origin = vm.count("dram")        ? "option --dram"
                               : vm.count("dram.spec") ? "option --dram.spec"
                                                       : arch.source + ": dram.spec";
    try {
      resolve_dram(arch.dram, origin);
    } catch (const InputError& e) {
      const std::string what = e.what();
      throw InputError(what.rfind(origin, 0) == 0 ? what : origin + ": " + what);
    }
  }
  if (!given.empty()) {
    // The file was valid on its own: what is wrong now, the options made so.
    std::string origin = given.size() == 1 ? "option" : "options";
    for (std::size_t i = 0; i < given.size(); ++i) origin += (i == 0 ? " --" : ", --") + given[i];
    validate(arch, origin);
  }
  return arch;
}

void configure_logging(const std::string& level_name) {
  const spdlog::level::level_enum level = spdlog::level::from_str(level_name);
  if (level == spdlog::level::off && level_name != "off")
    throw InputError("option --log-level: unknown level '" + level_name + "'");
  spdlog::set_level(level);
}

// How the run is priced: the table energy.table names, checked against
// what this architecture's runs do before anything runs.
std::optional<EnergyModel> energy_model(const ArchConfig& arch) {
  if (arch.energy_table == "none") return std::nullopt;
  EnergyTable table;
  try {
    table = load_energy_table(arch.energy_table);
  } catch (const std::invalid_argument& e) {
    throw InputError("energy.table (--energy): " + std::string(e.what()));
  }
  return EnergyModel(std::move(table), arch, *find_dataflow(arch.dataflow));
}

using CycleEnergyOf = std::function<std::optional<CycleEnergy>(Accelerator&, Simulator&)>;

// The run in this process, layer after layer, with every observer it asks
// for; writes the observers' files (utilization.csv, the VCD, the timeline,
// the SCALE-Sim reports and traces).
RunResult run_serially(const ArchConfig& arch, const RunOptions& run_options, const Workload& workload,
                       const std::string& out_dir, std::int64_t sample, const std::optional<VcdOptions>& vcd,
                       const std::optional<TimelineOptions>& timeline_options,
                       const std::optional<TracesOptions>& traces_options, const CycleEnergyOf& cycle_energy) {
  Accelerator accelerator;
  Simulator simulator(accelerator, arch, run_options);
  std::optional<UtilizationLog> utilization;
  if (!out_dir.empty()) {
    utilization.emplace(out_dir + "/utilization.csv", sample, arch.array.pe_count(), arch.clock_period_ns(),
                        cycle_energy(accelerator, simulator));
    simulator.add_observer(*utilization);
  }
  std::optional<VcdTracer> tracer;
  if (vcd) {
    tracer.emplace(*vcd, arch.array, arch.clock_period_fs(), find_dataflow(arch.dataflow)->traced_pe(arch.array),
                   cycle_energy(accelerator, simulator));
    simulator.add_observer(*tracer);
  }

  // The DRAM's transfer records, for every report that shows them.
  const bool dram_traces = traces_options && traces_options->max_bytes > 0 && simulator.dram_backend() != nullptr;
  std::optional<DramTransferLog> dram_transfers;
  if (simulator.dram_backend() != nullptr && (timeline_options || dram_traces))
    dram_transfers.emplace(*simulator.dram_backend());

  std::optional<TimelineTrace> timeline;
  if (timeline_options) {
    const TimelineHardware hardware{arch.array.pe_count(),
                                    arch.clock_period_ns(),
                                    arch.noc,
                                    simulator.dram_backend(),
                                    [&accelerator] { return accelerator.dram.time_fs(); },
                                    dram_transfers ? &*dram_transfers : nullptr};
    timeline.emplace(*timeline_options, workload.layers, hardware, workload.name + " on " + arch.name);
    simulator.add_observer(*timeline);
  }

  std::optional<ScaleSimReports> scalesim_reports;
  std::optional<ScaleSimTraces> traces;
  if (traces_options) {
    scalesim_reports.emplace(traces_options->dir,
                             ScaleSimArray{arch.array.rows, arch.array.cols, arch.dataflow,
                                           operand_bits(arch.array.data_type), simulator.dram_backend() != nullptr});
    simulator.add_observer(*scalesim_reports);
    if (dram_traces) {
      const DramTraceSource source{
          &*dram_transfers, simulator.dram_backend()->capacity_bytes(),
          ScaleSimTraces::dram_trace_lanes(resolve_dram(arch.dram, "dram.spec"), arch.dram_channels,
                                           static_cast<std::int64_t>(arch.clock_period_fs())),
          static_cast<std::int64_t>(arch.clock_period_fs())};
      traces.emplace(traces_options->dir, traces_options->max_bytes, source);
    } else if (traces_options->max_bytes > 0) {
      traces.emplace(traces_options->dir, traces_options->max_bytes);
    }
    if (traces) simulator.set_demand_trace(&*traces);
  }

  for (int signal : kStopSignals) std::signal(signal, on_interrupt);
  RunResult result = simulator.run(workload);
  for (int signal : kStopSignals) std::signal(signal, SIG_DFL);

  if (utilization) utilization->commit();
  if (tracer) tracer->commit();
  if (timeline) {
    timeline->commit(result);
    if (timeline->truncated())
      spdlog::warn("timeline {}: reached --timeline-max-mb at run cycle {}; later events are left out",
                   timeline_options->path, timeline->truncated_at());
  }
  if (scalesim_reports) scalesim_reports->commit(result);
  if (traces && traces->truncated())
    spdlog::warn("--traces: reached --traces-max-mb in layer {} at cycle {}; later lines are left out",
                 traces->truncated_layer(), traces->truncated_cycle());
  return result;
}

int run_command(int argc, char** argv) {
  po::options_description options = run_options();
  options.add(config_key_options());
  const po::variables_map vm = parse_options(argc, argv, options);
  if (vm.count("help")) {
    std::cout << "Usage: systole run --arch FILE|PRESET --workload FILE [options]\n\n" << options << "\nDataflows:\n";
    for (const DataflowEntry& entry : dataflows()) std::cout << "  " << entry.name << "  " << entry.description << '\n';
    return kExitOk;
  }
  configure_logging(vm["log-level"].as<std::string>());
  if (!vm.count("arch")) throw InputError("option --arch is required");
  if (!vm.count("workload")) throw InputError("option --workload is required");

  const ArchConfig arch = arch_from_options(vm);
  const std::int64_t sample = vm["sample"].as<std::int64_t>();
  if (sample <= 0) throw InputError("option --sample: must be positive, got " + std::to_string(sample));
  const Workload workload = workload_from_options(vm);
  // The reports are UTF-8 (JSON requires it): names that are not would fail
  // them after the whole run.
  if (!valid_utf8(arch.name)) throw InputError(arch.source + ": general.name '" + arch.name + "' is not UTF-8");
  if (!valid_utf8(arch.source)) throw InputError("option --arch: the path '" + arch.source + "' is not UTF-8");
  if (!valid_utf8(workload.source)) throw InputError("option --workload: the path '" + workload.source + "' is not UTF-8");
  if (!valid_utf8(workload.name)) throw InputError(workload.source + ": the workload's name is not UTF-8");
  for (const Layer& layer : workload.layers)
    if (!valid_utf8(layer.name)) throw InputError(workload.source + ": layer name '" + layer.name + "' is not UTF-8");
  const std::string compute = vm["compute"].as<std::string>();
  if (compute != "on" && compute != "off")
    throw InputError("option --compute: '" + compute + "' is neither on nor off");
  const std::int64_t compute_limit_mb = vm["compute-limit-mb"].as<std::int64_t>();
  if (compute_limit_mb < 0 || compute_limit_mb > (std::int64_t{1} << 30))
    throw InputError("option --compute-limit-mb: must be between 0 and 2^30, got " + std::to_string(compute_limit_mb));
  const bool timing_only_capable = find_dataflow(arch.dataflow)->runs_timing_only();
  if (compute == "off") {
    if (!timing_only_capable)
      throw InputError("option --compute off: the " + arch.dataflow + " dataflow always computes (use ws, os or is)");
    if (vm["verify"].as<bool>()) throw InputError("option --verify: --compute off computes no outputs to verify");
    if (vm.count("sparsity")) throw InputError("option --sparsity: --compute off draws no operand values");
    if (vm.count("vcd-pes")) throw InputError("option --vcd-pes: --compute off has no PE register values to trace");
  }
  for (const Layer& layer : workload.layers) {
    check_operand_files(layer, arch.array.data_type);
    const std::int64_t bytes = functional_bytes(layer, arch.array.data_type);
    if (compute == "on" && !timing_only_capable && bytes > (compute_limit_mb << 20))
      throw InputError(workload.source + ": layer '" + layer.name + "' needs " + std::to_string(bytes >> 20) +
                       " MiB of operand values (--compute-limit-mb " + std::to_string(compute_limit_mb) +
                       "), and the " + arch.dataflow + " dataflow cannot run it timing-only");
  }
  if (const std::string problem = memory_problem(arch, workload); !problem.empty())
    throw InputError(arch.source + ": " + problem);
  std::optional<VcdOptions> vcd;
  if (vm.count("vcd")) vcd = parse_vcd_options(vm, arch);
  if (!vcd && vm.count("vcd-pes")) throw InputError("option --vcd-pes needs --vcd FILE");
  const std::string engine = vm["engine"].as<std::string>();
  if (engine != "fold" && engine != "cycle")
    throw InputError("option --engine: '" + engine + "' is neither fold nor cycle");

  RunOptions run_options;
  const std::int64_t seed = vm["seed"].as<std::int64_t>();
  if (seed < 0) throw InputError("option --seed: must not be negative, got " + std::to_string(seed));
  run_options.seed = static_cast<std::uint64_t>(seed);
  if (vm.count("sparsity")) {
    try {
      run_options.sparsity = parse_sparsity(vm["sparsity"].as<std::string>());
    } catch (const std::invalid_argument& e) {
      throw InputError("option --sparsity: " + std::string(e.what()));
    }
    if (const std::string problem = sparsity_problem(run_options.sparsity, arch.array.data_type); !problem.empty())
      throw InputError("option --sparsity: " + problem);
  }
  run_options.verify = vm["verify"].as<bool>();
  run_options.compute = compute == "on";
  run_options.compute_limit_bytes = compute_limit_mb << 20;
  run_options.engine = engine == "cycle" ? PeEngine::Cycle : PeEngine::Fold;
  if (vm.count("vcd-pes")) run_options.probed = {vcd->cycle_first, vcd->cycle_last};
  run_options.show_progress = isatty(STDERR_FILENO);
  run_options.interrupt = &g_interrupted;
  // A waveform shows every cycle as it happens, quiet ones included.
  run_options.skip_ahead = !vcd;

  const std::optional<EnergyModel> energy = energy_model(arch);
  if (vcd) check_writable(vcd->path, vcd->path + ".partial", "vcd");
  const std::optional<TimelineOptions> timeline_options = parse_timeline_options(vm);
  if (timeline_options) check_writable(timeline_options->path, timeline_options->path + ".partial", "timeline");
  const std::optional<TracesOptions> traces_options = parse_traces_options(vm, arch, workload);
  if (traces_options) {
    prepare_directory(traces_options->dir, scalesim_report_names(), "traces");
    if (traces_options->max_bytes > 0 && arch.memory_model == MemoryModel::Ideal)
      spdlog::info("--traces: ideal memory models no DRAM: SRAM traces only, no DRAM traces");
  }
  int threads = vm["threads"].as<int>();
  if (threads < 0 || threads > 1024) throw InputError("option --threads: must be 0-1024, got " + std::to_string(threads));
  if (threads == 0) threads = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
  std::string serial_reason = layer_pool_problem(arch);
  if (vcd) serial_reason = "a VCD follows one process's timeline";
  if (timeline_options) serial_reason = "a timeline follows one process's timeline";
  if (traces_options) serial_reason = "SCALE-Sim traces follow one process's timeline";
  if (threads > 1 && !serial_reason.empty())
    spdlog::info("option --threads: the layers run one after another: {}", serial_reason);
  // Everything is valid: from here on the run writes files.
  release_log_lines();
  std::string out_dir;
  if (vm.count("out")) {
    out_dir = vm["out"].as<std::string>();
    std::error_code error;
    std::filesystem::create_directories(out_dir, error);
    if (error) throw InputError("option --out: cannot create '" + out_dir + "': " + error.message());
    for (const char* name : {"/layers.csv", "/summary.json", "/utilization.csv", "/energy.csv"})
      check_writable(out_dir + name, out_dir + name + ".partial", "out");
  }
  // Power needs energies in pJ.
  const auto cycle_energy = [&](Accelerator& accelerator, Simulator& simulator) -> std::optional<CycleEnergy> {
    if (!energy || !energy->table().absolute()) return std::nullopt;
    return CycleEnergy(*energy, accelerator.global_buffer, simulator.dram_backend(),
                       [&accelerator] { return accelerator.dram.time_fs(); }, arch.clock_period_ns());
  };
  RunResult result;
  if (threads > 1 && serial_reason.empty()) {
    std::optional<AtomicFile> utilization;
    LayerPoolOptions pool;
    pool.workers = threads;
    pool.scratch_parent = out_dir.empty() ? std::filesystem::temp_directory_path().string() : out_dir;
    if (!out_dir.empty()) {
      utilization.emplace(out_dir + "/utilization.csv");
      UtilizationLog::write_header(utilization->stream());
      pool.utilization = &utilization->stream();
      pool.utilization_log = [&](Accelerator& accelerator, Simulator& simulator, const std::string& path) {
        return std::make_unique<UtilizationLog>(path, sample, arch.array.pe_count(), arch.clock_period_ns(),
                                                cycle_energy(accelerator, simulator));
      };
    }
    for (int signal : kStopSignals) std::signal(signal, on_interrupt);
    result = run_layer_pool(arch, run_options, workload, pool);
    for (int signal : kStopSignals) std::signal(signal, SIG_DFL);
    if (utilization) utilization->commit();
  } else {
    result = run_serially(arch, run_options, workload, out_dir, sample, vcd, timeline_options, traces_options,
                          cycle_energy);
  }

  RunDescription description{&arch,  &workload, run_options.seed, run_options.sparsity, run_options.verify, sample,
                             energy ? &*energy : nullptr};
  if (!out_dir.empty()) {
    AtomicFile layers(out_dir + "/layers.csv");
    write_layers_csv(layers.stream(), result, arch.clock_period_ns());
    layers.commit();
    AtomicFile summary(out_dir + "/summary.json");
    summary.stream() << summary_json(description, result).dump(2) << '\n';
    summary.commit();
    if (energy) {
      AtomicFile energy_csv(out_dir + "/energy.csv");
      write_energy_csv(energy_csv.stream(), *energy, result);
      energy_csv.commit();
    }
  }
  print_summary_table(std::cout, description, result);

  for (const LayerStats& layer : result.layers)
    if (layer.verification == Verification::Failed)
      spdlog::error("layer '{}': {}", layer.name, layer.verification_detail);
  if (result.interrupted) {
    spdlog::warn("interrupted after {} of {} layers; reports hold what was simulated",
                 result.completed_layers(), workload.layers.size());
    return 128 + g_signal.load();
  }
  return result.verification_failed() ? kExitFailure : kExitOk;
}

int stats_command(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()
      ("help,h", "show this help")
      ("csv", po::bool_switch(), "print CSV: one row per layer and a last row named total");
  add_workload_options(options);
  const po::variables_map vm = parse_options(argc, argv, options);
  if (vm.count("help")) {
    std::cout << "Usage: systole stats --workload FILE [--csv] [--batch N]\n\n" << options;
    return kExitOk;
  }
  spdlog::set_level(spdlog::level::warn);
  const Workload workload = workload_from_options(vm);
  release_log_lines();
  if (vm["csv"].as<bool>())
    write_stats_csv(std::cout, workload);
  else
    print_stats_table(std::cout, workload);
  return kExitOk;
}

int dram_command(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()
      ("help,h", "show this help")
      ("dram", po::value<std::string>()->default_value("ddr4-2400"),
       "ddr4-2400, lpddr4-3200, hbm2 (one pseudo-channel, 16 GB/s: a whole stack is --dram-channels 16), or a "
       "DRAMSys memspec .json")
      ("dram-channels", po::value<int>()->default_value(1), "independent channels (1-64)")
      ("pattern", po::value<std::string>()->default_value("sequential"), "sequential or random bursts")
      ("requests", po::value<std::int64_t>()->default_value(100000), "bursts to transfer (1-100000000)")
      ("write-fraction", po::value<double>()->default_value(0.0), "share of writes, 0-1")
      ("page-policy", po::value<std::string>()->default_value("open"), "open or closed")
      ("queue-depth", po::value<int>()->default_value(32), "controller queue entries per channel (1-4096)")
      ("no-refresh", po::bool_switch(), "turn refresh off")
      ("mapping", po::value<std::string>()->default_value("ch,bg,co,ba,ra,ro"),
       "address fields from the least significant: ch, bg, co, ba, ra, ro")
      ("seed", po::value<std::int64_t>()->default_value(1), "seed of the random pattern");
  const po::variables_map vm = parse_options(argc, argv, options);
  if (vm.count("help")) {
    std::cout << "Usage: systole dram [options]\n\n" << options;
    return kExitOk;
  }
  const DramSpec spec = resolve_dram(vm["dram"].as<std::string>(), "option --dram");
  DramTrafficOptions traffic;
  traffic.channels = vm["dram-channels"].as<int>();
  if (traffic.channels < 1 || traffic.channels > 64) throw InputError("option --dram-channels: must be 1-64");
  const std::string pattern = vm["pattern"].as<std::string>();
  if (pattern != "sequential" && pattern != "random")
    throw InputError("option --pattern: '" + pattern + "' is not sequential or random");
  traffic.pattern = pattern == "random" ? TrafficPattern::Random : TrafficPattern::Sequential;
  traffic.requests = vm["requests"].as<std::int64_t>();
  if (traffic.requests < 1 || traffic.requests > 100000000) throw InputError("option --requests: must be 1-100000000");
  traffic.write_fraction = vm["write-fraction"].as<double>();
  if (!(traffic.write_fraction >= 0 && traffic.write_fraction <= 1))
    throw InputError("option --write-fraction: must be between 0 and 1");
  const std::string policy = vm["page-policy"].as<std::string>();
  if (policy != "open" && policy != "closed") throw InputError("option --page-policy: '" + policy + "' is not open or closed");
  traffic.controller.open_page = policy == "open";
  traffic.controller.queue_depth = vm["queue-depth"].as<int>();
  if (traffic.controller.queue_depth < 1 || traffic.controller.queue_depth > 4096)
    throw InputError("option --queue-depth: must be 1-4096");
  traffic.controller.refresh = !vm["no-refresh"].as<bool>();
  traffic.mapping = vm["mapping"].as<std::string>();
  const std::int64_t seed = vm["seed"].as<std::int64_t>();
  if (seed < 0) throw InputError("option --seed: must not be negative");
  traffic.seed = static_cast<std::uint64_t>(seed);
  DramTrafficResult r;
  try {
    r = run_dram_traffic(spec, traffic);
  } catch (const std::invalid_argument& e) {
    throw InputError(std::string("option --mapping: ") + e.what());
  }
  const std::int64_t accesses = r.totals.reads + r.totals.writes;
  std::printf("%s (%s), %d channel(s), %s page, %s pattern, %lld bursts of %d B\n", spec.name.c_str(),
              spec.source.c_str(), traffic.channels, policy.c_str(), pattern.c_str(),
              static_cast<long long>(traffic.requests), spec.burst_bytes);
  std::printf("bandwidth      %.2f GB/s = %.1f%% of the %.2f GB/s peak\n", r.gb_per_s,
              100 * r.gb_per_s / r.peak_gb_per_s, r.peak_gb_per_s);
  std::printf("time           %lld DRAM cycles = %.3f us (tCK %.3f ns)\n", static_cast<long long>(r.cycles),
              r.seconds * 1e6, spec.tck_ps * 1e-3);
  std::printf("latency        mean %.1f ns, max %.1f ns (arrival in the queue to the last data beat)\n",
              r.mean_latency_ns, r.max_latency_ns);
  std::printf("row buffer     %.1f%% hits, %.1f%% misses (closed row), %.1f%% conflicts (other row open)\n",
              100.0 * r.totals.row_hits / accesses, 100.0 * r.totals.row_misses / accesses,
              100.0 * r.totals.row_conflicts / accesses);
  std::printf("refreshes      %lld\n", static_cast<long long>(r.totals.refreshes));
  return kExitOk;
}

int figures_command(int argc, char** argv) {
  po::options_description options("Options");
  options.add_options()("help,h", "show this help");
  const po::variables_map vm = parse_options(argc, argv, options);
  if (vm.count("help")) {
    std::cout << "Usage: systole figures\n\nPrints every figure the reports hold, with its unit and meaning, as the "
                 "markdown tables of docs/outputs.md.\n\n"
              << options;
    return kExitOk;
  }
  for (const GeneratedTable& table : generated_tables()) std::cout << "## " << table.name << "\n\n" << table.markdown << '\n';
  return kExitOk;
}

}  // namespace

int run_cli(int argc, char** argv) {
  hold_log_lines();
  try {
    if (argc < 2) {
      print_usage(std::cerr);
      return kExitBadInput;
    }
    const std::string first = argv[1];
    if (first == "--help" || first == "-h" || first == "help") {
      print_usage(std::cout);
      return kExitOk;
    }
    if (first == "--version") {
      std::cout << "systole " << kVersion << "\n";
      return kExitOk;
    }
    int exit_code = -1;
    if (first == "run") exit_code = run_command(argc - 1, argv + 1);
    if (first == "stats") exit_code = stats_command(argc - 1, argv + 1);
    if (first == "dram") exit_code = dram_command(argc - 1, argv + 1);
    if (first == "figures") exit_code = figures_command(argc - 1, argv + 1);
    if (first == "sweep") exit_code = sweep_command(argc - 1, argv + 1);
    if (exit_code >= 0) {
      release_log_lines();
      return exit_code;
    }
    std::cerr << "systole: error: unknown subcommand '" << first << "' (try systole --help)\n";
    return kExitBadInput;
  } catch (const InputError& e) {
    // The one line: what was logged while reading the inputs goes unsaid.
    discard_log_lines();
    // Errors quote the input: never echo its control bytes or stray binary.
    std::cerr << "systole: error: " << printable(e.what()) << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    release_log_lines();
    std::cerr << "systole: internal error: " << printable(e.what()) << "\n";
    return kExitFailure;
  }
}

}  // namespace systole
