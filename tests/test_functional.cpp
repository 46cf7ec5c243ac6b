// The array really computes: its outputs equal a plain reference loop for
// random data, in every dataflow, microarchitecture and data type (int1's
// reference counts with XNOR and popcount: test_precision.cpp).

#include <catch2/catch.hpp>

#include <random>

#include "sim/dataflow/bulk_mt19937_64.hpp"
#include "sim/workload/reference.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

TEST_CASE("outputs match the reference for random layers", "[functional]") {
  std::mt19937 rng(7);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  int layers_run = 0;
  for (int trial = 0; trial < 12; ++trial) {
    const int channels = pick(1, 6), groups = pick(0, 1) ? channels : 1;
    Layer layer = conv_layer(pick(3, 9), pick(3, 9), channels, groups * pick(1, 3), pick(1, 3),
                             pick(1, 3), pick(1, 2), pick(0, 1), groups);
    layer.shape.dilation_h = pick(1, 2);
    layer.batch = pick(1, 2);
    if (!layer.problem().empty()) continue;  // an invalid shape drawn
    ++layers_run;
    const int rows = pick(1, 6), cols = pick(1, 6);
    for (const std::string dataflow :
         {"ws", "os", "is"})
      for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
        for (DataType type : {DataType::Int16, DataType::Int8, DataType::Int4, DataType::Int2, DataType::Int1,
                              DataType::Fp32}) {
          const RunResult result =
              simulate(array_config(rows, cols, dataflow, microarch, type), {layer}, trial + 1);
          INFO("trial " << trial << " " << rows << "x" << cols << " " << dataflow << " "
                        << to_string(microarch) << " " << to_string(type) << ": "
                        << result.layers[0].verification_detail);
          CHECK(result.layers[0].verification == Verification::Passed);
        }
  }
  // Most draws are valid layers: the test does not pass by skipping them.
  CHECK(layers_run >= 8);
}

TEST_CASE("the reference comparison detects a wrong output", "[functional]") {
  // 4x4x2 input of ones, three 3x3x2 filters of ones, padding 1: each output
  // counts the window positions inside the input, times 2 channels.
  const Layer layer = conv_layer(4, 4, 2, 3, 3, 3, 1, 1);
  const std::vector<std::int8_t> input(4 * 4 * 2, 1), filters(3 * 3 * 3 * 2, 1);
  std::vector<std::int32_t> expected(4 * 4 * 3);
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 4; ++x) {
      const int rows = (y == 0 || y == 3) ? 2 : 3, cols = (x == 0 || x == 3) ? 2 : 3;
      for (int f = 0; f < 3; ++f) expected[(y * 4 + x) * 3 + f] = rows * cols * 2;
    }
  CHECK(compare_with_reference(layer, input, filters, expected).mismatches == 0);
  expected[5] += 1;
  const Comparison one_off = compare_with_reference(layer, input, filters, expected);
  CHECK(one_off.mismatches == 1);
  CHECK_FALSE(one_off.first_mismatch.empty());
}

TEST_CASE("fp32 outputs are compared within the rounding bound", "[functional]") {
  const Layer layer = make_gemm_layer("g", 3, 2, 4);
  const std::vector<float> input = {1e8f, 1, -1e8f, 1, 0.5f, 0.25f, 2, 3, 1, 1, 1, 1};
  const std::vector<float> filters = {1, 1, 1, 1, 1, -1, 1, -1};
  std::vector<float> output(3 * 2);
  // Row 0 with filter 0 sums 1e8 + 1 - 1e8 + 1 = 2 exactly in double; in
  // float the order may lose the ones, which the bound (K+2)·2^-24·2e8 ≈ 71
  // allows. An error of 1000 is beyond it.
  output = {0, 0, 5.75f, -0.75f, 4, 0};
  CHECK(compare_with_reference(layer, input, filters, output).mismatches == 0);
  output[0] = 1000;
  CHECK(compare_with_reference(layer, input, filters, output).mismatches == 1);
}

// Operands are drawn with BulkMt19937_64, which must give std::mt19937_64's
// sequence: a seed gives the operands it always gave.
TEST_CASE("the bulk generator draws std::mt19937_64's sequence", "[functional]") {
  for (const std::uint64_t seed : {std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{0x9E3779B97F4A7C15ULL}}) {
    INFO("seed " << seed);
    std::mt19937_64 reference(seed);
    BulkMt19937_64 bulk(seed);
    std::vector<std::uint64_t> drawn(1000);
    // Single draws and runs that start and end inside a state and span several.
    for (const std::size_t run : {std::size_t{1}, std::size_t{7}, std::size_t{311}, std::size_t{1000}, std::size_t{2}}) {
      bulk.fill(drawn.data(), run);
      for (std::size_t i = 0; i < run; ++i) REQUIRE(drawn[i] == reference());
      REQUIRE(bulk() == reference());
    }
  }
}
