// Whole networks: the native format's errors, the vector unit, the order of
// recurrent steps, attention, and batch.

#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "sim/config/input_error.hpp"
#include "sim/workload/yaml_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

std::string yaml_error(const std::string& text) {
  const std::string path = make_temp_dir() + "/net.yaml";
  write_file(path, text);
  try {
    load_yaml_workload(path);
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(path, 0) == 0);
    return message.substr(path.size());
  }
  FAIL("no error for:\n" << text);
  return {};
}

ArchConfig with_lanes(ArchConfig arch, int lanes) {
  arch.vector.lanes = lanes;
  return arch;
}

}  // namespace

TEST_CASE("the native format reads every layer type", "[network]") {
  const std::string path = make_temp_dir() + "/net.yaml";
  write_file(path,
             "name: mixed\nbatch: 2\nlayers:\n"
             "  - {name: c, type: conv, input: [8, 8, 3], filters: 4, kernel: [3, 1], stride: [2, 1], padding: [1, 1, 0, 0], dilation: [1, 1], groups: 1}\n"
             "  - {name: d, type: depthwise, input: [8, 8, 4], kernel: 3, padding: 1, multiplier: 2}\n"
             "  - {name: p, type: pool, op: avg, input: [8, 8, 8], kernel: 2, stride: 2}\n"
             "  - {name: e, type: eltwise, shape: [4, 4, 8]}\n"
             "  - {name: f, type: linear, inputs: 128, outputs: 10, repeat: 2}\n"
             "  - {name: g, type: gemm, m: 3, n: 4, k: 5}\n"
             "  - {name: l, type: lstm, input_size: 6, hidden_size: 4, sequence_length: 3, layers: 2, bidirectional: true}\n"
             "  - {name: r, type: gru, input_size: 6, hidden_size: 4, sequence_length: 3, linear_before_reset: true}\n"
             "  - {name: a, type: attention, sequence_length: 8, heads: 2, model_dim: 16}\n");
  const Workload w = load_yaml_workload(path);
  REQUIRE(w.layers.size() == 10);
  CHECK(w.name == "mixed");
  CHECK(w.layers[0].batch == 2);
  // conv: (8 + 1 + 1 - 3) / 2 + 1 = 4 rows, 8 columns.
  CHECK(w.layers[0].out_h() == 4);
  CHECK(w.layers[0].out_w() == 8);
  CHECK(w.layers[1].shape.groups == 4);
  CHECK(w.layers[1].shape.filters == 8);
  CHECK(w.layers[2].output_elements() == 2 * 4 * 4 * 8);
  CHECK(w.layers[3].elements == 128);
  CHECK(w.layers[4].name == "f_1");
  CHECK(w.layers[5].name == "f_2");
  CHECK(w.layers[5].kind == LayerKind::FullyConnected);
  CHECK(w.layers[6].macs() == 2 * 3 * 4 * 5);
  // 2 layers x 2 directions x 4H x B x T x (D_l + H): D_0 = 6, D_1 = 2H = 8.
  CHECK(w.layers[7].macs() == 2 * (16 * 2 * 3 * (6 + 4)) + 2 * (16 * 2 * 3 * (8 + 4)));
  CHECK(w.layers[8].recurrent.linear_before_reset);
  // 4·B·S·d² + 2·B·S²·d.
  CHECK(w.layers[9].macs() == 4 * 2 * 8 * 16 * 16 + 2 * 2 * 8 * 8 * 16);
}

TEST_CASE("native format errors name the line and the field", "[network]") {
  const std::string head = "layers:\n";
  CHECK(yaml_error(head + "  - {name: c, type: conv, input: [8, 8, 3], filters: 4, kernel: 3, colour: red}\n") ==
        ":2: layer 'c': unknown field 'colour' for type conv");
  CHECK(yaml_error(head + "  - {name: c, type: conv, input: [8, 8, 3], kernel: 3}\n") ==
        ":2: layer 'c': missing field 'filters'");
  CHECK(yaml_error(head + "  - {name: ok, type: gemm, m: 1, n: 1, k: 1}\n  - {name: c, type: conv, input: [8, x, 3], filters: 4, kernel: 3}\n") ==
        ":3: layer 'c': field 'input' is 'x', not an integer");
  CHECK(yaml_error(head + "  - {name: c, type: conv, input: [8, 8], filters: 4, kernel: 3}\n") ==
        ":2: layer 'c': field 'input' must have 3 values, has 2");
  CHECK(yaml_error(head + "  - {name: c, type: convolution}\n").find(":2: layer 'c': unknown type 'convolution'") == 0);
  CHECK(yaml_error(head + "  - {name: c, type: conv, input: [2, 2, 3], filters: 4, kernel: 3}\n") ==
        ":2: layer 'c': filter 3x3 is larger than the padded input 2x2");
  CHECK(yaml_error(head + "  - {name: g, type: gemm, m: 0, n: 1, k: 1}\n") ==
        ":2: layer 'g': field 'm' must be at least 1, got 0");
  CHECK(yaml_error(head + "  - {name: p, type: pool, op: median, input: [4, 4, 1], kernel: 2}\n") ==
        ":2: layer 'p': field 'op' is 'median', expected max or avg");
  CHECK(yaml_error("layers:\n  - {name: c, type: conv\n").find(":3: not valid YAML") == 0);
  CHECK(yaml_error("name: x\n") == ": needs a non-empty 'layers' list");
  CHECK(yaml_error(head + "  - {name: g, type: gemm, m: 1, n: 1, k: 1, repeat: 100000000000}\n") ==
        ":2: layer 'g': field 'repeat' must be at most 100000, got 100000000000");
  CHECK(yaml_error(head + "  - {name: e, type: eltwise, shape: [4294967297, 4294967296]}\n") ==
        ":2: layer 'e': field 'shape' has more than 68719476736 elements");
  CHECK(yaml_error(head + "  - {name: g, type: gemm, m: 1, n: 1, k: 1, m: 2}\n") ==
        ":2: layer 'g': field 'm' is given twice");
  CHECK(yaml_error(head + "  - {name: l, type: lstm, input_size: 1, hidden_size: 1, sequence_length: 1, layers: 3000000000}\n") ==
        ":2: layer 'l': layers must be at most 1000, got 3000000000");
  CHECK(yaml_error("layer:\n  - {}\n") == ":1: unknown key 'layer' (expected name, batch, layers)");
}

TEST_CASE("vector layers take ceil(operations / lanes) cycles", "[network][timing]") {
  Layer pool;
  pool.name = "p";
  pool.kind = LayerKind::Pool;
  pool.pool = {true, 4, 4, 1, 2, 2, 2, 2, 0, 0, 0, 0};
  Layer add;
  add.name = "e";
  add.kind = LayerKind::Eltwise;
  add.elements = 100;
  const RunResult result =
      simulate(with_lanes(array_config(4, 4, "ws"), 8), {pool, add});
  // Pool: 2x2 outputs, each reading a 2x2 window: 16 operations, 2 cycles.
  CHECK(result.layers[0][Counter::Cycles] == 2);
  CHECK(result.layers[0][Counter::VectorCycles] == 2);
  CHECK(result.layers[0][Counter::Macs] == 0);
  // 100 additions on 8 lanes: 13 cycles.
  CHECK(result.layers[1][Counter::Cycles] == 13);
}

TEST_CASE("an LSTM's steps wait for the previous hidden state", "[network][timing]") {
  Layer lstm;
  lstm.name = "l";
  lstm.kind = LayerKind::Lstm;
  lstm.recurrent = {4, 4, 3, 1, false, false};  // D = H = 4, T = 3
  const RunResult result =
      simulate(with_lanes(array_config(4, 4, "ws"), 8), {lstm});
  REQUIRE(result.layers.size() == 1);
  CHECK(result.layers[0].verification == Verification::Passed);
  // Input projection: M = T = 3, K = 4, N = 16 on 4x4 WS: 4 folds of
  // 2·4 + 3 + 4 - 2 = 13 cycles = 52. Each step: the recurrent GEMM M = 1,
  // K = 4, N = 16: 4 folds of 8 + 1 + 2 = 11 = 44 cycles, then 9·B·H = 36
  // gate operations on 8 lanes = 5 cycles; the next step starts after them.
  // 52 + 3·(44 + 5) = 199.
  CHECK(result.layers[0][Counter::Cycles] == 199);
  CHECK(result.layers[0][Counter::VectorCycles] == 15);
  CHECK(result.layers[0][Counter::Macs] == lstm.macs());
  CHECK(result.layers[0].steps == 1 + 3 * 2);
}

TEST_CASE("attention lowers to projections, per-head GEMMs and a softmax", "[network][timing]") {
  Layer attention;
  attention.name = "a";
  attention.kind = LayerKind::Attention;
  attention.attention = {4, 2, 4};  // S = 4, h = 2, d = 4, d_h = 2
  const RunResult result =
      simulate(with_lanes(array_config(4, 4, "ws"), 8), {attention});
  CHECK(result.layers[0].verification == Verification::Passed);
  // qkv: M=4, K=4, N=12: 3 folds of 8+4+4-2 = 14 -> 42. scores: 2 heads of
  // M=4, K=2, N=4: one fold each -> 28. softmax: 3·2·16 = 96 ops / 8 = 12.
  // context: 2 heads of M=4, K=4, N=2 -> 28. output: M=4, K=4, N=4 -> 14.
  CHECK(result.layers[0][Counter::Cycles] == 42 + 28 + 12 + 28 + 14);
  CHECK(result.layers[0][Counter::Macs] == attention.macs());
}

TEST_CASE("attention over a KV cache: the new tokens' projections, per-head GEMMs over every cached key", "[network][timing]") {
  Layer attention;
  attention.name = "a";
  attention.kind = LayerKind::Attention;
  attention.attention = {1, 2, 4, 3};  // one new token after 3 cached: S = 1, L = 4, h = 2, d = 4, d_h = 2
  const RunResult result = simulate(with_lanes(array_config(4, 4, "ws"), 8), {attention});
  CHECK(result.layers[0].verification == Verification::Passed);
  // Baseline WS folds take 2R + C + T - 2 = 8 + 4 + 1 - 2 = 11 cycles with
  // a stream of T = 1 row. qkv: M=1, K=4, N=12: 3 folds -> 33. scores: 2
  // heads of M=1, K=2, N=L=4: a fold each -> 22. softmax: 3·2·1·4 = 24 ops
  // / 8 lanes = 3. context: 2 heads of M=1, K=L=4, N=2 -> 22. output: M=1,
  // K=4, N=4 -> 11.
  CHECK(result.layers[0][Counter::Cycles] == 33 + 22 + 3 + 22 + 11);
  // 4·S·d² + 2·S·L·d = 64 + 32.
  CHECK(result.layers[0][Counter::Macs] == 96);
  CHECK(attention.macs() == 96);
}

TEST_CASE("a decoder expands into a prefill pass and decode passes over a growing KV cache", "[network]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/llm.yaml",
             "layers:\n"
             "  - {name: d, type: decoder, model_dim: 8, heads: 2, mlp_dim: 12, prompt_tokens: 5, decode_steps: 3}\n");
  const Workload workload = load_yaml_workload(dir + "/llm.yaml");
  // 9 layers a pass (two norms, attention, two adds, gate, up, SiLU·up, down).
  REQUIRE(workload.layers.size() == 4 * 9);
  CHECK(workload.layers[1].name == "d.prefill.attention");
  CHECK(workload.layers[1].attention.cached_tokens == 0);
  CHECK(workload.layers[9 + 1].name == "d.decode1.attention");
  CHECK(workload.layers[9 + 1].attention.cached_tokens == 5);
  CHECK(workload.layers[3 * 9 + 1].attention.cached_tokens == 7);
  // MACs: prefill 4·S·d² + 2·S²·d + 3·S·d·m with S = 5, d = 8, m = 12;
  // decode step t: 4·d² + 2·(S + t)·d + 3·d·m.
  const std::int64_t d = 8, m = 12, s = 5;
  std::int64_t expected = 4 * s * d * d + 2 * s * s * d + 3 * s * d * m;
  for (std::int64_t t = 1; t <= 3; ++t) expected += 4 * d * d + 2 * (s + t) * d + 3 * d * m;
  std::int64_t macs = 0;
  for (const Layer& layer : workload.layers) macs += layer.macs();
  CHECK(macs == expected);
  for (const char* dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    const RunResult result = simulate(array_config(4, 4, dataflow), workload.layers);
    CHECK(result.total_macs == expected);
    for (const LayerStats& layer : result.layers) {
      INFO(layer.name);
      CHECK(layer.verification == (layer.kind == LayerKind::Eltwise ? Verification::NotChecked : Verification::Passed));
    }
  }
  write_file(dir + "/bad.yaml",
             "layers:\n"
             "  - {name: d, type: decoder, model_dim: 10, heads: 4, mlp_dim: 12, prompt_tokens: 5}\n");
  CHECK_THROWS_WITH(load_yaml_workload(dir + "/bad.yaml"),
                    Catch::Matchers::Contains("bad.yaml:2") && Catch::Matchers::Contains("not divisible by heads"));
  // Each decoded token is a pass lowered before the run: the count is bounded.
  write_file(dir + "/long.yaml",
             "layers:\n"
             "  - {name: d, type: decoder, model_dim: 8, heads: 2, mlp_dim: 12, prompt_tokens: 5, decode_steps: 8193}\n");
  CHECK_THROWS_WITH(load_yaml_workload(dir + "/long.yaml"),
                    Catch::Matchers::Contains("long.yaml:2") &&
                        Catch::Matchers::Contains("decode_steps must be between 0 and 8192"));
  write_file(dir + "/long.yaml",
             "layers:\n"
             "  - {name: d, type: decoder, model_dim: 8, heads: 2, mlp_dim: 12, prompt_tokens: 5, decode_steps: 8192}\n");
  CHECK(load_yaml_workload(dir + "/long.yaml").layers.size() == 9 * 8193);
}

TEST_CASE("every dataflow runs a zoo network, and batch raises latency and throughput", "[network][cli]") {
  const std::string dir = make_temp_dir();
  const std::string net = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml";
  for (const char* dataflow : {"ws", "os", "is"}) {
    double throughput[2] = {0, 0};
    std::int64_t cycles[2] = {0, 0};
    int i = 0;
    for (const char* batch : {"1", "8"}) {
      const std::string out = dir + "/" + dataflow + batch;
      const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--workload", net, "--dataflow",
                                             dataflow, "--batch", batch, "--verify", "--out", out,
                                             "--sample", "100", "--log-level", "warn"});
      INFO(run.err);
      REQUIRE(run.exit_code == 0);
      CHECK(run.out.find("inferences/s") != std::string::npos);
      const auto summary = nlohmann::json::parse(read_file(out + "/summary.json"));
      CHECK(summary["verification"] == "passed");
      CHECK(summary["totals"]["macs"]["value"] == 326520 * std::stoll(batch));
      cycles[i] = summary["totals"]["cycles"]["value"];
      throughput[i] = summary["totals"]["throughput"]["value"];
      // inferences/s = batch / (cycles · 1 ns)
      CHECK(throughput[i] == Approx(std::stod(batch) * 1e9 / cycles[i]));
      ++i;
    }
    INFO(dataflow);
    CHECK(cycles[1] > cycles[0]);
    CHECK(throughput[1] > throughput[0]);
  }
}
