// Timing-only runs (RunOptions::compute off, `--compute off`): without
// operand values the array must do, cycle by cycle, exactly what it does
// when it computes, except what only values decide (which MACs a zero
// gates) and the outputs.

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "helpers.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/report/counters.hpp"
#include "sim/workload/yaml_workload.hpp"

using namespace systole;
using namespace systole::test;

namespace {

struct Recorded {
  RunResult result;
  // It takes runs of repeated cycles, so the timing-only run steps them in
  // runs where it can.
  CycleRecorder activity{/*takes_runs=*/true};
  std::int64_t repeated_cycles = 0;
};

void record(const ArchConfig& arch, const Workload& workload, bool compute, Recorded& into) {
  RunOptions options;
  options.compute = compute;
  options.verify = compute;
  // The computing run is the reference: the timing-only run counts as the
  // fold engine does, so the cycle engine is what it must match.
  options.engine = PeEngine::Cycle;
  Simulator simulator(accelerator(), arch, options);
  simulator.add_observer(into.activity);
  const std::int64_t repeated_before = accelerator().array.repeated_cycles();
  into.result = simulator.run(workload);
  into.repeated_cycles = accelerator().array.repeated_cycles() - repeated_before;
}

Workload every_layer_type() {
  const std::string path = make_temp_dir() + "/net.yaml";
  write_file(path,
             "name: mixed\nbatch: 2\nlayers:\n"
             "  - {name: c, type: conv, input: [8, 8, 3], filters: 10, kernel: [3, 1], stride: [2, 1], padding: [1, 1, 0, 0]}\n"
             "  - {name: d, type: depthwise, input: [8, 8, 4], kernel: 3, padding: 1, multiplier: 2}\n"
             "  - {name: p, type: pool, op: avg, input: [8, 8, 8], kernel: 2, stride: 2}\n"
             "  - {name: f, type: linear, inputs: 40, outputs: 19}\n"
             "  - {name: g, type: gemm, m: 21, n: 4, k: 17}\n"
             "  - {name: l, type: lstm, input_size: 6, hidden_size: 4, sequence_length: 3, layers: 2, bidirectional: true}\n"
             "  - {name: r, type: gru, input_size: 6, hidden_size: 4, sequence_length: 3}\n"
             "  - {name: a, type: attention, sequence_length: 8, heads: 2, model_dim: 16}\n");
  return load_yaml_workload(path);
}

}  // namespace

TEST_CASE("a timing-only run does, cycle by cycle, what the computing run does", "[timing-only]") {
  const Workload workload = every_layer_type();
  const auto [dataflow, microarch, dram] =
      GENERATE(table<std::string, Microarch, bool>({{"ws", Microarch::Baseline, false},
                                                     {"ws", Microarch::Pipelined, false},
                                                     {"os", Microarch::Baseline, false},
                                                     {"os", Microarch::Pipelined, false},
                                                     {"is", Microarch::Baseline, false},
                                                     {"is", Microarch::Pipelined, false},
                                                     {"ws", Microarch::Pipelined, true},
                                                     {"os", Microarch::Baseline, true},
                                                     {"is", Microarch::Pipelined, true}}));
  CAPTURE(dataflow, microarch == Microarch::Pipelined, dram);
  ArchConfig arch = array_config(8, 6, dataflow, microarch);
  if (dram) {
    arch = with_dram(arch, "ddr4-2400");
    // Narrow buses and a small buffer: spaced streams, chunked folds.
    arch.noc.left_words = 3;
    arch.noc.top_words = 2;
    arch.noc.out_words = 2;
    arch.noc.latency = 2;
  }
  Recorded computing, timing_only;
  record(arch, workload, true, computing);
  record(arch, workload, false, timing_only);

  REQUIRE(computing.result.layers.size() == workload.layers.size());
  REQUIRE(timing_only.result.layers.size() == workload.layers.size());
  std::int64_t gated = 0;
  for (std::size_t l = 0; l < workload.layers.size(); ++l) {
    const LayerStats& c = computing.result.layers[l];
    const LayerStats& t = timing_only.result.layers[l];
    CAPTURE(c.name);
    // Every layer with array steps computed and passed; the pool runs on
    // the vector unit only, with nothing to check either way.
    const bool on_array = c.name != "p";
    CHECK(c.verification == (on_array ? Verification::Passed : Verification::NotChecked));
    CHECK(t.verification == (on_array ? Verification::TimingOnly : Verification::NotChecked));
    for (const CounterInfo& counter : counter_infos()) {
      CAPTURE(counter.name);
      if (needs_operand_values(counter.counter)) {
        CHECK(t[counter.counter] == 0);
        gated += c[counter.counter];
      } else {
        CHECK(c[counter.counter] == t[counter.counter]);
      }
    }
  }
  // Random int8 operands are zero 1 time in 256: the computing run gated
  // some MACs, which the timing-only one cannot know.
  CHECK(gated > 0);
  CHECK(computing.activity.steps == timing_only.activity.steps);
  REQUIRE(computing.activity.cycles.size() == timing_only.activity.cycles.size());
  std::size_t cycle = 0;
  std::string difference;
  for (; cycle < computing.activity.cycles.size() && difference.empty(); ++cycle)
    difference = first_difference(computing.activity.cycles[cycle], timing_only.activity.cycles[cycle],
                                  /*gated=*/false);
  CAPTURE(cycle);
  CHECK(difference.empty());
  // The cycle engine steps every cycle on its own; with ideal memory the
  // timing-only run stepped baseline stationary loads in runs (and was
  // compared above cycle by cycle all the same).
  CHECK(computing.repeated_cycles == 0);
  if (!dram && dataflow != "os" && microarch == Microarch::Baseline) CHECK(timing_only.repeated_cycles > 0);
}

TEST_CASE("timing-only layers (compute off, or over the compute limit) leave out of the reports what needs values", "[timing-only][cli]") {
  const std::string dir = make_temp_dir();
  const std::string workload = dir + "/net.yaml";
  write_file(workload, kConvPoolFcYaml);
  const std::vector<std::string> base = {"run", "--arch", "systole-32x32", "--array", "4x4", "--workload", workload,
                                         "--log-level", "warn"};
  const auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  };
  const CommandResult computing = run_systole(with({"--out", dir + "/on", "--verify"}));
  REQUIRE(computing.exit_code == 0);
  // A limit of 0 MiB sends every array step timing-only, each with a warning.
  const CommandResult limited = run_systole(with({"--out", dir + "/limited", "--compute-limit-mb", "0"}));
  REQUIRE(limited.exit_code == 0);
  CHECK(limited.err.find("step 'c1' needs 0 MiB of operand values, more than the compute limit (0 MiB): it runs "
                         "timing-only") != std::string::npos);
  const CommandResult off = run_systole(with({"--out", dir + "/off", "--compute", "off"}));
  REQUIRE(off.exit_code == 0);
  CHECK(off.err.empty());

  const auto on_rows = read_csv(dir + "/on/layers.csv");
  for (const std::string run : {"limited", "off"}) {
    CAPTURE(run);
    const auto rows = read_csv(dir + "/" + run + "/layers.csv");
    REQUIRE(rows.size() == on_rows.size());
    const std::vector<std::string>& header = rows[0];
    REQUIRE(header == on_rows[0]);
    for (std::size_t r = 1; r < rows.size(); ++r) {
      const bool on_array = rows[r][0] != "p";
      for (std::size_t c = 0; c < header.size(); ++c) {
        CAPTURE(rows[r][0], header[c]);
        if (header[c] == "verification") {
          CHECK(on_rows[r][c] == (on_array ? "passed" : "not_checked"));
          CHECK(rows[r][c] == (on_array ? "timing_only" : "not_checked"));
        } else if (header[c] == "macs_gated" || header[c] == "gated_fraction") {
          CHECK(rows[r][c] == (on_array ? "" : on_rows[r][c]));
        } else if (header[c] != "sim_seconds") {
          CHECK(rows[r][c] == on_rows[r][c]);
        }
      }
    }
    const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/" + run + "/summary.json"));
    CHECK(summary["totals"]["timing_only_layers"]["value"] == 2);
    CHECK(summary["totals"]["macs_gated"]["value"].is_null());
  }
  const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/on/summary.json"));
  CHECK(summary["totals"]["timing_only_layers"]["value"] == 0);
  CHECK(summary["totals"]["macs_gated"]["value"].is_number());
}

TEST_CASE("the operand bytes a layer holds count a lowered copy only where the layer makes one", "[timing-only]") {
  // Operands take 1 byte in int8 (4 per result) and 2 in int16 (8); the
  // results are held twice (the array's and the gathered output).
  SECTION("a GEMM is its own lowered input") {
    const Layer gemm = make_gemm_layer("g", 100, 30, 50);  // input M·K 5000, weights N·K 1500, results M·N 3000
    CHECK(functional_bytes(gemm, DataType::Int8) == 5000 + 1500 + 2 * 4 * 3000);
    CHECK(functional_bytes(gemm, DataType::Int16) == 2 * (5000 + 1500) + 2 * 8 * 3000);
  }
  SECTION("a 3x3 convolution holds its im2col copy") {
    // 8x8x4 input, 6 filters of 3x3x4, padding 1: M = 64, K = 36, N = 6.
    const Layer conv = conv_layer(8, 8, 4, 6, 3, 3, 1, 1);
    CHECK(functional_bytes(conv, DataType::Int8) == 256 + 6 * 36 + 64 * 36 + 2 * 4 * 64 * 6);
  }
  SECTION("a 1x1 convolution with stride 2 or groups is lowered too") {
    // Stride 2: 4x4 outputs, M = 16, K = 4.
    const Layer strided = conv_layer(8, 8, 4, 6, 1, 1, 2);
    CHECK(functional_bytes(strided, DataType::Int8) == 256 + 6 * 4 + 16 * 4 + 2 * 4 * 16 * 6);
    // Two groups of 2 channels: M = 64, K = 2 and N = 3 per group.
    const Layer grouped = conv_layer(8, 8, 4, 6, 1, 1, 1, 0, 2);
    CHECK(functional_bytes(grouped, DataType::Int8) == 256 + 2 * 3 * 2 + 2 * 64 * 2 + 2 * 4 * 2 * 64 * 3);
  }
}

TEST_CASE("compute off refuses the options that need values", "[timing-only][cli]") {
  const std::string dir = make_temp_dir();
  const std::string workload = dir + "/net.yaml";
  write_file(workload, kConvPoolFcYaml);
  const auto run = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = {"run", "--arch", "systole-32x32", "--workload", workload, "--out", dir + "/out"};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_systole(args);
  };
  expect_bad_input(run({"--compute", "maybe"}), "option --compute: 'maybe' is neither on nor off");
  expect_bad_input(run({"--compute", "off", "--verify"}), "option --verify: --compute off computes no outputs to verify");
  expect_bad_input(run({"--compute", "off", "--sparsity", "ifmap=0.5"}),
                   "option --sparsity: --compute off draws no operand values");
  expect_bad_input(run({"--compute", "off", "--vcd", dir + "/x.vcd", "--vcd-pes", "0:1,0:1"}),
                   "option --vcd-pes: --compute off has no PE register values to trace");
  expect_bad_input(run({"--compute", "off", "--dataflow", "rs"}),
                   "option --compute off: the rs dataflow always computes (use ws, os or is)");
  expect_bad_input(run({"--compute-limit-mb", "-1"}), "option --compute-limit-mb: must be between 0 and 2^30, got -1");
  CHECK_FALSE(std::filesystem::exists(dir + "/out"));
}
