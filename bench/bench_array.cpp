// Simulation speed: simulated PE-cycles per wall-clock second for large GEMMs
// on 32x32, 128x128 and 256x256 arrays in each dataflow and for a narrow one
// (M = 16, a recurrent layer's shape) on 128x128, with the functional
// computation on (it always is), on each engine (models/array/pe_engine.hpp:
// the cycle engine ticks every PE register, the fold engine evaluates each
// fold at once; their outputs are the same), and ResNet-50 on 128x128 WS with ideal
// memory, with DDR4-2400, and with DDR4-2400 behind a narrow NoC (time,
// simulated cycles per second, peak memory). Each figure is the median of
// --repeat runs; the wall time covers
// the whole layer: data generation, lowering, the clocked simulation (action
// counting is always on) and pricing the counts with the default energy
// table, whose energy per MAC each line shows.
//
//   systole_bench [--repeat N] [--resnet50 PATH] [--skip-resnet50] [--engine cycle|fold|both]

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <systemc>

#include "models/accelerator.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/report/energy_report.hpp"
#include "sim/workload/scalesim_topology.hpp"

using namespace systole;

namespace {

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// One per process, for every run (SystemC elaborates once).
Accelerator& accelerator() {
  static Accelerator* accelerator = new Accelerator;
  return *accelerator;
}

struct PricedRun {
  RunResult result;
  double seconds = 0;      // simulating and pricing
  double pj_per_mac = 0;   // with arch.energy_table
};

PricedRun run(const ArchConfig& arch, const Workload& workload, PeEngine engine = PeEngine::Fold) {
  const auto start = std::chrono::steady_clock::now();
  RunOptions options;
  options.engine = engine;
  Simulator simulator(accelerator(), arch, options);
  PricedRun run{simulator.run(workload)};
  const EnergyModel energy(load_energy_table(arch.energy_table), arch, *find_dataflow(arch.dataflow));
  run.pj_per_mac = run_energy(energy, run.result).total() / static_cast<double>(run.result.total_macs);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return run;
}

ArchConfig array(int size, const std::string& dataflow) {
  ArchConfig arch;
  arch.array.rows = arch.array.cols = size;
  arch.dataflow = dataflow;
  return arch;
}

long peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

void bench_resnet50(const std::string& path, int repeat) {
  if (!std::filesystem::exists(path)) {
    std::printf("resnet50: %s not found, skipped\n", path.c_str());
    return;
  }
  const Workload workload = load_scalesim_topology(path);
  double ideal_rate = 0;
  // DDR4-2400, one channel, 64 KB partitions; the last adds a NoC of 32-word
  // buses with a 4-cycle latency and 8 two-port banks per partition.
  for (const char* memory : {"ideal", "dram", "dram + narrow NoC"}) {
    ArchConfig arch = array(128, "ws");
    arch.memory_model = std::string(memory) == "ideal" ? MemoryModel::Ideal : MemoryModel::Dram;
    if (std::string(memory) == "dram + narrow NoC") {
      arch.noc = {32, 32, 32, 4};
      arch.buffer.banks = 8;
      arch.buffer.read_ports = 2;
      arch.buffer.write_ports = 2;
      arch.buffer.word_bytes = 8;
    }
    std::vector<double> seconds;
    std::int64_t cycles = 0;
    double pj_per_mac = 0;
    for (int i = 0; i < repeat; ++i) {
      const PricedRun priced = run(arch, workload);
      seconds.push_back(priced.seconds);
      cycles = priced.result.total_cycles;
      pj_per_mac = priced.pj_per_mac;
    }
    const double s = median(seconds);
    const double rate = cycles / s;
    if (ideal_rate == 0) ideal_rate = rate;
    std::printf("resnet50 128x128 ws baseline int8, fold engine, %s memory: %lld cycles, median %.2f s, %.3g cycles/s "
                "(%.2fx the ideal-memory rate), %.3g PE-cycles/s, %.3g pJ/MAC (%s), peak RSS so far %ld MB\n",
                memory, static_cast<long long>(cycles), s, rate, rate / ideal_rate, cycles * 16384.0 / s,
                pj_per_mac, arch.energy_table.c_str(), peak_rss_mb());
  }
}

}  // namespace

int sc_main(int argc, char** argv) {
  accelerator();  // first, to fix the time resolution
  int repeat = 3;
  std::string resnet = std::string(SYSTOLE_SHARED_DIR) + "/scalesim/topologies/conv_nets/Resnet50.csv";
  bool skip_resnet = false;
  std::vector<PeEngine> engines = {PeEngine::Cycle, PeEngine::Fold};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const std::string value = i + 1 < argc ? argv[i + 1] : "";
    if (arg == "--repeat" && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--resnet50" && i + 1 < argc) resnet = argv[++i];
    else if (arg == "--skip-resnet50") skip_resnet = true;
    else if (arg == "--engine" && (value == "cycle" || value == "fold" || value == "both")) {
      ++i;
      if (value != "both") engines = {value == "cycle" ? PeEngine::Cycle : PeEngine::Fold};
    } else {
      std::fprintf(stderr,
                   "usage: systole_bench [--repeat N] [--resnet50 PATH] [--skip-resnet50] [--engine cycle|fold|both]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  // First, so the peak memory it reports is its own.
  if (!skip_resnet) bench_resnet50(resnet, repeat);

  struct Case { int size; std::int64_t m, n, k; };
  // The last is narrow: M = 16 (a recurrent layer's step at batch 16) keeps
  // each row's window about 17 PEs wide in WS and uses 16 columns (IS) or
  // rows (OS), so costs per row rather than per PE dominate.
  const Case cases[] = {{32, 4096, 512, 512}, {128, 4096, 1024, 1024}, {256, 4096, 1024, 1024}, {128, 16, 4096, 4096}};
  std::printf("%-8s %-4s %-6s %12s %12s %10s %14s %12s %10s\n", "array", "df", "engine", "GEMM MxNxK", "cycles",
              "median s", "PE-cycles/s", "ns/PE-cycle", "pJ/MAC");
  for (const Case& c : cases) {
    for (const std::string dataflow : {"ws", "os", "is"}) {
      Workload workload;
      workload.layers = {make_gemm_layer("gemm", c.m, c.n, c.k)};
      for (PeEngine engine : engines) {
        std::vector<double> seconds;
        std::int64_t cycles = 0;
        double pj_per_mac = 0;
        for (int i = 0; i < repeat; ++i) {
          const PricedRun priced = run(array(c.size, dataflow), workload, engine);
          seconds.push_back(priced.seconds);
          cycles = priced.result.total_cycles;
          pj_per_mac = priced.pj_per_mac;
        }
        const double s = median(seconds);
        const double pe_cycles = static_cast<double>(cycles) * c.size * c.size;
        const std::string shape = std::to_string(c.m) + "x" + std::to_string(c.n) + "x" + std::to_string(c.k);
        std::printf("%3dx%-4d %-4s %-6s %12s %12lld %10.3f %14.3g %12.3f %10.3g\n", c.size, c.size,
                    dataflow.c_str(), engine == PeEngine::Cycle ? "cycle" : "fold", shape.c_str(),
                    static_cast<long long>(cycles), s, pe_cycles / s, 1e9 * s / pe_cycles, pj_per_mac);
        std::fflush(stdout);
      }
    }
  }
  return 0;
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
