// `systole run --threads N` (sim/engine/layer_pool.hpp): layers simulated in
// worker processes give, file for file and byte for byte, what the serial
// run gives; an interrupted pooled run keeps what it has, as a serial one does.

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <sstream>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tests/helpers.hpp"

using namespace systole::test;

TEST_CASE("run --threads 2 writes what the serial run writes, byte for byte", "[cli][threads]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kEveryLayerKindYaml);
  struct Case {
    std::string dataflow, microarch, sample, data_type;
  };
  // Windows of 7 and 1000 cycles end inside layers and at their ends; fp32
  // sums depend on their order, so its outputs show any PE-order difference.
  for (const Case& c : std::vector<Case>{{"ws", "pipelined", "7", "int8"},
                                         {"os", "baseline", "1", "int16"},
                                         {"is", "pipelined", "1000", "fp32"},
                                         {"rs", "pipelined", "13", "int16"}}) {
    INFO(c.dataflow << " " << c.microarch << " --sample " << c.sample << " " << c.data_type);
    std::vector<std::string> args = {"run", "--arch", c.dataflow == "rs" ? "eyeriss" : "systole-32x32",
                                     "--workload", dir + "/net.yaml", "--dataflow", c.dataflow,
                                     "--sample", c.sample, "--verify", "--log-level", "warn",
                                     "--sparsity", "ifmap=0.3,weights=0.2"};
    if (c.dataflow != "rs") {
      args.insert(args.end(), {"--array", "8x8", "--microarch", c.microarch, "--data-type", c.data_type});
    }
    const std::string serial = dir + "/serial-" + c.dataflow, pooled = dir + "/pooled-" + c.dataflow;
    std::vector<std::string> serial_args = args, pooled_args = args;
    serial_args.insert(serial_args.end(), {"--out", serial});
    pooled_args.insert(pooled_args.end(), {"--out", pooled, "--threads", "2"});
    const CommandResult one = run_systole(serial_args);
    const CommandResult two = run_systole(pooled_args);
    INFO("serial stderr: " << one.err << "\npooled stderr: " << two.err);
    REQUIRE(one.exit_code == 0);
    REQUIRE(two.exit_code == 0);
    for (const char* file : {"/layers.csv", "/utilization.csv", "/energy.csv"}) {
      INFO(file);
      const std::string expected = read_file(serial + file);
      REQUIRE(expected.size() > 100);
      CHECK(read_file(pooled + file) == expected);
    }
    const nlohmann::json summary = summary_without_wall_clock(serial + "/summary.json");
    CHECK(summary_without_wall_clock(pooled + "/summary.json") == summary);
    // The runs really checked their outputs.
    CHECK(summary["verification"] == "passed");
    // Nothing of the workers' scratch is left behind.
    for (const auto& entry : std::filesystem::directory_iterator(pooled))
      CHECK(entry.path().filename().string().rfind(".systole-layers-", 0) == std::string::npos);
  }
}

TEST_CASE("utilization.csv windows start afresh at each layer", "[cli][threads]") {
  // Two layers whose cycle counts are not multiples of the window: each
  // layer's rows start at its first cycle and add up to its cycles.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\na, 37, 5, 6,\nb, 23, 9, 4,\n");
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "8x8", "--workload",
                                         dir + "/net.csv", "--sample", "7", "--out", dir + "/out", "--log-level",
                                         "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto layers = read_csv(dir + "/out/layers.csv");
  const auto windows = read_csv(dir + "/out/utilization.csv");
  REQUIRE(layers.size() == 3);
  const auto column = [](const std::vector<std::vector<std::string>>& table, const std::string& name) {
    const auto& header = table.front();
    return static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin());
  };
  const std::size_t first_cycle = column(layers, "first_cycle"), cycles = column(layers, "cycles");
  const std::size_t window_cycle = column(windows, "cycle"), window_cycles = column(windows, "cycles"),
                    window_layer = column(windows, "layer");
  REQUIRE(first_cycle < layers.front().size());
  REQUIRE(window_layer < windows.front().size());
  for (std::size_t l = 0; l < 2; ++l) {
    const std::int64_t start = std::stoll(layers[l + 1][first_cycle]), length = std::stoll(layers[l + 1][cycles]);
    REQUIRE(length % 7 != 0);
    std::int64_t expected_start = start, covered = 0;
    for (std::size_t r = 1; r < windows.size(); ++r) {
      if (std::stoll(windows[r][window_layer]) != static_cast<std::int64_t>(l)) continue;
      CHECK(std::stoll(windows[r][window_cycle]) == expected_start);
      const std::int64_t n = std::stoll(windows[r][window_cycles]);
      CHECK(n == std::min<std::int64_t>(7, start + length - expected_start));
      expected_start += n;
      covered += n;
    }
    CHECK(covered == length);
  }
}

TEST_CASE("an interrupted --threads run keeps the layers it finished in order", "[cli][threads][interrupt]") {
  // Two layers of 16 × 16 folds of 2·128 + 5000 + 128 − 2 cycles each, a
  // few seconds each on the cycle engine (the fold engine takes a tenth of
  // a second, which a loaded machine's scheduling can outlast): both
  // workers are busy when the signal comes, once each has written some
  // 100-cycle windows of its layer.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\nfirst, 5000, 2048, 2048,\nsecond, 5000, 2048, 2048,\n");
  constexpr std::int64_t kLayerCycles = 16 * 16 * (2 * 128 + 5000 + 128 - 2);
  const std::string out = dir + "/out", err = dir + "/stderr";
  const pid_t pid = start_command(SYSTOLE_BINARY,
                                  {"run", "--arch", "systole-32x32", "--array", "128x128", "--workload",
                                   dir + "/net.csv", "--out", out, "--sample", "100", "--threads", "2", "--engine",
                                   "cycle", "--log-level", "warn"},
                                  "/dev/null", err);
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  // A worker's rows reach its scratch file when the stream's buffer fills.
  const auto both_working = [&] {
    int started = 0;
    std::error_code error;
    for (const auto& scratch : std::filesystem::directory_iterator(out, error)) {
      if (scratch.path().filename().string().rfind(".systole-layers-", 0) != 0) continue;
      for (const char* fragment : {"/0.csv.partial", "/1.csv.partial"})
        if (std::filesystem::file_size(scratch.path().string() + fragment, error) > 0 && !error) ++started;
    }
    return started == 2;
  };
  int status = 0;
  bool exited = false;
  while (!(exited = waitpid(pid, &status, WNOHANG) == pid) && !both_working() &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  INFO("stderr: " << read_file(err));
  REQUIRE_FALSE(exited);
  REQUIRE(both_working());
  kill(pid, SIGTERM);
  while (!(exited = waitpid(pid, &status, WNOHANG) == pid) && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (!exited) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  REQUIRE(exited);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 143);
  CHECK(read_file(err).find("interrupted after 0 of 2 layers") != std::string::npos);
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  CHECK(summary["status"] == "interrupted");
  const std::int64_t cycles = summary["totals"]["cycles"]["value"].get<std::int64_t>();
  CHECK(cycles > 0);
  CHECK(cycles < kLayerCycles);
  // utilization.csv holds exactly the interrupted first layer's cycles.
  const auto windows = read_csv(out + "/utilization.csv");
  std::int64_t covered = 0;
  for (std::size_t r = 1; r < windows.size(); ++r) {
    CHECK(windows[r][2] == "0");
    covered += std::stoll(windows[r][1]);
  }
  CHECK(covered == cycles);
  const auto layers = read_csv(out + "/layers.csv");
  CHECK(layers.size() == 2);
  // The workers are gone and so is their scratch.
  for (const auto& entry : std::filesystem::directory_iterator(out))
    CHECK(entry.path().filename().string().rfind(".systole-layers-", 0) == std::string::npos);
}

TEST_CASE("option --threads: bad values are refused, and runs that cannot split say so and run serially", "[cli][threads]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\na, 4, 4, 4,\nb, 5, 5, 5,\n");
  const std::vector<std::string> base = {"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.csv"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const CommandResult negative = run_systole(with({"--threads", "-1"}));
  CHECK(negative.exit_code == 2);
  CHECK(negative.err.find("option --threads: must be 0-1024, got -1") != std::string::npos);
  const CommandResult dram = run_systole(with({"--threads", "2", "--memory", "dram", "--out", dir + "/dram"}));
  INFO(dram.err);
  CHECK(dram.exit_code == 0);
  CHECK(dram.err.find("option --threads: the layers run one after another: the DRAM's state") != std::string::npos);
  const CommandResult all_cores = run_systole(with({"--threads", "0", "--out", dir + "/all"}));
  CHECK(all_cores.exit_code == 0);
  CHECK(read_csv(dir + "/all/layers.csv").size() == 3);
}

TEST_CASE("the workers of a --threads run killed outright end with it", "[cli][threads][interrupt]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\nfirst, 5000, 2048, 2048,\nsecond, 5000, 2048, 2048,\n");
  const pid_t pid = start_command(SYSTOLE_BINARY,
                                  {"run", "--arch", "systole-32x32", "--array", "128x128", "--workload",
                                   dir + "/net.csv", "--threads", "2", "--log-level", "warn"},
                                  "/dev/null", dir + "/stderr");
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(1);
  // The workers are the run's children (Linux lists them in /proc).
  std::vector<pid_t> workers;
  while (workers.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    workers.clear();
    std::istringstream children(read_file("/proc/" + std::to_string(pid) + "/task/" + std::to_string(pid) + "/children"));
    for (pid_t child; children >> child;) workers.push_back(child);
  }
  REQUIRE(workers.size() == 2);
  kill(pid, SIGKILL);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  // Gone, or a zombie no one has reaped yet: either way no longer running.
  const auto running = [](pid_t worker) {
    const std::string stat = read_file("/proc/" + std::to_string(worker) + "/stat");
    const std::size_t close = stat.rfind(')');
    return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
  };
  for (pid_t worker : workers) {
    while (running(worker) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK_FALSE(running(worker));
  }
}
