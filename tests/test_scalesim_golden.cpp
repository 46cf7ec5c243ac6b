// Against SCALE-Sim v2's own reports (../shared/scalesim/cases/*/expected):
// the baseline microarchitecture must take exactly one cycle more per layer
// than SCALE-Sim prints, because SCALE-Sim reports the 0-based timestamp of
// the last output, and must match its mapping efficiency. And every topology
// SCALE-Sim ships must load or be refused with a one-line reason.

#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/config/arch_config.hpp"
#include "sim/config/input_error.hpp"
#include "sim/workload/scalesim_topology.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

TEST_CASE("cycle counts equal SCALE-Sim's plus one", "[scalesim][golden]") {
  SYSTOLE_REQUIRE_TEST_DATA(kScaleSimDir / "cases", kScaleSimHowToGet);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kScaleSimDir / "cases")) {
    const fs::path report = entry.path() / "expected" / "COMPUTE_REPORT.csv";
    if (!fs::exists(report)) continue;
    fs::path topology;
    for (const auto& file : fs::directory_iterator(entry.path()))
      if (file.path().extension() == ".csv") topology = file.path();
    const ArchConfig arch = load_arch_config((entry.path() / "config.cfg").string());
    const Workload workload = load_scalesim_topology(topology.string());
    const RunResult result = simulate(arch, workload.layers);
    const auto rows = read_csv(report.string());
    REQUIRE(rows.size() == workload.layers.size() + 1);
    for (std::size_t i = 0; i < workload.layers.size(); ++i) {
      INFO(entry.path().filename().string() << " layer " << i);
      const LayerStats& layer = result.layers[i];
      CHECK(layer.verification == Verification::Passed);
      CHECK(layer[Counter::Cycles] == std::stoll(rows[i + 1][1]) + 1);
      CHECK(100 * layer.mapping_efficiency == Approx(std::stod(rows[i + 1][4])).epsilon(1e-9));
    }
    ++cases;
  }
  CHECK(cases >= 13);
}

TEST_CASE("buffer reads and writes equal SCALE-Sim's SRAM accesses", "[scalesim][golden]") {
  // SCALE-Sim v2's DETAILED_ACCESS_REPORT.csv gives, per layer, the values
  // the array reads from the ifmap and filter SRAMs and writes into the
  // ofmap SRAM (the ifmap_reads, filter_reads and ofmap_writes of
  // scalesim/compute/systolic_compute_{ws,os,is}.py, one per operand or
  // result of each fold). In OS, create_ofmap_demand_mat then also adds the
  // padded fold's rows plus columns, R + C per fold, which no value makes
  // (docs/validation.md): Systole's ofmap writes are the outputs.
  SYSTOLE_REQUIRE_TEST_DATA(kScaleSimDir / "cases", kScaleSimHowToGet);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kScaleSimDir / "cases")) {
    const fs::path report = entry.path() / "expected" / "DETAILED_ACCESS_REPORT.csv";
    if (!fs::exists(entry.path() / "expected")) continue;
    REQUIRE(fs::exists(report));
    fs::path topology;
    for (const auto& file : fs::directory_iterator(entry.path()))
      if (file.path().extension() == ".csv") topology = file.path();
    const ArchConfig arch = load_arch_config((entry.path() / "config.cfg").string());
    const Workload workload = load_scalesim_topology(topology.string());
    const RunResult result = simulate(arch, workload.layers);
    const auto rows = read_csv(report.string());
    REQUIRE(rows.size() == workload.layers.size() + 1);
    for (std::size_t i = 0; i < workload.layers.size(); ++i) {
      INFO(entry.path().filename().string() << " layer " << i);
      const LayerStats& layer = result.layers[i];
      CHECK(layer.verification == Verification::Passed);
      CHECK(layer[Counter::BufferIfmapReads] == std::stoll(rows[i + 1][3]));
      CHECK(layer[Counter::BufferFilterReads] == std::stoll(rows[i + 1][6]));
      const std::int64_t scalesim_ofmap_writes = std::stoll(rows[i + 1][9]);
      if (arch.dataflow == "os") {
        const std::int64_t outputs = layer.gemm.m * layer.gemm.n * layer.groups;
        CHECK(layer[Counter::BufferOfmapWrites] == outputs);
        CHECK(scalesim_ofmap_writes ==
              outputs + (arch.array.rows + arch.array.cols) * layer[Counter::Folds]);
      } else {
        CHECK(layer[Counter::BufferOfmapWrites] == scalesim_ofmap_writes);
      }
    }
    ++cases;
  }
  CHECK(cases >= 13);
}

TEST_CASE("every shipped SCALE-Sim topology loads or is refused in one line", "[scalesim]") {
  SYSTOLE_REQUIRE_TEST_DATA(kScaleSimDir / "topologies", kScaleSimHowToGet);
  int loaded = 0, refused = 0;
  for (const auto& entry : fs::recursive_directory_iterator(kScaleSimDir / "topologies")) {
    if (entry.path().extension() != ".csv") continue;
    try {
      const Workload workload = load_scalesim_topology(entry.path().string());
      CHECK_FALSE(workload.layers.empty());
      ++loaded;
    } catch (const InputError& e) {
      const std::string message = e.what();
      INFO(message);
      CHECK(message.find(entry.path().string() + ":") == 0);
      CHECK(message.find('\n') == std::string::npos);
      ++refused;
    }
  }
  // All but CSV/LSTM.csv (symbolic sizes) and CSV/MLPERF.csv (a typo).
  CHECK(refused == 2);
  CHECK(loaded >= 30);
  // The real networks SCALE-Sim itself chokes on.
  const Workload resnet = load_scalesim_topology((kScaleSimDir / "topologies/conv_nets/Resnet50.csv").string());
  CHECK(resnet.layers.front().name == "Conv1");
  CHECK(load_scalesim_topology((kScaleSimDir / "topologies/conv_nets/UNet_maestro.csv").string()).layers.size() > 10);
  // '#dw' annotations after the stride; network names as heading rows.
  CHECK(load_scalesim_topology((kScaleSimDir / "topologies/conv_nets/mobilnet_paper.csv").string()).layers.size() > 10);
  // MLPERF.csv's network-name rows read as headings; its line 219 reads
  // "FC, 1, 1, 1, ,1 2, 2, 1," and is refused.
  CHECK_THROWS_WITH(load_scalesim_topology((kScaleSimDir / "topologies/CSV/MLPERF.csv").string()),
                    Catch::Contains("MLPERF.csv:219: Filter Width is '', not an integer"));
  // Symbolic sizes cannot load.
  CHECK_THROWS_WITH(load_scalesim_topology((kScaleSimDir / "topologies/CSV/LSTM.csv").string()),
                    Catch::Contains("LSTM.csv:2: IFMAP Width is 'B', not an integer"));
}
