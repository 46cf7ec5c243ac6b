// Exact cycle counts on small arrays, each derived by hand in the comment
// beside it (docs/timing-model.md has the general formulas). Every run also
// checks the array's outputs against the reference computation.

#include <catch2/catch.hpp>

#include <random>

#include "models/array/fold_schedule.hpp"
#include "sim/dataflow/gemm_step_plan.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/dataflow/gemm_dataflow.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

std::int64_t cycles_of(const ArchConfig& arch, const Layer& layer) {
  const RunResult result = simulate(arch, {layer});
  REQUIRE(result.layers.size() == 1);
  CHECK(result.layers[0].verification == Verification::Passed);
  return result.layers[0][Counter::Cycles];
}

std::int64_t gemm_cycles(int rows, int cols, const std::string& dataflow, Microarch microarch,
                         std::int64_t m, std::int64_t n, std::int64_t k) {
  return cycles_of(array_config(rows, cols, dataflow, microarch), make_gemm_layer("g", m, n, k));
}

}  // namespace

TEST_CASE("baseline: an NxN by NxN GEMM on an NxN array", "[timing]") {
  for (int n : {1, 2, 4, 8, 16}) {
    // OS: A and B enter skewed; PE (N-1, N-1) does its last MAC at cycle
    // (N-1) + (N-1) + (N-1), so the fold lasts 3N-2 cycles.
    CHECK(gemm_cycles(n, n, "os", Microarch::Baseline, n, n, n) == 3 * n - 2);
    // WS/IS: N cycles to load the stationary rows, then the last operand
    // enters row N-1 at N + (N-1) + (N-1) and leaves column N-1 after N-1
    // more cycles: 4N-2.
    CHECK(gemm_cycles(n, n, "ws", Microarch::Baseline, n, n, n) == 4 * n - 2);
    CHECK(gemm_cycles(n, n, "is", Microarch::Baseline, n, n, n) == 4 * n - 2);
  }
}

TEST_CASE("baseline: partial folds cost a full fold slot", "[timing]") {
  // GEMM M=5, N=6, K=7 on 4x4.
  // WS: Sr=K=7 -> 2 row folds, Sc=N=6 -> 2 column folds, T=M=5;
  //     slot = 2R + T + C - 2 = 8 + 5 + 4 - 2 = 15; 4 folds -> 60.
  CHECK(gemm_cycles(4, 4, "ws", Microarch::Baseline, 5, 6, 7) == 60);
  // OS: Sr=M=5 -> 2, Sc=N=6 -> 2, T=K=7; slot = T + R + C - 2 = 13; 4 folds -> 52.
  CHECK(gemm_cycles(4, 4, "os", Microarch::Baseline, 5, 6, 7) == 52);
  // IS: Sr=K=7 -> 2, Sc=M=5 -> 2, T=N=6; slot = 8 + 6 + 4 - 2 = 16; 4 folds -> 64.
  CHECK(gemm_cycles(4, 4, "is", Microarch::Baseline, 5, 6, 7) == 64);
  // Non-square array 3x5, WS, M=4, N=11, K=8: Sr=8 -> 3 row folds,
  // Sc=11 -> 3 column folds, slot = 2*3 + 4 + 5 - 2 = 13; 9 folds -> 117.
  CHECK(gemm_cycles(3, 5, "ws", Microarch::Baseline, 4, 11, 8) == 117);
}

TEST_CASE("baseline: convolution with stride and padding", "[timing]") {
  // 7x7x3 input, four 3x3 filters, stride 2, padding 1:
  // out = floor((7 + 2 - 3) / 2) + 1 = 4, so M = 16, K = 27, N = 4.
  const Layer layer = conv_layer(7, 7, 3, 4, 3, 3, /*stride=*/2, /*pad=*/1);
  // WS on 8x8: Sr=27 -> 4 row folds, Sc=4 -> 1, T=16;
  // slot = 16 + 16 + 8 - 2 = 38; 4 folds -> 152.
  CHECK(cycles_of(array_config(8, 8, "ws"), layer) == 152);
  // OS on 8x8: Sr=M=16 -> 2, Sc=N=4 -> 1, T=27; slot = 27 + 14 = 41; 2 folds -> 82.
  CHECK(cycles_of(array_config(8, 8, "os"), layer) == 82);
  // IS on 8x8: Sr=K=27 -> 4, Sc=M=16 -> 2, T=N=4; slot = 16 + 4 + 6 = 26; 8 folds -> 208.
  CHECK(cycles_of(array_config(8, 8, "is"), layer) == 208);
}

TEST_CASE("baseline: grouped and depthwise convolution run one GEMM per group", "[timing]") {
  // 5x5x4 input, 6 filters of 3x3 in 2 groups: out 3x3 -> M = 9, and per
  // group K = 3*3*2 = 18, N = 3.
  const Layer grouped = conv_layer(5, 5, 4, 6, 3, 3, 1, 0, /*groups=*/2);
  // OS on 4x4: Sr=9 -> 3, Sc=3 -> 1, T=18; slot = 18 + 6 = 24;
  // 3 folds per group, 2 groups -> 144.
  CHECK(cycles_of(array_config(4, 4, "os"), grouped) == 144);
  // Depthwise 6x6x3 with 3x3 filters, stride 1, pad 1: out 6x6 -> M = 36,
  // per channel K = 9, N = 1. WS on 4x4: Sr=9 -> 3, Sc=1 -> 1, T=36;
  // slot = 8 + 36 + 2 = 46; 3 folds per channel, 3 channels -> 414.
  const Layer depthwise = conv_layer(6, 6, 3, 3, 3, 3, 1, 1, /*groups=*/3);
  CHECK(cycles_of(array_config(4, 4, "ws"), depthwise) == 414);
}

TEST_CASE("baseline: batch multiplies the streamed pixels", "[timing]") {
  // GEMM 4x4x4 with batch 3: M = 12. WS on 4x4: one fold, T = 12:
  // 8 + 12 + 4 - 2 = 22.
  Layer layer = make_gemm_layer("g", 4, 4, 4);
  layer.batch = 3;
  CHECK(cycles_of(array_config(4, 4, "ws"), layer) == 22);
}

TEST_CASE("pipelined: stationary folds run back to back", "[timing]") {
  // One fold: row 0 loads in cycle 0, the first operand enters in cycle 1 and
  // chases the load down the rows; the last result leaves at
  // 1 + (T-1) + (R-1) + (C-1), so an NxNxN GEMM takes 3N-1 cycles.
  for (int n : {2, 4, 8})
    CHECK(gemm_cycles(n, n, "ws", Microarch::Pipelined, n, n, n) == 3 * n - 1);
  // Streaming-bound: M=16 (T), K=8, N=8 on 4x4: 4 folds of T=16 >= R, C.
  // The shadow load of each fold hides under the previous fold's stream, so
  // cycles = 1 + F*T + (R-1) + (C-1) = 1 + 64 + 6 = 71.
  CHECK(gemm_cycles(4, 4, "ws", Microarch::Pipelined, 16, 8, 8) == 71);
  // Load-bound: M=2 (T), K=12, N=4 on 4x4: 3 folds, T=2 < R=4, so a fold
  // starts every R cycles when its rows are loaded: starts at 1, 5, 9;
  // last result at 9 + (T-1) + (R-1) + (C-1) = 16 -> 17 cycles.
  CHECK(gemm_cycles(4, 4, "ws", Microarch::Pipelined, 2, 4, 12) == 17);
  // Buffer-reuse bound: 2x8 array, M=1, K=6 (3 row folds), N=8. Fold 2
  // reuses fold 0's buffer, which its only operand leaves after passing
  // column 7 of row r at 1 + r + 7; row r of fold 2 may be written at
  // L2 + r with L2 = 9. Starts: fold 0 at 1, fold 1 at 3 (loaded 2..3),
  // fold 2 at L2 + 1 = 10; last result at 10 + 0 + 1 + 7 = 18 -> 19 cycles.
  CHECK(gemm_cycles(2, 8, "ws", Microarch::Pipelined, 1, 8, 6) == 19);
}

TEST_CASE("pipelined: output-stationary folds run back to back", "[timing]") {
  // M=8, N=8, K=16 on 4x4: 4 folds of T=16 >= R; a fold starts every T
  // cycles: F*T + (R-1) + (C-1) = 64 + 6 = 70.
  CHECK(gemm_cycles(4, 4, "os", Microarch::Pipelined, 8, 8, 16) == 70);
  // M=8, N=4, K=2 on 4x4: T=2 < R=4, and each column's output port takes R
  // cycles per fold: starts at 0 and 4; last result at 4 + 1 + 3 + 3 = 11
  // -> 12 cycles.
  CHECK(gemm_cycles(4, 4, "os", Microarch::Pipelined, 8, 4, 2) == 12);
}

TEST_CASE("pipelined is never slower than baseline", "[timing]") {
  for (const std::string dataflow :
       {"ws", "os", "is"}) {
    for (const auto& [m, n, k] : {std::tuple{5, 6, 7}, std::tuple{1, 9, 30}, std::tuple{40, 3, 5}}) {
      const auto baseline = gemm_cycles(4, 4, dataflow, Microarch::Baseline, m, n, k);
      const auto pipelined = gemm_cycles(4, 4, dataflow, Microarch::Pipelined, m, n, k);
      CHECK(pipelined <= baseline);
    }
  }
}

TEST_CASE("layers run one after another", "[timing]") {
  // Two 4x4x4 GEMMs on 4x4 OS: 10 cycles each, the second starts at cycle 10.
  const Layer layer = make_gemm_layer("g", 4, 4, 4);
  const RunResult result = simulate(array_config(4, 4, "os"), {layer, layer});
  REQUIRE(result.layers.size() == 2);
  CHECK(result.layers[0].first_cycle == 0);
  CHECK(result.layers[1].first_cycle == 10);
  CHECK(result.total_cycles == 20);
}

TEST_CASE("a fold allowed to start later never starts earlier", "[timing][noc]") {
  // The stall a fold's wait for memory costs is how much later it starts
  // than it could have: that is only sound if the schedule is monotone in
  // the cycle the fold may start from. Random pipelined fold lists on
  // random narrow NoC buses and banked buffers, some folds adding to partial
  // sums; their spacings and the paths' widths are set as in a run, by
  // sim/dataflow/gemm_step_plan.hpp.
  std::mt19937_64 rng(20261122);
  auto pick = [&](int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng); };
  int violations = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    const bool os = pick(0, 1) == 1;
    ArchConfig arch = array_config(pick(2, 8), pick(2, 8), os ? "os" : "ws", Microarch::Pipelined);
    arch.noc = {pick(0, 4), pick(0, 4), pick(0, 4), 0};
    arch.buffer.banks = pick(0, 2);
    arch.buffer.read_ports = pick(1, 2);
    arch.buffer.write_ports = pick(1, 2);
    Mapping mapping;
    mapping.mode = os ? ArrayMode::OutputStationary : ArrayMode::Stationary;
    mapping.folds.resize(static_cast<std::size_t>(pick(2, 5)));
    for (Fold& f : mapping.folds) {
      f.rows_used = pick(1, arch.array.rows);
      f.cols_used = pick(1, arch.array.cols);
      f.stream_length = pick(1, 6);
      (os ? f.stream_offset : f.row_offset) = pick(0, 1);  // 1: it accumulates
    }
    apply_edge_rates(dynamic_cast<const GemmDataflow&>(*find_dataflow(arch.dataflow)), arch, arch.buffer.partition(),
                     mapping);
    FoldScheduler scheduler(mapping.mode, Microarch::Pipelined, arch.array.rows, arch.array.cols, mapping.folds,
                            mapping.widths);
    for (std::size_t g = 0; g < mapping.folds.size(); ++g) {
      const FoldTiming earliest = scheduler.next();
      std::int64_t previous = earliest.stream_start;
      for (std::int64_t c = earliest.load_start; c < earliest.load_start + 12; ++c) {
        const std::int64_t start = scheduler.next(c).stream_start;
        violations += start < previous;
        previous = start;
      }
      scheduler.issue(scheduler.next(earliest.load_start + pick(0, 6)));
    }
  }
  CHECK(violations == 0);
}
