// The DRAM memory model behind the array (--memory dram): tiles move from
// DRAM through the global buffer before each fold may start.

#include <catch2/catch.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <variant>

#include <nlohmann/json.hpp>

#include "models/accelerator.hpp"
#include "models/dram/dram_system.hpp"
#include "models/memory/global_buffer.hpp"
#include "models/memory/memory_controller.hpp"
#include "models/noc/noc_bus.hpp"
#include "sim/dataflow/edge_rates.hpp"
#include "sim/dataflow/gemm_dataflow.hpp"
#include "sim/dataflow/gemm_step_plan.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/config/memspec.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/workload/lowering.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

// What the DRAM did, per layer, for its energy.
constexpr Counter kDramActions[] = {Counter::DramActivates,           Counter::DramPrecharges,
                                    Counter::DramReadBursts,          Counter::DramWriteBursts,
                                    Counter::DramRefreshes,           Counter::DramActiveStandbyCycles,
                                    Counter::DramPrechargeStandbyCycles};

std::int64_t dram_bytes(const LayerStats& l) {
  std::int64_t total = 0;
  for (int o = 0; o < 3; ++o) total += l[per_operand(Counter::DramIfmapReadBytes, static_cast<Operand>(o))];
  total += l[Counter::DramOfmapWriteBytes];
  return total;
}

// Replays on a DRAM system of its own what the memory controller does for a
// one-fold layer whose operands fit on chip: read the filter and ifmap tiles,
// let `compute` cycles pass, write the outputs. Returns the accelerator
// cycles (1 ns) the reads and the write take.
std::pair<std::int64_t, std::int64_t> fetch_and_write_back(const std::string& dram, int channels,
                                                           std::int64_t filter_bytes, std::int64_t ifmap_bytes,
                                                           std::int64_t compute, std::int64_t output_bytes) {
  DramSystem system(dram_preset(dram), channels);
  const std::int64_t capacity = system.capacity_bytes();
  std::int64_t cycle = 0;  // accelerator cycles of 1 ns
  auto tick = [&] { system.advance_to(++cycle * 1000000); };
  auto run_until_done = [&](std::vector<std::uint64_t> ids) {
    std::int64_t cycles = 0;
    auto all_done = [&] {
      for (auto id : ids)
        if (!system.done(id)) return false;
      return true;
    };
    while (!all_done()) {
      tick();
      ++cycles;
    }
    return cycles;
  };
  const std::int64_t fetch =
      run_until_done({system.transfer(MemoryController::region_base(Operand::Filter, capacity), filter_bytes, false),
                      system.transfer(MemoryController::region_base(Operand::Ifmap, capacity), ifmap_bytes, false)});
  for (std::int64_t i = 0; i < compute; ++i) tick();
  const std::int64_t write =
      run_until_done({system.transfer(MemoryController::region_base(Operand::Ofmap, capacity), output_bytes, true)});
  return {fetch, write};
}

}  // namespace

TEST_CASE("a bandwidth-bound layer runs at the DRAM's bandwidth", "[memory]") {
  // FC 4096 -> 4096 at batch 1 on a pipelined 128x128 WS array: 1024 folds of
  // 128 cycles of compute but 16 KB of weights each, 853 ns at 19.2 GB/s.
  const Layer fc = [] {
    Layer l = make_gemm_layer("fc", 1, 4096, 4096);
    l.kind = LayerKind::FullyConnected;
    return l;
  }();
  const ArchConfig arch = with_dram(array_config(128, 128, "ws", Microarch::Pipelined),
                                    "ddr4-2400");
  const RunResult result = simulate(arch, {fc});
  const LayerStats& l = result.layers.at(0);
  CHECK(l.verification == Verification::Passed);
  // Every weight once, the input vector once, the output vector once (int8).
  CHECK(dram_bytes(l) == 4096LL * 4096 + 4096 + 4096);
  const double floor_ns = dram_bytes(l) / dram_preset("ddr4-2400").peak_gb_per_s();
  CHECK(l[Counter::Cycles] >= floor_ns);
  CHECK(l[Counter::Cycles] <= 1.10 * floor_ns);
  CHECK(l[Counter::StallDramCycles] > l[Counter::Cycles] / 2);
}

TEST_CASE("each layer's DRAM commands and standby cycles add up to the run's", "[memory][energy]") {
  // A conv and an FC layer around an element-wise one: the DRAM refreshes
  // and idles through the vector unit's 20,000 cycles (about 2.6 tREFI).
  Layer add;
  add.name = "add";
  add.kind = LayerKind::Eltwise;
  add.elements = 64 * 20000;
  const std::vector<Layer> layers = {conv_layer(14, 14, 16, 32, 3, 3), add, make_gemm_layer("fc", 4, 256, 512)};
  const int channels = 2;
  const DramSpec spec = dram_preset("ddr4-2400");
  const RunResult result = simulate(with_dram(array_config(16, 16, "ws"), "ddr4-2400", channels), layers);
  REQUIRE(result.layers.size() == 3);
  Counters sum;
  for (const LayerStats& l : result.layers) sum += l.counters;
  const DramChannelStats& run = result.dram_stats;
  CHECK(sum[Counter::DramActivates] == run.activates);
  CHECK(sum[Counter::DramPrecharges] == run.precharges);
  CHECK(sum[Counter::DramReadBursts] == run.reads);
  CHECK(sum[Counter::DramWriteBursts] == run.writes);
  CHECK(sum[Counter::DramRefreshes] == run.refreshes);
  CHECK(sum[Counter::DramActiveStandbyCycles] == run.active_standby_cycles);
  CHECK(sum[Counter::DramPrechargeStandbyCycles] == run.precharge_standby_cycles);
  // Every DRAM cycle of the run (1 ns accelerator cycles, tCK 833,333 fs),
  // in one state or the other, on each channel.
  const std::int64_t dram_cycles = result.total_cycles * 1000000 / std::llround(spec.tck_ps * 1000);
  CHECK(run.active_standby_cycles + run.precharge_standby_cycles == channels * dram_cycles);
  for (const LayerStats& l : result.layers) {
    INFO(l.name);
    const std::int64_t layer_dram_cycles =
        l[Counter::DramActiveStandbyCycles] + l[Counter::DramPrechargeStandbyCycles];
    // A layer's DRAM cycles are its own time, to within the one DRAM cycle
    // straddling each of its ends.
    CHECK(std::abs(layer_dram_cycles - channels * l[Counter::Cycles] * 1.2) <= 2 * channels);
    // Every byte moved in whole bursts of 64 B, a burst per RD or WR.
    CHECK(l[Counter::DramReadBursts] * 64 >= dram_read_bytes(l.counters));
    CHECK(l[Counter::DramWriteBursts] * 64 >= dram_write_bytes(l.counters));
  }
  // The element-wise layer moves nothing but refreshes; the others open rows.
  const LayerStats& vector = result.layers[1];
  CHECK(vector[Counter::DramActivates] == 0);
  CHECK(vector[Counter::DramReadBursts] + vector[Counter::DramWriteBursts] == 0);
  CHECK(vector[Counter::DramRefreshes] >= 2 * channels);
  CHECK(result.layers[0][Counter::DramActivates] > 0);
  CHECK(result.layers[2][Counter::DramActivates] > 0);

  // With ideal memory there is no DRAM to count.
  const RunResult ideal = simulate(array_config(16, 16, "ws"), layers);
  for (const LayerStats& l : ideal.layers)
    for (Counter c : kDramActions) CHECK(l[c] == 0);
}

TEST_CASE("the accelerator clock sets how much DRAM time a cycle holds", "[memory]") {
  const Layer fc = make_gemm_layer("fc", 1, 2048, 2048);
  ArchConfig arch = with_dram(array_config(128, 128, "ws", Microarch::Pipelined), "ddr4-2400");
  const std::int64_t at_1000 = simulate(arch, {fc}).layers.at(0)[Counter::Cycles];
  arch.clock_mhz = 500;
  const std::int64_t at_500 = simulate(arch, {fc}).layers.at(0)[Counter::Cycles];
  // DRAM-bound: the same nanoseconds are half as many 500 MHz cycles.
  CHECK(at_500 == Approx(at_1000 / 2.0).epsilon(0.05));
  // With ideal memory the cycle count does not depend on the clock.
  ArchConfig ideal = array_config(128, 128, "ws", Microarch::Pipelined);
  const std::int64_t ideal_1000 = simulate(ideal, {fc}).layers.at(0)[Counter::Cycles];
  ideal.clock_mhz = 500;
  CHECK(simulate(ideal, {fc}).layers.at(0)[Counter::Cycles] == ideal_1000);
}

TEST_CASE("a layer that fits on chip runs as with ideal memory plus its first fetch and last write",
          "[memory]") {
  // GEMM M=64, N=32, K=32 on 32x32 WS: one fold; the filters (1 KB) and the
  // inputs (2 KB) fit in half their partitions, so both arrive before the
  // fold starts, and the 2 KB of outputs go back to DRAM after it.
  const Layer gemm = make_gemm_layer("g", 64, 32, 32);
  const ArchConfig ideal = array_config(32, 32, "ws");
  const std::int64_t ideal_cycles = simulate(ideal, {gemm}).layers.at(0)[Counter::Cycles];
  const LayerStats l = simulate(with_dram(ideal, "hbm2", 4), {gemm}).layers.at(0);
  CHECK(l.verification == Verification::Passed);
  const auto [fetch, write_back] = fetch_and_write_back("hbm2", 4, 1024, 2048, ideal_cycles, 2048);
  // The fold starts in the cycle the last tile arrives; the run ends the
  // cycle after the last write is seen done.
  CHECK(l[Counter::Cycles] == ideal_cycles + (fetch - 1) + write_back);
  // Both waits are DRAM stall: what is left is the ideal run's compute.
  CHECK(l[Counter::StallDramCycles] == (fetch - 1) + write_back);
  CHECK(l[Counter::StallNocCycles] + l[Counter::StallBufferCycles] == 0);

  // A NoC latency of L cycles delays the fold L cycles after its tiles
  // arrive, and the write-back L cycles after its results leave the array.
  constexpr int kLatency = 7;
  ArchConfig slow = with_dram(ideal, "hbm2", 4);
  slow.noc.latency = kLatency;
  const LayerStats delayed = simulate(slow, {gemm}).layers.at(0);
  CHECK(delayed.verification == Verification::Passed);
  const auto [fetch_again, late_write] =
      fetch_and_write_back("hbm2", 4, 1024, 2048, ideal_cycles + 2 * kLatency, 2048);
  CHECK(fetch_again == fetch);
  CHECK(delayed[Counter::Cycles] == ideal_cycles + (fetch - 1) + 2 * kLatency + late_write);
  CHECK(delayed[Counter::StallNocCycles] == 2 * kLatency);
  CHECK(delayed[Counter::StallDramCycles] == (fetch - 1) + late_write);
}

TEST_CASE("the NoC latency is paid where something waits for it, and charged to the NoC", "[memory][noc]") {
  // FC 64 -> 8 at batch 1 on 8x8 WS pipelined: 8 K folds of one element,
  // all tiles fetched with the first and resident after, one 8-byte write
  // at the end. Only the first fold waits for its tiles to cross the NoC
  // and only the last write-back for the results: 2L in all.
  Layer fc = make_gemm_layer("fc", 1, 8, 64);
  ArchConfig arch = with_dram(array_config(8, 8, "ws", Microarch::Pipelined), "hbm2", 4);
  const LayerStats prompt = simulate(arch, {fc}).layers.at(0);
  arch.noc.latency = 20;
  const LayerStats late = simulate(arch, {fc}).layers.at(0);
  CHECK(late[Counter::Folds] == 8);
  CHECK(late[Counter::Cycles] - prompt[Counter::Cycles] == 2 * 20);
  CHECK(late[Counter::StallNocCycles] == 2 * 20);
  CHECK(late[Counter::StallDramCycles] == prompt[Counter::StallDramCycles]);
  // On a 128x128 baseline array a 4x1x8 GEMM's slot outlasts its write-back,
  // so only the first fetch's latency shows.
  ArchConfig big = with_dram(array_config(128, 128, "ws"), "hbm2", 4);
  const Layer tiny = make_gemm_layer("g", 4, 1, 8);
  const LayerStats hidden_before = simulate(big, {tiny}).layers.at(0);
  big.noc.latency = 16;
  const LayerStats hidden = simulate(big, {tiny}).layers.at(0);
  CHECK(hidden[Counter::Cycles] - hidden_before[Counter::Cycles] == 16);
  CHECK(hidden[Counter::StallNocCycles] == 16);
  CHECK(hidden[Counter::Cycles] - hidden[Counter::StallNocCycles] - hidden[Counter::StallDramCycles] ==
        hidden_before[Counter::Cycles] - hidden_before[Counter::StallDramCycles]);
}

TEST_CASE("tiles fill the buffer, and write-backs leave it, no faster than its ports move them", "[memory]") {
  // GEMM M=1024, N=8, K=8 on 8x8 WS: one fold; 8 KB of inputs, 64 B of
  // filters, 1024x8 int32 partial sums, 8 KB of int8 outputs. HBM2 on 4
  // channels delivers 64 B a cycle; one bank of four 8-byte write ports takes
  // 32 B a cycle (its 64 read ports are ample, and its write ports take the
  // array's 8 partial sums a cycle: the array runs at full speed). The
  // inputs are written in cycles 0-255, so the fold starts in cycle 255, not
  // when DRAM has delivered them.
  const Layer gemm = make_gemm_layer("g", 1024, 8, 8);
  const ArchConfig ideal = array_config(8, 8, "ws");
  const std::int64_t ideal_cycles = simulate(ideal, {gemm}).layers.at(0)[Counter::Cycles];
  ArchConfig arch = with_dram(ideal, "hbm2", 4);
  const LayerStats unlimited = simulate(arch, {gemm}).layers.at(0);
  arch.buffer.banks = 1;
  arch.buffer.read_ports = 64;
  arch.buffer.write_ports = 4;
  arch.buffer.word_bytes = 8;
  const LayerStats ported = simulate(arch, {gemm}).layers.at(0);
  CHECK(ported.verification == Verification::Passed);
  const auto [fetch, write_back] = fetch_and_write_back("hbm2", 4, 64, 8192, ideal_cycles, 1024 * 8);
  REQUIRE(fetch - 1 < 255);  // DRAM alone would be faster
  CHECK(unlimited[Counter::Cycles] == ideal_cycles + (fetch - 1) + write_back);
  const auto [fetch_again, late_write] =
      fetch_and_write_back("hbm2", 4, 64, 8192, ideal_cycles + 255 - (fetch - 1), 1024 * 8);
  CHECK(ported[Counter::Cycles] == ideal_cycles + 255 + late_write);
  CHECK(ported[Counter::StallBufferCycles] == 255 - (fetch - 1));
  CHECK(ported[Counter::StallDramCycles] == unlimited[Counter::StallDramCycles]);
  // One read port (8 B a cycle) gives DRAM the 8 KB of outputs in 1024
  // cycles, far longer than DRAM takes to write them: the last result leaves
  // in cycle ideal_cycles + 254 (the fold started 255 cycles late), and the
  // ports read the outputs in that cycle and the 1023 after it.
  arch.buffer.read_ports = 1;
  const LayerStats draining = simulate(arch, {gemm}).layers.at(0);
  CHECK(draining.verification == Verification::Passed);
  CHECK(draining[Counter::Cycles] == ideal_cycles + 254 + 1024);
  CHECK(draining[Counter::StallBufferCycles] == (255 - (fetch - 1)) + (1024 - late_write - 1));
  CHECK(draining[Counter::StallDramCycles] == unlimited[Counter::StallDramCycles]);
}

TEST_CASE("buffer occupancy follows the tiles: reserved at the read, freed after the last use", "[memory]") {
  // The layer above: both inputs are reserved from cycle 0 (1 KB of filters,
  // 2 KB of inputs), the 64x32 int32 partial-sum block (8 KB) from the
  // fold's start until its outputs are in DRAM, which ends the run.
  const Layer gemm = make_gemm_layer("g", 64, 32, 32);
  const ArchConfig arch = with_dram(array_config(32, 32, "ws"), "hbm2", 4);
  class Occupancy : public RunObserver {
   public:
    void begin_step(int, std::int64_t) override {}
    void on_cycle(const CycleActivity& a, const Execution&) override {
      rows.push_back({a.active_pes, a.buffer_bytes[0], a.buffer_bytes[1], a.buffer_bytes[2]});
    }
    std::vector<std::array<std::int64_t, 4>> rows;
  } occupancy;
  Simulator simulator(accelerator(), arch, {});
  simulator.add_observer(occupancy);
  Workload workload;
  workload.layers = {gemm};
  const LayerStats stats = simulator.run(workload).layers.at(0);
  CHECK(stats[Counter::BufferIfmapPeakBytes] == 2048);
  CHECK(stats[Counter::BufferFilterPeakBytes] == 1024);
  CHECK(stats[Counter::BufferOfmapPeakBytes] == 64 * 32 * 4);
  const auto& rows = occupancy.rows;
  REQUIRE(rows.size() > 2);
  CHECK(rows.front() == std::array<std::int64_t, 4>{0, 2048, 1024, 0});
  std::size_t computing = 0;
  for (const auto& row : rows)
    if (row[0] > 0) {
      ++computing;
      CHECK(row == std::array<std::int64_t, 4>{row[0], 2048, 1024, 64 * 32 * 4});
    }
  CHECK(computing > 0);
  CHECK(rows.back() == std::array<std::int64_t, 4>{0, 0, 0, 0});
}

TEST_CASE("halving the DRAM bandwidth never makes a run faster", "[memory]") {
  const std::vector<Layer> layers = {conv_layer(28, 28, 32, 64, 3, 3, 1, 1), make_gemm_layer("g", 256, 512, 384),
                                     conv_layer(14, 14, 64, 64, 3, 3, 1, 1, /*groups=*/64)};
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined}) {
      ArchConfig arch = array_config(16, 16, dataflow, microarch);
      arch.buffer = GlobalBufferConfig::separate(16 * 1024, 16 * 1024, 16 * 1024);
      const RunResult two = simulate(with_dram(arch, "lpddr4-3200", 2), layers);
      const RunResult one = simulate(with_dram(arch, "lpddr4-3200", 1), layers);
      const RunResult ideal = simulate(arch, layers);
      for (std::size_t i = 0; i < layers.size(); ++i) {
        INFO(dataflow << " " << to_string(microarch) << " layer " << i);
        CHECK(one.layers[i].verification == Verification::Passed);
        CHECK(one.layers[i][Counter::Cycles] >= two.layers[i][Counter::Cycles]);
        CHECK(two.layers[i][Counter::Cycles] >= ideal.layers[i][Counter::Cycles]);
        CHECK(ideal.layers[i][Counter::StallDramCycles] == 0);
        // Stalls only explain time beyond what the array needs: what is left
        // is at least the ideal-memory run.
        for (const RunResult* run : {&one, &two})
          CHECK(run->layers[i][Counter::Cycles] - run->layers[i][Counter::StallDramCycles] >= ideal.layers[i][Counter::Cycles]);
        CHECK(dram_bytes(one.layers[i]) == dram_bytes(two.layers[i]));
      }
    }
}

TEST_CASE("tiles that do not fit the buffer are refused before the run", "[memory][cli]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/arch.ini", "[array]\nrows = 32\ncols = 32\n[memory]\nmodel = dram\n[buffer]\nfilter_kb = 1\n");
  write_file(dir + "/net.csv", "Layer, M, N, K,\ng, 64, 64, 64,\n");
  const CommandResult run = run_systole({"run", "--arch", dir + "/arch.ini", "--workload", dir + "/net.csv",
                                         "--out", dir + "/out"});
  CHECK(run.exit_code == 2);
  // WS on 32x32: the stationary tile is 32x32 int8 = 1024 B, two of them 2 KB.
  CHECK(run.err.find("arch.ini: layer 'g': the filter buffer (1024 B) cannot hold two tiles of 1024 B "
                     "(double buffered); it needs at least 2 KB") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir + "/out"));
  const CommandResult ok = run_systole({"run", "--arch", dir + "/arch.ini", "--workload", dir + "/net.csv",
                                        "--buffer.filter_kb", "64", "--dram", "hbm2", "--out", dir + "/out",
                                        "--log-level", "warn"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(ok.out.find("memory: 0.008 MB read, 0.004 MB written") != std::string::npos);
  const auto rows = read_csv(dir + "/out/layers.csv");
  REQUIRE(rows.size() == 2);
  const auto column = [&](const std::string& name) {
    for (std::size_t i = 0; i < rows[0].size(); ++i)
      if (rows[0][i] == name) return rows[1][i];
    return std::string("missing");
  };
  // 64x64 int8 filters and inputs in, 64x64 int8 outputs out.
  CHECK(column("dram_read_bytes") == "8192");
  CHECK(column("dram_write_bytes") == "4096");
  CHECK(std::stoll(column("stall_cycles")) > 0);
  CHECK(std::stoll(column("compute_cycles")) + std::stoll(column("stall_cycles")) == std::stoll(column("cycles")));

  // utilization.csv's windows add up to the layer's NoC words and to the
  // DRAM's bursts.
  std::int64_t noc[3] = {0, 0, 0}, dram = 0;
  const auto windows = read_csv(dir + "/out/utilization.csv");
  for (std::size_t i = 1; i < windows.size(); ++i) {
    for (int n = 0; n < 3; ++n) noc[n] += std::stoll(windows[i][5 + n]);
    dram += std::stoll(windows[i][8]);
  }
  // 64x64x64 on 32x32 WS: 4 folds (2 K halves x 2 column blocks), each
  // streaming 64 elements into 32 rows, loading 32 rows of 32, and sending 64
  // partial sums out of each of 32 columns.
  CHECK(noc[0] == 4 * 64 * 32);
  CHECK(noc[1] == 4 * 32 * 32);
  CHECK(noc[2] == 4 * 64 * 32);
  CHECK(noc[0] == std::stoll(column("noc_left_words")));
  CHECK(noc[1] == std::stoll(column("noc_top_words")));
  CHECK(noc[2] == std::stoll(column("noc_out_words")));
  const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/out/summary.json"));
  const auto& m = summary["memory"];
  const std::int64_t bursts = m["row_hits"]["value"].get<std::int64_t>() + m["row_misses"]["value"].get<std::int64_t>() +
                              m["row_conflicts"]["value"].get<std::int64_t>();
  CHECK(dram == bursts * dram_preset("hbm2").burst_bytes);
  CHECK(dram >= 8192 + 4096);
}

namespace {

std::vector<NocId> grid_ids(int rows, int cols) {
  std::vector<NocId> ids;
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) ids.push_back({r, c});
  return ids;
}

}  // namespace

TEST_CASE("NoC bus: zero-load latency of unicast, multicast and broadcast", "[memory][noc]") {
  // 8x8 PEs, 4 words a cycle, latency 3, FIFOs of 4 words. On an idle bus
  // the last of w words sent in cycle t arrives at t + ceil(w/4) - 1 + 3,
  // whether it reaches one PE, a row of eight or all 64.
  NocBus bus(4, 3, grid_ids(8, 8), 4);
  CHECK(bus.send(10, 1, {2, 3}) == 13);
  CHECK(bus.send(20, 4, {2, NocId::kAny}) == 23);
  CHECK(bus.send(30, 4, {NocId::kAny, NocId::kAny}) == 33);
  CHECK(bus.send(40, 4, {NocId::kAny, 5}) == 43);
  CHECK(bus.stats().transfers == 4);
  CHECK(bus.stats().words == 13);
  CHECK(bus.stats().multicasts == 3);
  CHECK(bus.stats().deliveries == 1 + 4 * 8 + 4 * 64 + 4 * 8);
  CHECK(bus.stats().wait_cycles == 0);
  // Eyeriss-style IDs need not be unique: PEs sharing an ID all take it.
  NocBus shared(1, 2, {{0, 0}, {0, 0}, {0, 1}}, 1);
  CHECK(shared.send(0, 1, {0, 0}) == 2);
  CHECK(shared.stats().deliveries == 2);
  CHECK_THROWS_AS(shared.send(1, 1, {1, 0}), std::invalid_argument);
  CHECK_THROWS_AS(shared.send(1, 2, {0, 0}), std::invalid_argument);  // more than a FIFO holds
}

TEST_CASE("NoC bus: saturation at W words a cycle, and back-pressure from a full FIFO", "[memory][noc]") {
  // 100 transfers of 4 words to different PEs, all offered in cycle 0, on a
  // 4-word bus: one leaves per cycle, the last arrives after 99 + 3 cycles.
  NocBus saturated(4, 3, grid_ids(10, 10), 4);
  std::int64_t last = 0;
  for (int i = 0; i < 100; ++i) last = saturated.send(0, 4, {i / 10, i % 10});
  CHECK(last == 99 + 3);
  CHECK(saturated.stats().words == 400);
  CHECK(saturated.stats().wait_cycles == 99 * 100 / 2);
  CHECK(saturated.stats().blocked_cycles == 0);
  // Small transfers share a cycle: 16 one-word unicasts, 4 a cycle.
  NocBus shared_cycles(4, 0, grid_ids(16, 1), 1);
  for (int r = 0; r < 16; ++r) last = shared_cycles.send(0, 1, {r, 0});
  CHECK(last == 3);
  // One PE consuming a word a cycle behind a 2-word FIFO, sent transfers of
  // two words: transfer 0's words arrive in cycle 3 and are consumed in 3
  // and 4. A word may arrive only after the word two ahead of it has been
  // consumed, so transfer i >= 1 sends its first word in cycle 2i - 1 and
  // its second in 2i (arriving at 2i + 3), one cycle after the bus was free.
  // The bus carries 1 word a cycle whatever its width.
  NocBus blocked(4, 3, grid_ids(1, 1), 2);
  for (int i = 0; i < 100; ++i) last = blocked.send(0, 2, {0, 0});
  CHECK(last == 2 * 99 + 3);
  CHECK(blocked.stats().wait_cycles == 99 * 99);  // sum of 2i - 1 over i = 1..99
  CHECK(blocked.stats().blocked_cycles == 99);
  // A full FIFO holds back only transfers addressed to its PE: with PE
  // (0, 0)'s one-word FIFO taken until cycle 1, a word for (0, 1) still
  // leaves in cycle 0, and the next one for (0, 0) in cycle 1.
  NocBus two(4, 0, grid_ids(1, 2), 1);
  CHECK(two.send(0, 1, {0, 0}) == 0);
  CHECK(two.send(0, 1, {0, 1}) == 0);
  CHECK(two.send(0, 1, {0, 0}) == 1);
  CHECK(two.send(0, 1, {0, NocId::kAny}) == 2);  // a broadcast waits for both
}

TEST_CASE("the array's edge feed is the unicast case of the bus", "[memory][noc]") {
  // A 16-row left edge on a 4-word bus: each stream element is 16 unicast
  // words, one per row (tag (r, 0)); offered back to back, element m's last
  // word arrives at 4m + 3 + latency: one element every 4 cycles, the
  // spacing sim/dataflow/edge_rates.hpp gives the fold.
  NocBus bus(4, 2, grid_ids(16, 1), 2);
  for (int m = 0; m < 10; ++m) {
    std::int64_t last = 0;
    for (int r = 0; r < 16; ++r) last = bus.send(0, 1, {r, 0});
    CHECK(last == 4 * m + 3 + 2);
  }
  ArchConfig arch = with_dram(array_config(16, 16, "ws"), "hbm2");
  arch.noc.left_words = 4;
  const auto& ws = dynamic_cast<const GemmDataflow&>(*find_dataflow("ws"));
  Mapping mapping = ws.map(arch.array, {10, 16, 16}, 1);
  apply_edge_rates(ws, arch, arch.buffer.partition(), mapping);
  REQUIRE(mapping.folds.size() == 1);
  CHECK(mapping.folds[0].stream_spacing == 4);
}

TEST_CASE("a narrow NoC spaces out the stream: each fold lasts (T-1)(k-1) cycles longer", "[memory][noc]") {
  // GEMM M=8, N=4, K=8 on 4x4 WS baseline: 2 folds (the two K halves of one
  // column block) of T = 8. A left bus of 2 words a cycle feeds the 4 rows
  // every k = 2 cycles, so element m enters at s + 2m + r and each fold's
  // slot grows by (T-1)(k-1) = 7 cycles. The operands fit on chip and the
  // outputs leave once at the end, so the DRAM work is the same in both runs.
  const Layer gemm = make_gemm_layer("g", 8, 4, 8);
  ArchConfig arch = with_dram(array_config(4, 4, "ws"), "hbm2", 4);
  const LayerStats wide = simulate(arch, {gemm}).layers.at(0);
  arch.noc.left_words = 2;
  const LayerStats narrow = simulate(arch, {gemm}).layers.at(0);
  CHECK(narrow.verification == Verification::Passed);
  CHECK(narrow[Counter::Cycles] - wide[Counter::Cycles] == 2 * 7);
  CHECK(narrow[Counter::StallNocCycles] == 2 * 7);
  CHECK(wide[Counter::StallNocCycles] == 0);
  CHECK(narrow[Counter::Macs] == wide[Counter::Macs]);
  // The collection bus: 2 words a cycle for the 4 partial sums each element
  // sends out of the bottom edge spaces the stream the same way.
  arch.noc.left_words = 0;
  arch.noc.out_words = 2;
  const LayerStats collected = simulate(arch, {gemm}).layers.at(0);
  CHECK(collected.verification == Verification::Passed);
  CHECK(collected[Counter::Cycles] - wide[Counter::Cycles] == 2 * 7);
  CHECK(collected[Counter::StallNocCycles] == 2 * 7);
  // Two words a cycle from one bank of two read ports (and four write
  // ports, so results leave freely): the banks conflict, and they also feed
  // the stationary rows, 4 words each, so every row takes q = 2 cycles and
  // each baseline slot loads for q·R = 8 cycles instead of 4.
  arch.noc.out_words = 0;
  arch.buffer.banks = 1;
  arch.buffer.read_ports = 2;
  arch.buffer.write_ports = 4;
  const LayerStats banked = simulate(arch, {gemm}).layers.at(0);
  CHECK(banked.verification == Verification::Passed);
  CHECK(banked[Counter::Cycles] - wide[Counter::Cycles] == 2 * (7 + 4));
  CHECK(banked[Counter::StallBufferCycles] == 2 * (7 + 4));
  CHECK(banked[Counter::StallNocCycles] == 0);
  // Ports of 8-byte words move two int32 partial sums each: one write port
  // per bank is as good as two 4-byte ones.
  arch.buffer.write_ports = 1;
  arch.buffer.word_bytes = 8;
  arch.buffer.read_ports = 1;
  const LayerStats wide_words = simulate(arch, {gemm}).layers.at(0);
  CHECK(wide_words[Counter::Cycles] - wide[Counter::Cycles] == 2 * 7);  // 8 int8 operands per read: loads at full speed
  CHECK(wide_words[Counter::StallBufferCycles] == 2 * 7);   // 2 partial sums per write for 4 columns
  // Two write ports: the first K fold's 4 fresh partial sums a cycle fit,
  // but the second adds to them, a read as well as a write per value, and
  // one read port moves 2: only that fold is spaced out.
  arch.buffer.write_ports = 2;
  const LayerStats accumulating = simulate(arch, {gemm}).layers.at(0);
  CHECK(accumulating.verification == Verification::Passed);
  CHECK(accumulating[Counter::Cycles] - wide[Counter::Cycles] == 7);
  CHECK(accumulating[Counter::StallBufferCycles] == 7);
}

TEST_CASE("a narrow bus to the stationary rows slows the loads: q cycles per row", "[memory][noc]") {
  // The same two K folds on 4x4 WS, stationary rows of 4 words over a top
  // bus of 1 word a cycle: q = 4 cycles per row.
  const Layer gemm = make_gemm_layer("g", 8, 4, 8);
  ArchConfig arch = with_dram(array_config(4, 4, "ws"), "hbm2", 4);
  const LayerStats wide = simulate(arch, {gemm}).layers.at(0);
  arch.noc.top_words = 1;
  // Baseline: each slot loads for q·R = 16 cycles instead of R = 4.
  const LayerStats baseline = simulate(arch, {gemm}).layers.at(0);
  CHECK(baseline.verification == Verification::Passed);
  CHECK(baseline[Counter::Cycles] - wide[Counter::Cycles] == 2 * 12);
  CHECK(baseline[Counter::StallNocCycles] == 2 * 12);
  // 2 folds x 4 rows x 4 words, one word in each of the 2 x 16 load cycles.
  CHECK(baseline[Counter::NocTopWords] == 32);
  CHECK(baseline[Counter::NocTopBusyCycles] == 32);
  // Pipelined: row r is written at L + 4r + 3, so fold 0 streams from
  // L + q + (q-1)(R-1) = L + 13 instead of L + 1. Fold 1's 16 load cycles
  // start at L + 16 (one row on the bus at a time), so its stream starts at
  // L + 29, not at L + 1 + T = L + 9 behind fold 0's: 12 + 20 cycles later
  // in all. Its last result leaves R-1 + C-1 + T-1 + 1 = 14 cycles after
  // that; unit rates end at L + 9 + 14. The operands are on chip from the
  // same cycle in both runs (the fetch is the same), so the difference is
  // (29 + 14) - (9 + 14) = 20.
  arch.array.microarch = Microarch::Pipelined;
  arch.noc.top_words = 0;
  const LayerStats pipelined_wide = simulate(arch, {gemm}).layers.at(0);
  arch.noc.top_words = 1;
  const LayerStats pipelined = simulate(arch, {gemm}).layers.at(0);
  CHECK(pipelined.verification == Verification::Passed);
  CHECK(pipelined[Counter::Cycles] - pipelined_wide[Counter::Cycles] == 20);
  CHECK(pipelined[Counter::StallNocCycles] == 20);
}

TEST_CASE("a narrow collection bus spaces out OS results at the column ports", "[memory][noc]") {
  // 4x4 OS, GEMM 4x4x6: one fold, 16 results. With an out bus of 1 word a
  // cycle the column ports send one result each every q = 4 cycles, so the
  // last result (row 3 of column 3) leaves at s + 5 + 3 + 4·3 instead of
  // s + 5 + 3 + 3: 9 cycles later. Baseline slots grow by (q-1)(R-1) = 9.
  const Layer gemm = make_gemm_layer("g", 4, 4, 6);
  for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined}) {
    ArchConfig arch = with_dram(array_config(4, 4, "os", microarch), "hbm2", 4);
    const LayerStats wide = simulate(arch, {gemm}).layers.at(0);
    arch.noc.out_words = 1;
    const LayerStats narrow = simulate(arch, {gemm}).layers.at(0);
    INFO(to_string(microarch));
    CHECK(narrow.verification == Verification::Passed);
    CHECK(narrow[Counter::Cycles] - wide[Counter::Cycles] == 9);
    CHECK(narrow[Counter::StallNocCycles] == 9);
    CHECK(narrow[Counter::NocOutWords] == 16);
  }
  // Baseline, GEMM 16x4x60: four row blocks, each slot 9 cycles longer, all
  // of it charged to the NoC.
  ArchConfig arch = with_dram(array_config(4, 4, "os"), "hbm2", 4);
  const Layer four_folds = make_gemm_layer("g", 16, 4, 60);
  const LayerStats wide = simulate(arch, {four_folds}).layers.at(0);
  arch.noc.out_words = 1;
  const LayerStats narrow = simulate(arch, {four_folds}).layers.at(0);
  CHECK(narrow[Counter::Folds] == 4);
  CHECK(narrow[Counter::Cycles] - wide[Counter::Cycles] == 4 * 9);
  CHECK(narrow[Counter::StallNocCycles] == 4 * 9);
  // A fold of 2 rows needs no spacing on a 2-word bus, however many columns
  // it has: column c sends row r at s + last + c + r, and in any cycle
  // (c + r = j) at most the 2 rows have a result to send. GEMM 2x4x6 on 4x4:
  // not a cycle more than with an unlimited bus.
  const Layer two_rows = make_gemm_layer("g", 2, 4, 6);
  for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined}) {
    INFO(to_string(microarch));
    arch.array.microarch = microarch;
    arch.noc.out_words = 0;
    const LayerStats unlimited = simulate(arch, {two_rows}).layers.at(0);
    arch.noc.out_words = 2;
    const LayerStats two_words = simulate(arch, {two_rows}).layers.at(0);
    CHECK(two_words.verification == Verification::Passed);
    CHECK(two_words[Counter::Cycles] == unlimited[Counter::Cycles]);
    CHECK(two_words[Counter::StallNocCycles] == 0);
  }
}

TEST_CASE("spaced streams, loads and result ports compute correctly in every dataflow", "[memory][noc]") {
  const std::vector<Layer> layers = {conv_layer(7, 6, 3, 5, 3, 2, 2, 1), make_gemm_layer("g", 9, 7, 11)};
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (int words : {1, 2, 3}) {
        ArchConfig arch = with_dram(array_config(4, 5, dataflow, microarch), "ddr4-2400");
        arch.noc.left_words = words;
        arch.noc.top_words = words;
        arch.noc.out_words = words;
        const RunResult result = simulate(arch, layers);
        for (const LayerStats& l : result.layers) {
          INFO(dataflow << " " << to_string(microarch) << " " << words << " words: " << l.verification_detail);
          CHECK(l.verification == Verification::Passed);
          CHECK(l[Counter::Macs] == l.expected_macs);
          CHECK(l[Counter::StallNocCycles] > 0);
        }
      }
}

namespace {

// Every cycle's activity, as utilization.csv and the VCD see it.
class ActivityRecorder : public RunObserver {
 public:
  void begin_step(int index, std::int64_t first_cycle) override {
    rows.push_back({index, first_cycle, 0, 0, 0, 0, 0, 0, 0, 0, 0});
  }
  void on_cycle(const CycleActivity& a, const Execution&) override {
    rows.push_back({a.cycle, a.fold, static_cast<std::int64_t>(a.phase), a.active_pes, a.noc_words[0],
                    a.noc_words[1], a.noc_words[2], a.dram_bytes, a.buffer_bytes[0], a.buffer_bytes[1],
                    a.buffer_bytes[2]});
  }
  // Slept cycles reach it in runs (each cycle through on_cycle), as they
  // reach the reports.
  std::int64_t max_run() const override { return std::numeric_limits<std::int64_t>::max(); }
  std::vector<std::array<std::int64_t, 11>> rows;
};

}  // namespace

TEST_CASE("sleeping through the cycles the array waits on memory changes no statistic", "[memory]") {
  // Small buffers and a slow DRAM make the array wait often; the run that
  // sleeps through those waits must report every cycle exactly as the run
  // that steps each one.
  // The deep GEMM makes OS split its reduction and spill partial sums.
  const std::vector<Layer> layers = {conv_layer(14, 14, 32, 48, 3, 3, 1, 1), make_gemm_layer("g", 96, 80, 64),
                                     make_gemm_layer("deep", 64, 64, 1024)};
  // The second NoC has a latency and narrow buses everywhere.
  // The cycle engine ticks the PEs in every cycle, slept ones included.
  for (const std::string dataflow : {"ws", "os"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
    for (const NocConfig& noc : {NocConfig{}, NocConfig{12, 12, 12, 9}})
    for (PeEngine engine : {PeEngine::Fold, PeEngine::Cycle}) {
      INFO(dataflow << " " << to_string(microarch) << " NoC latency " << noc.latency << " "
                    << (engine == PeEngine::Cycle ? "cycle" : "fold") << " engine");
      ArchConfig arch = with_dram(array_config(16, 16, dataflow, microarch), "lpddr4-3200");
      arch.buffer = GlobalBufferConfig::separate(12 * 1024, 12 * 1024, 2 * 1024);  // room for two 16x16 blocks of partial sums
      arch.noc = noc;
      arch.clock_mhz = 700;  // edges that do not line up with the DRAM's
      Workload workload;
      workload.layers = layers;
      REQUIRE(memory_problem(arch, workload).empty());
      RunResult runs[2];
      ActivityRecorder recorders[2];
      CycleRecorder cycles[2] = {CycleRecorder(true), CycleRecorder(true)};
      for (int skip : {0, 1}) {
        RunOptions options;
        options.verify = true;
        options.skip_ahead = skip == 1;
        options.engine = engine;
        Simulator simulator(accelerator(), arch, options);
        simulator.add_observer(recorders[skip]);
        simulator.add_observer(cycles[skip]);
        runs[skip] = simulator.run(workload);
      }
      // Every field of every cycle's activity.
      REQUIRE(cycles[1].cycles.size() == cycles[0].cycles.size());
      std::size_t first_differing = cycles[0].cycles.size();
      for (std::size_t c = 0; c < cycles[0].cycles.size() && first_differing == cycles[0].cycles.size(); ++c)
        if (!first_difference(cycles[0].cycles[c], cycles[1].cycles[c]).empty()) first_differing = c;
      if (first_differing < cycles[0].cycles.size())
        FAIL("activity " << first_differing << " differs in "
                         << first_difference(cycles[0].cycles[first_differing], cycles[1].cycles[first_differing]));
      CHECK(runs[0].slept_cycles == 0);
      CHECK(runs[1].slept_cycles > runs[1].total_cycles / 20);  // the waits are there to sleep through
      CHECK(runs[1].total_cycles == runs[0].total_cycles);
      for (std::size_t i = 0; i < layers.size(); ++i) {
        const LayerStats &a = runs[0].layers[i], &b = runs[1].layers[i];
        CHECK(b.verification == Verification::Passed);
        CHECK(b[Counter::Cycles] == a[Counter::Cycles]);
        CHECK(b[Counter::StallDramCycles] == a[Counter::StallDramCycles]);
        CHECK(dram_bytes(b) == dram_bytes(a));
        // The DRAM ran on while the array slept: its commands and standby
        // cycles are the same, layer by layer.
        for (Counter c : kDramActions) CHECK(b[c] == a[c]);
      }
      CHECK(runs[1].dram_stats.row_hits == runs[0].dram_stats.row_hits);
      CHECK(runs[1].dram_stats.refreshes == runs[0].dram_stats.refreshes);
      CHECK(runs[1].dram_stats.latency_sum == runs[0].dram_stats.latency_sum);
      REQUIRE(recorders[1].rows.size() == recorders[0].rows.size());
      std::size_t differing = 0;
      for (std::size_t r = 0; r < recorders[0].rows.size(); ++r) differing += recorders[0].rows[r] != recorders[1].rows[r];
      CHECK(differing == 0);
      // What the buffer holds never exceeds a partition, and the run uses it.
      std::int64_t peak[3] = {0, 0, 0};
      for (const auto& row : recorders[1].rows)
        for (int p = 0; p < 3; ++p) peak[p] = std::max(peak[p], row[8 + p]);
      for (int p = 0; p < 3; ++p) {
        CHECK(peak[p] <= arch.buffer.partition().capacity(static_cast<Operand>(p)));
        CHECK(peak[p] > 0);
      }
    }
}

TEST_CASE("sleeping through memory waits is exact while the buffer's ports are busy", "[memory]") {
  // Ports slower than DRAM: tiles still being written, and partial sums
  // still being read out before they can be read back, end with time, not
  // with a DRAM transfer, so the array must not sleep through them.
  struct Case {
    int rows, cols;
    std::string dataflow;
    Microarch microarch;
    const char* dram;
    int channels;
    double clock_mhz;
    NocConfig noc;
    GlobalBufferConfig buffer;
    Layer layer;
  };
  auto buffer = [](int ifmap_kb, int ofmap_kb, int banks, int read_ports, int write_ports, int word_bytes) {
    GlobalBufferConfig b = GlobalBufferConfig::separate(ifmap_kb * 1024, ifmap_kb * 1024, ofmap_kb * 1024);
    b.banks = banks;
    b.read_ports = read_ports;
    b.write_ports = write_ports;
    b.word_bytes = word_bytes;
    return b;
  };
  const Case cases[] = {
      {32, 32, "os", Microarch::Baseline, "hbm2", 2, 1000, {}, buffer(1, 8, 1, 1, 4, 8),
       make_gemm_layer("spill", 64, 32, 600)},
      {5, 2, "os", Microarch::Pipelined, "ddr4-2400", 2, 1300, {0, 4, 2, 6},
       buffer(1, 3, 2, 1, 1, 0), make_gemm_layer("deep", 6, 12, 245)},
      {4, 1, "ws", Microarch::Pipelined, "ddr4-2400", 1, 1300, {4, 1, 5, 1},
       buffer(1, 1, 1, 2, 1, 0), make_gemm_layer("narrow", 9, 14, 279)},
  };
  for (const Case& c : cases) {
    INFO(c.layer.name);
    ArchConfig arch = with_dram(array_config(c.rows, c.cols, c.dataflow, c.microarch), c.dram, c.channels);
    arch.clock_mhz = c.clock_mhz;
    arch.noc = c.noc;
    arch.buffer = c.buffer;
    Workload workload;
    workload.layers = {c.layer};
    REQUIRE(memory_problem(arch, workload).empty());
    RunResult runs[2];
    for (int skip : {0, 1}) {
      RunOptions options;
      options.verify = true;
      options.skip_ahead = skip == 1;
      runs[skip] = Simulator(accelerator(), arch, options).run(workload);
    }
    const LayerStats &a = runs[0].layers.at(0), &b = runs[1].layers.at(0);
    CHECK(b.verification == Verification::Passed);
    CHECK(b[Counter::Cycles] == a[Counter::Cycles]);
    CHECK(b[Counter::StallDramCycles] == a[Counter::StallDramCycles]);
    CHECK(b[Counter::StallNocCycles] == a[Counter::StallNocCycles]);
    CHECK(b[Counter::StallBufferCycles] == a[Counter::StallBufferCycles]);
  }
}

TEST_CASE("OS folds too deep for the buffer split the reduction and read partial sums back", "[memory]") {
  // GEMM M=64, N=64, K=1024 on a 16x16 OS array with 4 KB partitions (int8):
  // a chunk of K may take 4096/2/16 = 128 elements, so 8 chunks, each over
  // the 16 output blocks. Between chunks the partial sums of all blocks
  // (64·64·4 B = 16 KB) do not fit half the ofmap partition: each block's
  // (16·16·4 B) goes to DRAM after chunks 0-6 and comes back for chunks 1-7.
  const Layer gemm = make_gemm_layer("deep", 64, 64, 1024);
  ArchConfig arch = with_dram(array_config(16, 16, "os"), "ddr4-2400");
  arch.buffer = GlobalBufferConfig::separate(4 * 1024, 4 * 1024, 4 * 1024);
  Workload workload;
  workload.layers = {gemm};
  REQUIRE(memory_problem(arch, workload).empty());
  const LayerStats spilled = simulate(arch, {gemm}).layers.at(0);
  CHECK(spilled.verification == Verification::Passed);
  CHECK(spilled[Counter::Folds] == 8 * 16);
  const std::int64_t psum_traffic = 7LL * 64 * 64 * 4;
  CHECK(spilled[Counter::DramOfmapReadBytes] == psum_traffic);
  CHECK(spilled[Counter::DramOfmapWriteBytes] == psum_traffic + 64 * 64);
  // Every chunk fetches its 16x128 row block and 128x16 column block.
  CHECK(spilled[Counter::DramIfmapReadBytes] == 128LL * 16 * 128);
  CHECK(spilled[Counter::DramFilterReadBytes] == 128LL * 128 * 16);

  // With a 64 KB ofmap partition the partial sums stay on chip: only the
  // results leave, and the run is no slower.
  arch.buffer.ofmap_bytes = 64 * 1024;
  const LayerStats kept = simulate(arch, {gemm}).layers.at(0);
  CHECK(kept.verification == Verification::Passed);
  CHECK(kept[Counter::DramOfmapReadBytes] == 0);
  CHECK(kept[Counter::DramOfmapWriteBytes] == 64 * 64);
  CHECK(kept[Counter::Cycles] <= spilled[Counter::Cycles]);
}

TEST_CASE("a run interrupted while the array sleeps on memory leaves nothing to the next run", "[memory]") {
  const Layer gemm = make_gemm_layer("g", 96, 80, 64);
  const ArchConfig ideal = array_config(16, 16, "ws");
  const std::int64_t expected = simulate(ideal, {gemm}).layers.at(0)[Counter::Cycles];
  {
    ArchConfig arch = with_dram(array_config(16, 16, "os"), "lpddr4-3200");
    arch.buffer = GlobalBufferConfig::separate(4 * 1024, 4 * 1024, 4 * 1024);
    arch.clock_mhz = 700;
    const std::atomic<bool> interrupt{true};
    RunOptions options;
    options.pause_interval = 37;
    options.interrupt = &interrupt;
    Simulator simulator(accelerator(), arch, options);
    Workload workload;
    workload.layers = {make_gemm_layer("deep", 64, 64, 1024)};
    CHECK(simulator.run(workload).interrupted);
  }
  // A different clock, and the same cycles as before the interruption.
  ArchConfig fast = ideal;
  fast.clock_mhz = 2000;
  const LayerStats after = simulate(fast, {gemm}).layers.at(0);
  CHECK(after[Counter::Cycles] == expected);
  CHECK(after.verification == Verification::Passed);
}

namespace {

// Counts, from the PE registers themselves, the valid operands that sit in a
// PE they reached over a neighbour link: column >= 1 for left operands, row
// >= 1 for top operands (OS).
class HopCounter : public RunObserver {
 public:
  HopCounter(int rows, int cols) : rows_(rows), cols_(cols) {}
  void begin_step(int, std::int64_t) override {}
  void on_cycle(const CycleActivity&, const Execution& execution) override {
    for (int r = 0; r < rows_; ++r)
      for (int c = 0; c < cols_; ++c) {
        const PeSnapshot pe = execution.probe(r, c);
        horizontal += c >= 1 && pe.left_valid;
        vertical += r >= 1 && pe.top_valid;
      }
  }
  std::int64_t horizontal = 0, vertical = 0;

 private:
  int rows_, cols_;
};

}  // namespace

TEST_CASE("neighbour-link hops: counted from the PEs for full folds, by hand for partial ones", "[memory][noc]") {
  const auto run = [](const std::string& dataflow, const Layer& gemm, HopCounter& counter) {
    RunOptions options;
    options.engine = PeEngine::Cycle;  // the observer reads PE registers
    options.verify = true;
    Simulator simulator(accelerator(), array_config(4, 4, dataflow, Microarch::Pipelined), options);
    simulator.add_observer(counter);
    Workload workload;
    workload.layers = {gemm};
    return simulator.run(workload).layers.at(0);
  };
  // Folds that fill the 4x4 array: every operand the PEs hold in column >= 1
  // (row >= 1 for OS top operands) came over a link. WS: M=5, N=8, K=8 is 4
  // folds of T=5: 4·5·4·3 = 240 each way. OS: M=8, N=8, K=5, the same.
  for (const std::string dataflow : {"ws", "os"}) {
    INFO(dataflow);
    HopCounter counter(4, 4);
    const bool os = dataflow == "os";
    const LayerStats l = run(dataflow, make_gemm_layer("g", os ? 8 : 5, 8, os ? 5 : 8), counter);
    CHECK(l.verification == Verification::Passed);
    CHECK(counter.horizontal == 240);
    CHECK(l[Counter::LinkHopsHorizontal] == counter.horizontal);
    CHECK(l[Counter::LinkHopsVertical] == 240);
    if (os) CHECK(counter.vertical == 240);
  }
  // GEMM M=5, N=6, K=7. WS folds (rows x cols used) 4x4, 3x4, 4x2, 3x2 with
  // T=5: to the last used column 5·(4·3 + 3·3 + 4·1 + 3·1) = 140; partial
  // sums to the bottom edge 5·(4+4+2+2)·3 = 180. OS blocks 4x4, 4x2, 1x4,
  // 1x2 with T=7: 7·(4·3 + 4·1 + 1·3 + 1·1) = 140 right, 7·(4·3 + 2·3) = 126
  // down.
  const Layer gemm = make_gemm_layer("g", 5, 6, 7);
  HopCounter unused(4, 4);
  const LayerStats ws = run("ws", gemm, unused);
  CHECK(ws[Counter::LinkHopsHorizontal] == 140);
  CHECK(ws[Counter::LinkHopsVertical] == 180);
  const LayerStats os = run("os", gemm, unused);
  CHECK(os[Counter::LinkHopsHorizontal] == 140);
  CHECK(os[Counter::LinkHopsVertical] == 126);
}

namespace {

// The most words each bus carried in one cycle.
class BusPeaks : public RunObserver {
 public:
  void begin_step(int, std::int64_t) override {}
  void on_cycle(const CycleActivity& a, const Execution&) override {
    for (int n = 0; n < kNetworks; ++n) peak[n] = std::max<std::int64_t>(peak[n], a.noc_words[n]);
  }
  std::int64_t peak[kNetworks] = {0, 0, 0};
};

}  // namespace

TEST_CASE("no bus carries more than its width in a cycle, even where pipelined folds overlap", "[memory][noc]") {
  // Partial folds next to full ones get different spacings (GEMM 8x4x6 on
  // 4x4 WS: K folds of 4 and 2 rows), and OS folds drain while the next one
  // computes.
  const std::vector<Layer> layers = {make_gemm_layer("a", 8, 4, 6), make_gemm_layer("b", 9, 7, 11),
                                     conv_layer(6, 6, 3, 5, 3, 3, 1, 1)};
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (int words : {1, 2, 3})
        for (int narrow = 0; narrow <= kNetworks; ++narrow) {  // one bus narrow, or all
          INFO(dataflow << " " << to_string(microarch) << " " << words << " words a cycle on bus "
                                   << narrow);
          ArchConfig arch = with_dram(array_config(4, 4, dataflow, microarch), "hbm2", 4);
          auto width = [&](Network n) { return narrow == kNetworks || narrow == static_cast<int>(n) ? words : 0; };
          arch.noc = {width(Network::Left), width(Network::Top), width(Network::Out), 0};
          RunOptions options;
          options.verify = true;
          Simulator simulator(accelerator(), arch, options);
          BusPeaks peaks;
          simulator.add_observer(peaks);
          Workload workload;
          workload.layers = layers;
          for (const LayerStats& l : simulator.run(workload).layers) CHECK(l.verification == Verification::Passed);
          for (int n = 0; n < kNetworks; ++n)
            if (width(static_cast<Network>(n)) != 0) CHECK(peaks.peak[n] <= words);
        }
}

namespace {

// Per operand (ifmap, filter, ofmap).
using PerOperand = std::array<std::int64_t, kOperands>;

// DRAM bytes, and the buffer's reads and writes: bytes in a plan, values
// in a run.
struct Traffic {
  PerOperand dram_read{}, dram_write{}, buffer_read{}, buffer_write{};
};

// What sim/dataflow/gemm_step_plan.hpp plans for the layer's GEMM steps
// (TilePlan::totals, which the shared buffer's split relies on), summed as
// the run sums its steps.
Traffic planned(const ArchConfig& arch, const Layer& layer) {
  const double dram_gb_per_s = dram_preset(arch.dram).peak_gb_per_s() * arch.dram_channels;
  Traffic sum;
  for (const Step& step : lower(layer))
    if (const auto* gemm = std::get_if<Layer>(&step.work)) {
      const GemmStepPlan plan = plan_gemm_step(dynamic_cast<const GemmDataflow&>(*find_dataflow(arch.dataflow)),
                                               arch, *gemm, dram_gb_per_s);
      REQUIRE(plan.problem.empty());
      const MemoryTraffic t = plan.memory.totals();
      for (int o = 0; o < kOperands; ++o) {
        sum.dram_read[o] += t.dram.read_bytes[o];
        sum.dram_write[o] += t.dram.write_bytes[o];
        sum.buffer_read[o] += t.buffer_read_bytes[o];
        sum.buffer_write[o] += t.buffer_write_bytes[o];
      }
    }
  return sum;
}

Traffic measured(const LayerStats& l) {
  Traffic t;
  for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap}) {
    const int i = static_cast<int>(o);
    t.dram_read[i] = l[per_operand(Counter::DramIfmapReadBytes, o)];
    t.buffer_read[i] = l[per_operand(Counter::BufferIfmapReads, o)];
    t.buffer_write[i] = l[per_operand(Counter::BufferIfmapWrites, o)];
  }
  t.dram_write[static_cast<int>(Operand::Ofmap)] = l[Counter::DramOfmapWriteBytes];
  return t;
}

}  // namespace

TEST_CASE("a step's planned traffic (TilePlan::totals) is what its run moves and what the tiling rules give",
          "[memory][buffer]") {
  // Each case: the layer, the array and buffer, and its traffic worked out
  // by hand from the tiling rules (models/memory/memory_controller.hpp),
  // int8 operands (1 B) and int32 partial sums (4 B): the plan's bytes, and
  // the values the run counts in the buffer. Buffer reads are the array's
  // reads (operands, and the partial sums its results add to) and DRAM's
  // write-backs (outputs at operand width, spilled partial sums at
  // accumulator width), buffer writes DRAM's tiles and the array's results.
  // Per operand: {ifmap, filter, ofmap}.
  struct Case {
    const char* what;
    ArchConfig arch;
    Layer layer;
    std::optional<Traffic> bytes;  // planned, and DRAM's in the run
    std::optional<std::array<PerOperand, 2>> values;  // the run's buffer reads and writes
  };
  auto dram = [](const char* dataflow, int rows, int cols, std::int64_t ifmap, std::int64_t filter, std::int64_t ofmap) {
    ArchConfig arch = with_dram(array_config(rows, cols, dataflow, Microarch::Pipelined), "ddr4-2400");
    arch.buffer = GlobalBufferConfig::separate(ifmap, filter, ofmap);
    return arch;
  };
  constexpr std::int64_t kB = 1024;
  std::vector<Case> cases;
  // WS 8x8, GEMM M=20, N=12, K=24 (T = 20 on K x N = 3 x 2 folds of 8 rows
  // and 8 or 4 columns); both matrices fit half their 64 KB partitions, so
  // each is read once: the 20x24 input (480 B) and the 24x12 weights (288 B).
  // The array streams the input once per column block (2 x 480) and loads
  // every weight once (288). Each fold writes its T x cols partial sums,
  // 3·20·8 + 3·20·4 = 720 values (2880 B); the two K folds after the first
  // of each column block read the partial sums they add to, 2·20·8 + 2·20·4
  // = 480 values (1920 B); the 20x12 outputs (240 B) leave once.
  cases.push_back({"WS, operands resident", dram("ws", 8, 8, 64 * kB, 64 * kB, 64 * kB),
                   make_gemm_layer("g", 20, 12, 24),
                   Traffic{{480, 288, 0}, {0, 0, 240}, {960, 288, 1920 + 240}, {480, 288, 2880}},
                   std::array<PerOperand, 2>{{{960, 288, 480 + 240}, {480, 288, 720}}}});
  // IS 8x8, GEMM M=12, N=40, K=20: rows K, columns M, stream N; the filters
  // stream in from the left, the inputs are stationary. Half the 512 B
  // filter partition holds 32 elements of 8 rows and half the 2 KB ofmap
  // partition 32 x 8 partial sums: the stream is cut into chunks of 32 and
  // 8, each over 2 column blocks (8 and 4) x 3 K folds (8, 8, 4 rows).
  // Neither matrix fits half its partition (800 B of filters, 240 B of
  // inputs in a 256 B ifmap partition), so every fold reads its own tiles:
  // the filters once per column block (2 x 800), the inputs once per chunk
  // (2 x 240). The outputs leave once, 12·40 = 480 B. Partial sums: 3 K
  // folds x (32·8 + 32·4) in chunk one, 3 x (8·8 + 8·4) in chunk two: 1152
  // + 288 = 1440 values (5760 B), of which the 2 K folds of 3 that add to
  // partial sums read 960 (3840 B).
  cases.push_back({"IS, tiles per fold, stream in chunks", dram("is", 8, 8, 256, 512, 2 * kB),
                   make_gemm_layer("g", 12, 40, 20),
                   Traffic{{480, 1600, 0}, {0, 0, 480}, {480, 1600, 3840 + 480}, {480, 1600, 5760}},
                   std::array<PerOperand, 2>{{{480, 1600, 960 + 480}, {480, 1600, 1440}}}});
  // OS 8x8, GEMM M=12, N=10, K=16: rows M, columns N, the whole reduction
  // in each of the 2 x 2 folds (8 or 4 rows, 8 or 2 columns). The 12x16
  // inputs (192 B) and 16x10 weights (160 B) are read once; the array reads
  // each row block's inputs for both column blocks (2 x 192) and each
  // column block's weights for both row blocks (2 x 160); the plan puts the
  // 120 outputs at operand width, into the buffer and out of it (120
  // values each way).
  cases.push_back({"OS, one fold per output block", dram("os", 8, 8, 64 * kB, 64 * kB, 64 * kB),
                   make_gemm_layer("g", 12, 10, 16),
                   Traffic{{192, 160, 0}, {0, 0, 120}, {384, 320, 120}, {192, 160, 120}},
                   std::array<PerOperand, 2>{{{384, 320, 120}, {192, 160, 120}}}});
  // OS 8x8, GEMM M=16, N=16, K=256 with 1 KB partitions: a chunk of K holds
  // 512 / 8 = 64 elements, so 4 chunks over the 2 x 2 output blocks, 16
  // folds, each reading its 8x64 input and 64x8 weight tiles (512 B each).
  // The 4 blocks' partial sums (16·16·4 = 1 KB) do not fit half the ofmap
  // partition: each block's 64 (256 B) go to DRAM after chunks 1-3 and come
  // back before chunks 2-4 (3·4·64 = 768 values, 3072 B, each way, through
  // the buffer's ports too), and the last chunk writes the 16·16 = 256 B of
  // outputs. Every fold writes its 64 results (256 B) into the buffer, and
  // the 12 folds of chunks 2-4 read the 64 partial sums they add to.
  cases.push_back({"OS, partial sums spilled to DRAM", dram("os", 8, 8, kB, kB, kB),
                   make_gemm_layer("deep", 16, 16, 256),
                   Traffic{{8192, 8192, 3072}, {0, 0, 3072 + 256}, {8192, 8192, 3072 + 3072 + 256},
                           {8192, 8192, 3072 + 16 * 256}},
                   std::array<PerOperand, 2>{{{8192, 8192, 768 + 768 + 256}, {8192, 8192, 768 + 16 * 64}}}});
  // The same with a 4 KB ofmap partition: the partial sums stay on chip.
  cases.push_back({"OS, partial sums kept on chip", dram("os", 8, 8, kB, kB, 4 * kB),
                   make_gemm_layer("deep", 16, 16, 256),
                   Traffic{{8192, 8192, 0}, {0, 0, 256}, {8192, 8192, 3072 + 256}, {8192, 8192, 16 * 256}},
                   std::array<PerOperand, 2>{{{8192, 8192, 768 + 256}, {8192, 8192, 16 * 64}}}});
  // A grouped convolution, one GEMM per group: 6x6x4 input, six 3x3
  // filters in 2 groups, padding 1: per group M = 36, N = 3, K = 18 on 8x8
  // WS, 3 K folds (8, 8, 2 rows) of one column block. Per group the lowered
  // input (36·18 = 648 B) and the weights (54 B) are read once, and the
  // 36·3 = 108 B of outputs written once; each fold writes 36·3 = 108
  // partial sums (432 B), and the two after the first read as many.
  cases.push_back({"WS, grouped convolution", dram("ws", 8, 8, 64 * kB, 64 * kB, 64 * kB),
                   conv_layer(6, 6, 4, 6, 3, 3, 1, 1, /*groups=*/2),
                   Traffic{{1296, 108, 0}, {0, 0, 216}, {1296, 108, 4 * 432 + 216}, {1296, 108, 6 * 432}},
                   std::array<PerOperand, 2>{{{1296, 108, 4 * 108 + 216}, {1296, 108, 6 * 108}}}});
  // A shared buffer of seven 512 B banks, GEMM M=64, N=16, K=16 on 4x4 WS
  // (tests/test_buffer_split.cpp works out its split, 2-1-4 banks): the
  // input (1 KB) does not fit half of 1 KB, so each of the 16 folds reads
  // its 64x4 slice (16 x 256 B); the weights (256 B) are read once; 16 folds
  // write 64·4 partial sums each (1 KB), the 12 K folds after the first of
  // their column block read as many, and the 1 KB of outputs leave once.
  {
    ArchConfig arch = with_dram(array_config(4, 4, "ws"), "hbm2");
    arch.buffer.organization = BufferOrganization::Shared;
    arch.buffer.banks = 7;
    arch.buffer.shared_bytes = 7 * 512;
    arch.buffer.word_bytes = 4;
    cases.push_back({"WS, shared buffer", arch, make_gemm_layer("g", 64, 16, 16),
                     Traffic{{4096, 256, 0}, {0, 0, 1024}, {4096, 256, 12 * 1024 + 1024}, {4096, 256, 16 * 1024}},
                     std::array<PerOperand, 2>{{{4096, 256, 12 * 256 + 1024}, {4096, 256, 16 * 256}}}});
  }
  // Several GEMM steps in one layer (an LSTM's input projection and its
  // recurrent products): compared with the plan only.
  {
    Layer lstm;
    lstm.name = "lstm";
    lstm.kind = LayerKind::Lstm;
    lstm.recurrent.input_size = 10;
    lstm.recurrent.hidden_size = 6;
    lstm.recurrent.sequence_length = 3;
    lstm.batch = 2;
    cases.push_back({"LSTM, several steps", dram("os", 8, 8, 64 * kB, 64 * kB, 64 * kB), lstm, std::nullopt,
                     std::nullopt});
  }
  for (const Case& c : cases) {
    INFO(c.what);
    const LayerStats l = simulate(c.arch, {c.layer}).layers.at(0);
    REQUIRE(l.verification == Verification::Passed);
    const Traffic plan = planned(c.arch, c.layer), run = measured(l);
    CHECK(run.dram_write[2] > 0);  // every layer's outputs leave
    CHECK(plan.dram_read == run.dram_read);
    CHECK(plan.dram_write == run.dram_write);
    // Operands are one byte: the plan's ifmap and filter bytes are the
    // run's values. (The ofmap partition holds values of two widths.)
    for (int o : {0, 1}) {
      CHECK(plan.buffer_read[o] == run.buffer_read[o]);
      CHECK(plan.buffer_write[o] == run.buffer_write[o]);
    }
    if (c.bytes) {
      CHECK(plan.dram_read == c.bytes->dram_read);
      CHECK(plan.dram_write == c.bytes->dram_write);
      CHECK(plan.buffer_read == c.bytes->buffer_read);
      CHECK(plan.buffer_write == c.bytes->buffer_write);
    }
    if (c.values) {
      CHECK(run.buffer_read == (*c.values)[0]);
      CHECK(run.buffer_write == (*c.values)[1]);
    }
  }
}

TEST_CASE("a run returns to its loop by wall-clock time too, so an interrupt is seen however slow its cycles", "[interrupt]") {
  // With pauses every 2^40 cycles only, an interrupt raised before the run
  // can be seen only at a pause the wall clock forces (every 5 ms): the run
  // stops long before the GEMM's 1,072,640 cycles (M=4096, N=K=512 on 32x32
  // WS baseline: 16·16 folds of 2·32 + 4096 + 32 - 2 = 4190 cycles).
  std::atomic<bool> interrupt{true};
  RunOptions options;
  options.pause_interval = std::int64_t{1} << 40;
  options.pause_after = std::chrono::milliseconds(5);
  options.interrupt = &interrupt;
  Simulator simulator(accelerator(), array_config(32, 32, "ws"), options);
  Workload workload;
  workload.layers = {make_gemm_layer("g", 4096, 512, 512)};
  const RunResult result = simulator.run(workload);
  CHECK(result.interrupted);
  CHECK(result.total_cycles > 0);
  CHECK(result.total_cycles < 16 * 16 * 4190);
}

TEST_CASE("stream chunks and the stationary reloads they cost are reported", "[memory][cli]") {
  // ResNet-18's conv1 (224x224x3, 64 filters of 7x7, stride 2, padding 3) on
  // a 128x128 WS array: M = 112·112 = 12,544, K = 7·7·3 = 147, N = 64, so
  // Sr = K takes 2 row folds and Sc = N one column fold: 2 folds.
  // With DRAM and 64 KB partitions a fold streams at most
  //   min(8·32768 / (128 rows · 8 bits), 8·32768 / (128 cols · 32 bits)) = min(256, 64) = 64
  // rows, so M streams in 12,544 / 64 = 196 chunks, each running both folds:
  // 392 folds, of which 390 reload the weights.
  const std::string dir = make_temp_dir();
  write_file(dir + "/conv1.yaml",
             "layers:\n  - {name: conv1, type: conv, input: [224, 224, 3], filters: 64, kernel: 7, stride: 2, "
             "padding: 3}\n");
  const auto run = [&](const std::string& memory) {
    const std::string out = dir + "/" + memory;
    const CommandResult r = run_systole({"run", "--arch", "systole-128x128", "--workload", dir + "/conv1.yaml",
                                         "--memory", memory, "--buffer.ifmap_kb", "64", "--buffer.filter_kb", "64",
                                         "--buffer.ofmap_kb", "64", "--out", out, "--log-level", "error"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv(out + "/layers.csv");
    std::map<std::string, std::string> layer;
    for (std::size_t c = 0; c < rows[0].size(); ++c) layer[rows[0][c]] = rows[1][c];
    return std::make_pair(layer, nlohmann::json::parse(read_file(out + "/summary.json")));
  };
  const auto [ideal, ideal_summary] = run("ideal");
  CHECK(ideal.at("folds") == "2");
  CHECK(ideal.at("stream_chunks") == "1");
  CHECK(ideal.at("stationary_reloads") == "0");
  const auto [dram, dram_summary] = run("dram");
  CHECK(dram.at("folds") == "392");
  CHECK(dram.at("stream_chunks") == "196");
  CHECK(dram.at("stationary_reloads") == "390");
  CHECK(dram_summary["totals"]["stationary_reloads"]["value"] == 390);
  CHECK(dram_summary["totals"]["stream_chunks"]["value"] == 196);
  // The reloads are compute, not stall: compute_cycles exceeds the
  // ideal-memory run's cycles.
  CHECK(std::stoll(dram.at("compute_cycles")) > std::stoll(ideal.at("cycles")));
}

TEST_CASE("the buffer's ports end a run of cycles at once as they end each cycle of it", "[memory]") {
  // One bank per partition, one value a cycle (word_bytes 0), int8
  // operands and int32 partial sums; one write port, two read ports. A
  // result the array sends takes a port for a cycle; a waiting transfer
  // is put off a cycle for each whole cycle of ports taken.
  BufferPartition partition;
  partition.banks = {1, 1, 1};
  partition.read_ports = 2;
  GlobalBuffer& buffer = accelerator().global_buffer;
  // Results sent in cycles 1..19, none of them read first.
  const std::vector<std::uint32_t> results = {2, 0, 1, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  const auto run = [&](bool at_once) {
    buffer.begin_step(partition, /*operand_bits=*/8, /*accumulator_bits=*/32);
    // Cycle 0: 10 partial sums (40 bytes) fill the ofmap partition, 32 bits
    // a cycle (0-9); 12 ifmap bytes fill theirs, 8 bits a cycle (0-11);
    // 6 output bytes drain through two read ports, 16 bits a cycle (0-2).
    const GlobalBuffer::Transfer fill = buffer.write_tile(Operand::Ofmap, 40, 10, 0);
    const GlobalBuffer::Transfer tile = buffer.write_tile(Operand::Ifmap, 12, 12, 0);
    const GlobalBuffer::Transfer drain = buffer.read_write_back(6, 6, /*partial_sums=*/false, 0);
    // One result, added to a partial sum: the write port's one port, a
    // cycle (the fill to cycle 10), and half the read ports' (no delay).
    buffer.array_results(1, /*accumulating=*/true);
    buffer.end_cycle(0);
    if (at_once) {
      buffer.end_cycles(1, static_cast<std::int64_t>(results.size()), results.data(), /*accumulating=*/false);
    } else {
      for (std::size_t c = 0; c < results.size(); ++c) {
        buffer.array_results(results[c], false);
        buffer.end_cycle(static_cast<std::int64_t>(c) + 1);
      }
    }
    // Cycle 20: another 6 bytes drain (20-22), and a result read first
    // takes half the read ports. The drain of cycle 0 ended in cycle 2,
    // and with it the half a port owed: no delay.
    const GlobalBuffer::Transfer later = buffer.read_write_back(6, 6, false, 20);
    buffer.array_results(1, true);
    buffer.end_cycle(20);
    return std::array<std::int64_t, 4>{buffer.last_cycle(fill), buffer.last_cycle(tile), buffer.last_cycle(drain),
                                       buffer.last_cycle(later)};
  };
  // The fill waits from 9: +1 in cycle 0, +2, +1 and +3 in cycles 1, 3 and 4.
  const std::array<std::int64_t, 4> expected = {16, 11, 2, 22};
  CHECK(run(/*at_once=*/false) == expected);
  CHECK(run(/*at_once=*/true) == expected);
}
