// The two ways of evaluating the PE grid (models/array/pe_engine.hpp): the
// fold engine, the default, writes every output the cycle engine (the
// reference) writes, byte for byte, over a small matrix of runs: every GEMM
// dataflow and microarchitecture, int8, int16 and fp32 (whose sums depend on
// their order), ideal memory and DRAM with a narrow NoC (streams spaced more
// than a cycle apart) and a shared buffer, every layer kind, zero operands
// (gated MACs, per cycle in the power at --sample 1), and a VCD of the
// aggregate signals; and row stationary. scripts/check_equivalence.sh
// engines runs a larger one.

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "models/array/fold_evaluation.hpp"
#include "models/array/int8_dot_block.hpp"
#include "tests/helpers.hpp"

using namespace systole::test;

TEST_CASE("the fold engine writes what the cycle engine writes, byte for byte", "[cli][engines]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kEveryLayerKindYaml);
  struct Case {
    std::string name;
    std::vector<std::string> args;
  };
  const std::vector<std::string> small = {"--arch", "systole-32x32", "--array", "8x8"};
  const auto with = [](std::vector<std::string> base, const std::vector<std::string>& more) {
    base.insert(base.end(), more.begin(), more.end());
    return base;
  };
  const std::vector<Case> cases = {
      {"ws-pipelined-int8", with(small, {"--dataflow", "ws", "--microarch", "pipelined", "--data-type", "int8",
                                         "--sample", "1", "--sparsity", "ifmap=0.3,weights=0.2"})},
      {"os-baseline-fp32", with(small, {"--dataflow", "os", "--microarch", "baseline", "--data-type", "fp32",
                                        "--sample", "1", "--sparsity", "ifmap=0.5,weights=0.4"})},
      {"os-pipelined-int16", with(small, {"--dataflow", "os", "--microarch", "pipelined", "--data-type", "int16",
                                          "--sample", "7", "--sparsity", "weights=0.6"})},
      {"is-pipelined-fp32", with(small, {"--dataflow", "is", "--microarch", "pipelined", "--data-type", "fp32",
                                         "--sample", "1000"})},
      {"ws-baseline-dram-narrow-noc", with(small, {"--dataflow", "ws", "--microarch", "baseline", "--memory", "dram",
                                                   "--noc.left_words", "3", "--noc.top_words", "5",
                                                   "--noc.out_words", "2", "--noc.latency", "4", "--sample", "1",
                                                   "--sparsity", "ifmap=0.2"})},
      // Partitions of 1 KB cut OS reductions into chunks whose fp32 partial
      // results add up in the buffer.
      {"os-dram-spill-vcd", with(small, {"--dataflow", "os", "--data-type", "fp32", "--memory", "dram",
                                         "--buffer.ifmap_kb", "1",
                                         "--buffer.filter_kb", "1", "--buffer.ofmap_kb", "1", "--noc.left_words",
                                         "4", "--sample", "13", "--vcd", "@VCD"})},
      {"is-shared-buffer", {"--arch", SYSTOLE_SOURCE_DIR "/docs/examples/shared-12x14.ini", "--dataflow", "is",
                            "--noc.top_words", "5", "--sample", "1", "--sparsity", "ifmap=0.4,weights=0.4"}},
      // int8 rows of 16 operands and more, whose zeros the fold engine finds
      // sixteen at a time: OS streams, and a WS block 24 columns wide.
      {"os-pipelined-int8", with(small, {"--dataflow", "os", "--microarch", "pipelined", "--data-type", "int8",
                                         "--sample", "1", "--sparsity", "ifmap=0.3,weights=0.3"})},
      // A 1 KB ifmap partition tiles the stream: later tiles evaluate the
      // weight blocks the first prepared (SharedBlocks).
      {"ws-int8-dram-tiles", with(small, {"--dataflow", "ws", "--data-type", "int8", "--memory", "dram",
                                          "--buffer.ifmap_kb", "1", "--sample", "1",
                                          "--sparsity", "ifmap=0.2,weights=0.3"})},
      {"ws-24x24-int8", {"--arch", "systole-32x32", "--array", "24x24", "--dataflow", "ws", "--data-type", "int8",
                         "--sample", "1", "--sparsity", "ifmap=0.3,weights=0.3"}},
      // Windows of 5 cycles end inside the runs of repeated load cycles the
      // fold engine steps at once, and their power prices the buffer's
      // accesses up to each window's end.
      {"ws-baseline-sample-5", with(small, {"--dataflow", "ws", "--microarch", "baseline", "--data-type", "int16",
                                            "--sample", "5", "--sparsity", "weights=0.3"})},
      // Row stationary: the fold engine runs a PE's column of MACs at once.
      {"rs-eyeriss-dram", {"--arch", "eyeriss", "--sample", "1", "--sparsity", "ifmap=0.3,weights=0.3"}},
      {"rs-int8-narrow-noc", {"--arch", "eyeriss", "--memory", "ideal", "--data-type", "int8", "--noc.left_words",
                              "1", "--noc.top_words", "2", "--sample", "3", "--sparsity", "ifmap=0.5"}},
      {"rs-fp32-vcd", with(small, {"--dataflow", "rs", "--data-type", "fp32", "--sample", "1", "--vcd", "@VCD"})},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::string outputs[2];
    std::string errors[2];
    const char* engines[2] = {"cycle", "fold"};
    for (int e = 0; e < 2; ++e) {
      const std::string out = dir + "/" + c.name + "-" + engines[e];
      std::vector<std::string> args = {"run", "--workload", dir + "/net.yaml", "--verify", "--log-level", "warn",
                                       "--engine", engines[e], "--out", out};
      for (const std::string& a : c.args) args.push_back(a == "@VCD" ? out + ".vcd" : a);
      const CommandResult run = run_systole(args);
      INFO(engines[e] << " stderr: " << run.err);
      REQUIRE(run.exit_code == 0);
      outputs[e] = out;
    }
    for (const char* file : {"/layers.csv", "/utilization.csv", "/energy.csv"}) {
      INFO(file);
      const std::string expected = read_file(outputs[0] + file);
      REQUIRE(expected.size() > 100);
      CHECK(read_file(outputs[1] + file) == expected);
    }
    const nlohmann::json summary = summary_without_wall_clock(outputs[0] + "/summary.json");
    CHECK(summary_without_wall_clock(outputs[1] + "/summary.json") == summary);
    CHECK(summary["verification"] == "passed");
    if (c.name.find("vcd") != std::string::npos) {
      const std::string vcd = read_file(outputs[0] + ".vcd");
      REQUIRE(vcd.size() > 1000);
      CHECK(read_file(outputs[1] + ".vcd") == vcd);
    }
    // Zero operands gated MACs, so the comparison covered the fold engine's
    // count of them.
    if (std::find(c.args.begin(), c.args.end(), "--sparsity") != c.args.end()) {
      const auto layers = read_csv(outputs[1] + "/layers.csv");
      const auto& header = layers.front();
      const std::size_t gated =
          static_cast<std::size_t>(std::find(header.begin(), header.end(), "macs_gated") - header.begin());
      REQUIRE(gated < header.size());
      std::int64_t total = 0;
      for (std::size_t row = 1; row < layers.size(); ++row)
        if (!layers[row][gated].empty()) total += std::stoll(layers[row][gated]);
      CHECK(total > 0);
    }
  }
}

TEST_CASE("run --engine: bad values", "[cli][engines]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\na, 12, 5, 6,\n");
  const CommandResult bogus = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                           dir + "/net.csv", "--engine", "wavefront", "--out", dir + "/a"});
  CHECK(bogus.exit_code != 0);
  CHECK(bogus.err.find("option --engine: 'wavefront' is neither fold nor cycle") != std::string::npos);
}

// With --vcd-pes the fold engine also ticks the PE grid, for its registers
// only, from 2R + C cycles before the window through its last cycle, with
// the stationary rows and OS accumulators restored where it starts. A
// window in the middle of the run, in the middle of a step, shows the
// registers the cycle engine shows.
TEST_CASE("a PE window on the fold engine traces the cycle engine's registers", "[cli][engines]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kEveryLayerKindYaml);
  const std::vector<std::string> small = {"--arch", "systole-32x32", "--array", "8x8"};
  const std::vector<std::vector<std::string>> cases = {
      {"--dataflow", "ws", "--microarch", "pipelined", "--data-type", "int8", "--sparsity", "ifmap=0.3"},
      {"--dataflow", "os", "--microarch", "baseline", "--data-type", "fp32", "--memory", "dram",
       "--buffer.ifmap_kb", "1", "--buffer.filter_kb", "1", "--buffer.ofmap_kb", "1"},
      {"--dataflow", "os", "--microarch", "pipelined", "--data-type", "int16", "--noc.out_words", "2"},
      {"--dataflow", "is", "--microarch", "pipelined", "--data-type", "fp32", "--noc.left_words", "3"},
      // Its PEs' scratchpads are traced entry by entry: a bound on their
      // size above the default.
      {"--dataflow", "rs", "--data-type", "int8", "--sparsity", "ifmap=0.3", "--vcd-max-mb", "2000"},
  };
  for (std::size_t n = 0; n < cases.size(); ++n) {
    const std::string name = dir + "/case" + std::to_string(n);
    std::vector<std::string> base = {"run", "--workload", dir + "/net.yaml", "--verify", "--log-level", "warn"};
    base.insert(base.end(), small.begin(), small.end());
    base.insert(base.end(), cases[n].begin(), cases[n].end());
    INFO(name);
    const CommandResult plain = run_systole([&] {
      std::vector<std::string> args = base;
      args.insert(args.end(), {"--out", name + "-plain"});
      return args;
    }());
    REQUIRE(plain.exit_code == 0);
    const std::int64_t cycles =
        nlohmann::json::parse(read_file(name + "-plain/summary.json"))["totals"]["cycles"]["value"].get<std::int64_t>();
    REQUIRE(cycles > 100);
    const std::string window = std::to_string(cycles / 3) + ":" + std::to_string(cycles / 2);
    std::string outputs[2];
    const char* engines[2] = {"cycle", "fold"};
    for (int e = 0; e < 2; ++e) {
      outputs[e] = name + "-" + engines[e];
      std::vector<std::string> args = base;
      args.insert(args.end(), {"--engine", engines[e], "--out", outputs[e], "--vcd", outputs[e] + ".vcd",
                               "--vcd-pes", "0:7,0:7", "--vcd-cycles", window, "--sample", "1"});
      const CommandResult run = run_systole(args);
      INFO(engines[e] << " stderr: " << run.err);
      REQUIRE(run.exit_code == 0);
    }
    const std::string vcd = read_file(outputs[0] + ".vcd");
    INFO("window " << window);
    REQUIRE(vcd.size() > 10000);
    CHECK(read_file(outputs[1] + ".vcd") == vcd);
    for (const char* file : {"/layers.csv", "/utilization.csv", "/energy.csv"})
      CHECK(read_file(outputs[1] + file) == read_file(outputs[0] + file));
    CHECK(summary_without_wall_clock(outputs[1] + "/summary.json") ==
          summary_without_wall_clock(outputs[0] + "/summary.json"));
  }
}

// The int8 kernel on AVX-512 VNNI adds four products at a time, an operand
// offset by 128: its sums must be the one-at-a-time int32 sums (wrapping)
// for any shape, including rows and columns that fill no whole group or
// vector, reductions long enough to wrap, and a block laid out row-major,
// column-major or with gaps.
TEST_CASE("the int8 VNNI kernel sums as the PEs sum", "[engines]") {
  if (!systole::Int8DotBlock::supported()) {
    WARN("this CPU has no AVX-512 VNNI: the fold engine uses its portable loop, tested above");
    return;
  }
  std::mt19937 rng(7);
  struct Shape {
    std::int64_t rows;
    int cols;
    bool extreme;  // every value -128: the longest reduction wraps
  };
  for (const Shape shape : {Shape{1, 1, false}, Shape{5, 7, false}, Shape{128, 128, false}, Shape{131, 200, false},
                            Shape{3, 300, false}, Shape{140'000, 17, true}}) {
    INFO(shape.rows << " x " << shape.cols);
    std::vector<std::int8_t> block(static_cast<std::size_t>(shape.rows) * shape.cols);
    std::vector<std::int8_t> x(static_cast<std::size_t>(shape.rows));
    for (auto& v : block) v = shape.extreme ? -128 : static_cast<std::int8_t>(rng());
    for (auto& v : x) v = shape.extreme ? -128 : static_cast<std::int8_t>(rng());
    std::vector<std::uint32_t> expected(static_cast<std::size_t>(shape.cols));
    for (std::int64_t s = 0; s < shape.rows; ++s)
      for (int c = 0; c < shape.cols; ++c)
        expected[c] += static_cast<std::uint32_t>(x[s] * block[s * shape.cols + c]);
    // The same block row-major, column-major, and every other element of
    // a block twice as wide.
    std::vector<std::int8_t> column_major(block.size()), spaced(2 * block.size());
    for (std::int64_t s = 0; s < shape.rows; ++s)
      for (int c = 0; c < shape.cols; ++c) {
        column_major[c * shape.rows + s] = block[s * shape.cols + c];
        spaced[s * 2 * shape.cols + 2 * c] = block[s * shape.cols + c];
      }
    struct Layout {
      const char* name;
      const std::int8_t* values;
      std::int64_t row_stride, col_stride;
    };
    for (const Layout& layout : {Layout{"row-major", block.data(), shape.cols, 1},
                                 Layout{"column-major", column_major.data(), 1, shape.rows},
                                 Layout{"spaced", spaced.data(), 2 * shape.cols, 2}}) {
      INFO(layout.name);
      systole::Int8DotBlock packed(layout.values, layout.row_stride, layout.col_stride, shape.rows, shape.cols);
      std::vector<std::int32_t> sums(static_cast<std::size_t>(shape.cols) + 1, 12345);  // one past: untouched
      packed.products(x.data(), 0, 1, sums.data(), 0);
      for (int c = 0; c < shape.cols; ++c) CHECK(static_cast<std::uint32_t>(sums[c]) == expected[c]);
      CHECK(sums.back() == 12345);
      if (shape.extreme) CHECK(sums[0] < 0);  // 16384 per row: past 2^31, wrapped
      // Rows at once: x times 1, -1, 2, 3, … (each wrapping as int8),
      // spaced apart; their sums spaced by cols + 2, the gaps untouched.
      for (int count = 2; count <= systole::Int8DotBlock::kRowsPerPass; ++count) {
        INFO(count << " rows at once");
        const std::int64_t x_stride = shape.rows + 5;
        std::vector<std::int8_t> rows(static_cast<std::size_t>(count * x_stride));
        for (int r = 0; r < count; ++r)
          for (std::int64_t s = 0; s < shape.rows; ++s)
            rows[r * x_stride + s] = static_cast<std::int8_t>(static_cast<std::uint8_t>(x[s]) * (r == 1 ? -1 : std::max(r, 1)));
        const std::int64_t sums_stride = shape.cols + 2;
        std::vector<std::int32_t> many(static_cast<std::size_t>(count * sums_stride), 12345);
        packed.products(rows.data(), x_stride, count, many.data(), sums_stride);
        for (int r = 0; r < count; ++r) {
          for (int c = 0; c < shape.cols; ++c) {
            std::uint32_t sum = 0;
            for (std::int64_t s = 0; s < shape.rows; ++s)
              sum += static_cast<std::uint32_t>(rows[r * x_stride + s] * block[s * shape.cols + c]);
            CHECK(static_cast<std::uint32_t>(many[r * sums_stride + c]) == sum);
          }
          CHECK(many[r * sums_stride + shape.cols] == 12345);
          CHECK(many[r * sums_stride + shape.cols + 1] == 12345);
        }
      }
    }
  }
}

// The fold engine counts the MACs a zero weight gates from the zeros the
// packed block reports: every zero of the block, row by row, columns in
// order, and none of the zeros that pad the block to whole groups of four
// rows and vectors of sixteen columns.
TEST_CASE("the int8 VNNI block finds its zero weights, not its padding", "[engines]") {
  if (!systole::Int8DotBlock::supported()) {
    WARN("this CPU has no AVX-512 VNNI: the fold engine finds zeros in its portable copy, tested above");
    return;
  }
  std::mt19937 rng(11);
  for (const auto& [rows, cols] : {std::pair<std::int64_t, int>{1, 1}, {5, 7}, {128, 128}, {131, 200}, {3, 33}}) {
    for (const double zero_share : {0.0, 0.3, 1.0}) {
      INFO(rows << " x " << cols << ", zero share " << zero_share);
      std::vector<std::int8_t> block(static_cast<std::size_t>(rows) * cols);
      std::bernoulli_distribution zero(zero_share);
      for (auto& v : block) v = zero(rng) ? std::int8_t{0} : static_cast<std::int8_t>(1 + rng() % 255);
      std::vector<std::int64_t> expected_begin{0};
      std::vector<int> expected_columns;
      for (std::int64_t s = 0; s < rows; ++s) {
        for (int c = 0; c < cols; ++c)
          if (block[s * cols + c] == 0) expected_columns.push_back(c);
        expected_begin.push_back(static_cast<std::int64_t>(expected_columns.size()));
      }
      std::vector<std::int8_t> column_major(block.size());
      for (std::int64_t s = 0; s < rows; ++s)
        for (int c = 0; c < cols; ++c) column_major[c * rows + s] = block[s * cols + c];
      for (const bool row_major : {true, false}) {
        INFO((row_major ? "row-major" : "column-major"));
        const systole::Int8DotBlock packed(row_major ? block.data() : column_major.data(), row_major ? cols : 1,
                                           row_major ? 1 : rows, rows, cols);
        std::vector<std::int64_t> begin = {-1};
        std::vector<int> columns = {-1};
        packed.find_zeros(begin, columns);
        CHECK(begin == expected_begin);
        CHECK(columns == expected_columns);
      }
    }
  }
}

namespace {

// A GEMM L (m × k) · Rt (k × n) folded onto a rows × cols array, in the
// order DRAM's buffer tiles give: each tile passes every block of the
// operand its folds share again. Stationary: tiles of `tile` rows of L, each
// streamed past every (k, n) block of Rt. OS: each (m, n) block of outputs
// takes chunks of `tile` of the reduction, each a (k, n) block of Rt that
// the next row of blocks takes again.
std::vector<systole::Fold> tiled_folds(systole::ArrayMode mode, std::int64_t m, std::int64_t k, std::int64_t n,
                                       int rows, int cols, std::int64_t tile) {
  std::vector<systole::Fold> folds;
  const auto add = [&](std::int64_t row, std::int64_t held, std::int64_t col, std::int64_t stream,
                       std::int64_t streamed) {
    systole::Fold& f = folds.emplace_back();
    f.row_offset = row;
    f.rows_used = static_cast<int>(std::min<std::int64_t>(rows, held - row));
    f.col_offset = col;
    f.cols_used = static_cast<int>(std::min<std::int64_t>(cols, n - col));
    f.stream_offset = stream;
    f.stream_length = std::min(tile, streamed - stream);
    f.stream_spacing = 2;
  };
  if (mode == systole::ArrayMode::Stationary) {
    for (std::int64_t t = 0; t < m; t += tile)
      for (std::int64_t r = 0; r < k; r += rows)
        for (std::int64_t c = 0; c < n; c += cols) add(r, k, c, t, m);
  } else {
    for (std::int64_t r = 0; r < m; r += rows)
      for (std::int64_t c = 0; c < n; c += cols)
        for (std::int64_t s = 0; s < k; s += tile) add(r, m, c, s, k);
  }
  return folds;
}

template <class Op, class Acc>
void check_shared_blocks(systole::ArrayMode mode, std::uint32_t seed) {
  const std::int64_t m = 23, k = 37, n = 17;
  const int rows = 8, cols = 6;
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> value(-9, 9);
  std::vector<Op> left(static_cast<std::size_t>(m * k)), top(static_cast<std::size_t>(k * n));
  for (Op& v : left) v = static_cast<Op>(value(rng) % 3 == 0 ? 0 : value(rng));
  for (Op& v : top) v = static_cast<Op>(value(rng) % 3 == 0 ? 0 : value(rng));
  const std::vector<systole::Fold> folds = tiled_folds(mode, m, k, n, rows, cols, 9);
  std::vector<Acc> shared_out(static_cast<std::size_t>(m * n)), own_out(shared_out.size()), lean_out(shared_out.size());
  // Rt stored n × k, as a linear layer's weights are: element (k, n) at n·k.
  const auto operands = [&](std::vector<Acc>& out) {
    systole::GemmOperands<Op, Acc> ops;
    ops.left = left.data();
    ops.left_ld = k;
    ops.top = top.data();
    ops.top_row_stride = 1;
    ops.top_col_stride = k;
    ops.out = out.data();
    ops.out_ld = n;
    return ops;
  };
  systole::SharedBlocks<Op> shared(mode, folds);
  // A budget smaller than a block: every fold prepares its own.
  systole::SharedBlocks<Op> lean(mode, folds, 64);
  std::int64_t most_held = 0;
  for (const systole::Fold& f : folds) {
    const systole::FoldEvaluation<Op, Acc> with_shared(mode, f, operands(shared_out), &shared);
    const systole::FoldEvaluation<Op, Acc> with_lean(mode, f, operands(lean_out), &lean);
    const systole::FoldEvaluation<Op, Acc> own(mode, f, operands(own_out));
    for (std::int64_t offset = 0; offset < 2 * (m + k) + n; ++offset) {
      INFO("offset " << offset);
      REQUIRE(with_shared.gated_macs(offset) == own.gated_macs(offset));
      REQUIRE(with_lean.gated_macs(offset) == own.gated_macs(offset));
    }
    most_held = std::max(most_held, shared.held_bytes());
    CHECK(lean.held_bytes() == 0);
  }
  CHECK(shared_out == own_out);
  CHECK(lean_out == own_out);
  // Every block was held once the first tile had passed, and let go by its
  // last fold.
  CHECK(most_held > 0);
  CHECK(shared.held_bytes() == 0);
  // And the folds computed the GEMM.
  for (std::int64_t i = 0; i < m; ++i)
    for (std::int64_t j = 0; j < n; ++j) {
      Acc sum{};
      for (std::int64_t e = 0; e < k; ++e)
        sum += static_cast<Acc>(left[static_cast<std::size_t>(i * k + e)]) *
               static_cast<Acc>(top[static_cast<std::size_t>(j * k + e)]);
      CHECK(own_out[static_cast<std::size_t>(i * n + j)] == sum);
    }
}

}  // namespace

// With DRAM the buffer's tiles make folds evaluate the same block again;
// sharing it must change nothing a fold computes or gates.
TEST_CASE("folds that share a block prepare it once and compute what they computed alone", "[engines]") {
  for (const systole::ArrayMode mode : {systole::ArrayMode::Stationary, systole::ArrayMode::OutputStationary}) {
    INFO((mode == systole::ArrayMode::Stationary ? "stationary" : "output stationary"));
    check_shared_blocks<std::int8_t, std::int32_t>(mode, 3);
    check_shared_blocks<std::int16_t, std::int64_t>(mode, 4);
    check_shared_blocks<float, float>(mode, 5);
  }
}
