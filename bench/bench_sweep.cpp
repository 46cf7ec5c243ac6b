// The cost of a sweep beyond its simulations: per run, the time a worker
// spends outside Simulator::run (building the point's architecture and
// energy model, the summary and layer rows, the SQLite transaction), plus
// planning (expanding, hashing, constraints) per point, and the start of a
// worker process; and the worker's resident memory over a long sweep, which
// must stay flat (one Accelerator serves every run).
//
//   systole_bench_sweep [--points N] [--keep DIR]
//
// The sweep: N points of small arrays (rows and columns 4..32, three
// dataflows, DRAM memory) on one small GEMM, so the simulations are short
// and the overhead shows.

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <spdlog/spdlog.h>
#include <systemc>

#include "models/accelerator.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/result_store.hpp"
#include "sim/sweep/results_folder.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_plan.hpp"

using namespace systole;
using Clock = std::chrono::steady_clock;

namespace {

long rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

// User and system CPU time of this process so far.
double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec + 1e-6 * (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int sc_main(int argc, char** argv) {
  int points = 600;
  std::string keep;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--points") && i + 1 < argc) points = std::atoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--keep") && i + 1 < argc) keep = argv[++i];
    else {
      std::fprintf(stderr, "usage: systole_bench_sweep [--points N] [--keep DIR]\n");
      return 2;
    }
  }
  spdlog::set_level(spdlog::level::warn);
  char pattern[] = "/tmp/systole-bench-sweep-XXXXXX";
  const std::string dir = keep.empty() ? mkdtemp(pattern) : keep;
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir + "/gemm.yaml") << "name: gemm\nlayers:\n  - {name: g, type: gemm, m: 32, n: 32, k: 32}\n";
    std::ofstream sweep(dir + "/sweep.yaml");
    sweep << "name: bench\nbase: systole-32x32\nset: {memory.model: dram}\naxes:\n"
          << "  array.rows: {from: 4, to: 32, step: 1}\n  array.cols: {from: 4, to: 32, step: 1}\n"
          << "  array.dataflow: [ws, os, is]\n"
          << "sample: {points: " << points << ", seed: 1}\n"
          << "constraints: ['rows * cols <= 1024', 'area_mm2 < 100']\n"
          << "workloads: [gemm.yaml]\nresults: results\n";
  }
  const auto plan_start = Clock::now();
  const SweepFile sweep = read_sweep_file(dir + "/sweep.yaml");
  const SweepPlan plan = plan_sweep(sweep);
  const double plan_seconds = seconds_since(plan_start);
  const ResultsFolder folder{sweep.results_dir};
  folder.create();

  Accelerator accelerator;
  std::atomic<bool> never{false};
  PointRunner runner(accelerator, sweep, &never);
  ResultStore store(folder.shard_db("bench"), true);
  std::printf("sweep: %zu runs (%llu points sampled, %llu pruned), planned in %.3f s = %.2f ms per point\n",
              plan.runs.size(), static_cast<unsigned long long>(plan.points),
              static_cast<unsigned long long>(plan.pruned_points), plan_seconds,
              1e3 * plan_seconds / static_cast<double>(plan.points));
  std::printf("%8s %10s\n", "runs", "RSS KB");
  const auto start = Clock::now();
  const double cpu_start = cpu_seconds();
  long rss_first = 0, rss_last = 0;
  std::size_t failed = 0;
  for (std::size_t r = 0; r < plan.runs.size(); ++r) {
    const std::optional<StoredRun> stored = runner.run(plan.runs[r]);
    store.put(*stored);
    failed += stored->status != "completed";
    if ((r + 1) % 100 == 0 || r + 1 == plan.runs.size()) {
      rss_last = rss_kb();
      if (rss_first == 0) rss_first = rss_last;
      std::printf("%8zu %10ld\n", r + 1, rss_last);
    }
  }
  const double total = seconds_since(start);
  const double cpu = cpu_seconds() - cpu_start;
  const double simulation = runner.simulation_seconds();
  const double n = static_cast<double>(plan.runs.size());
  std::printf("runs: %.3f s in all, %.3f s simulating (%zu failed): overhead %.2f ms per run beyond the simulation\n",
              total, simulation, failed, 1e3 * (total - simulation) / n);
  // The rest of the wall time waits on the disk: each run's transaction
  // is synced (SQLite's default), so that a crash never loses a stored run.
  std::printf("of which CPU: %.2f ms per run (the rest waits on the disk for each run's synced commit)\n",
              1e3 * (cpu - simulation) / n);
  std::printf("RSS: %ld KB after the first 100 runs, %ld KB after %zu (%+ld KB, %+.2f KB per run)\n", rss_first,
              rss_last, plan.runs.size(), rss_last - rss_first,
              static_cast<double>(rss_last - rss_first) / std::max(1.0, n - 100));

  // A worker process's fixed cost: start, read and plan the sweep, elaborate
  // SystemC, find nothing left to run.
  const auto worker_start = Clock::now();
  const std::string command = std::string(SYSTOLE_BINARY) + " sweep run " + dir + "/sweep.yaml --shard 0/1 --writer bench > /dev/null";
  if (std::system(command.c_str()) != 0) std::fprintf(stderr, "the worker failed: %s\n", command.c_str());
  std::printf("a worker process with nothing left to run: %.3f s (once per worker or Slurm task)\n",
              seconds_since(worker_start));
  if (keep.empty()) std::filesystem::remove_all(dir);
  return 0;
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
