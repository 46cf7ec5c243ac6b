#include "sim/workload/checked_size.hpp"
#include "sim/workload/onnx_workload.hpp"

#include <fstream>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include <onnx/onnx_pb.h>
#include <onnx/shape_inference/implementation.h>
#include <spdlog/spdlog.h>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/workload/onnx_shape_folding.hpp"

namespace systole {

namespace {

using Shape = std::vector<std::int64_t>;  // -1: unknown extent

// A node needs a tensor whose shape neither ONNX's inference nor folding
// found: the node is skipped with a warning, or refused, as the user chose.
struct UnknownShape : std::runtime_error {
  using std::runtime_error::runtime_error;
};

const std::set<std::string>& elementwise_ops() {
  static const std::set<std::string> ops = {
      "Add", "Sub", "Mul", "Div", "Relu", "Sigmoid", "Tanh", "Clip", "LeakyRelu", "PRelu",
      "HardSigmoid", "HardSwish", "Softmax", "LogSoftmax", "Sum", "Max", "Min", "Mean", "Pow",
      "Sqrt", "Exp", "Log", "Erf", "Neg", "Abs", "Reciprocal", "Elu", "Selu", "Gelu",
      "BatchNormalization", "LayerNormalization", "InstanceNormalization", "LRN",
      "QuantizeLinear", "DequantizeLinear"};
  return ops;
}

// Data movement only: no arithmetic the hardware models.
const std::set<std::string>& free_ops() {
  static const std::set<std::string> ops = {
      "Reshape", "Flatten", "Transpose", "Concat", "Split", "Squeeze", "Unsqueeze", "Identity",
      "Constant", "Shape", "Gather", "Slice", "Dropout", "Cast", "Expand", "Pad", "Tile",
      "ConstantOfShape", "Range"};
  return ops;
}

class Importer {
 public:
  Importer(const std::string& path, const OnnxOptions& options) : path_(path), options_(options) {}

  Workload run() {
    read_model();
    pin_inputs();
    check_window_attributes();
    infer_shapes();
    collect_shapes();
    Workload workload;
    workload.source = path_;
    workload.name = model_.graph().name().empty()
                        ? path_.substr(path_.find_last_of('/') + 1)
                        : model_.graph().name();
    int index = 0;
    for (const onnx::NodeProto& node : model_.graph().node()) {
      try {
        lower_node(node, index++, workload);
      } catch (const UnknownShape& unknown) {
        if (!options_.skip_unsupported) fail(std::string(unknown.what()) + " (--unsupported skip skips such nodes)");
        spdlog::warn("{}: {}; node skipped", path_, unknown.what());
      }
    }
    if (!unsupported_.empty()) {
      std::string list;
      for (const std::string& u : unsupported_) list += (list.empty() ? "" : ", ") + u;
      if (!options_.skip_unsupported)
        throw_input_error(path_, 0, "unsupported operators: " + list + " (--unsupported skip ignores them)");
      spdlog::warn("{}: skipped {} unsupported operator(s): {}", path_, unsupported_.size(), list);
    }
    if (workload.layers.empty()) throw_input_error(path_, 0, "the model has no layer Systole can run");
    for (const Layer& layer : workload.layers)
      if (const std::string problem = layer.problem(); !problem.empty())
        throw_input_error(path_, 0, "node '" + layer.name + "': " + problem);
    return workload;
  }

 private:
  [[noreturn]] void fail(const std::string& problem) const { throw_input_error(path_, 0, problem); }

  void read_model() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) fail("cannot open ONNX model");
    if (!model_.ParseFromIstream(&in)) fail("not an ONNX model (protobuf parse failed)");
    if (!model_.has_graph()) fail("the model has no graph");
  }

  bool is_initializer(const std::string& name) const {
    for (const auto& init : model_.graph().initializer())
      if (init.name() == name) return true;
    return false;
  }

  // A value fixed in the model: an initializer or a Constant node's output.
  bool is_constant(const std::string& name) const {
    if (is_initializer(name)) return true;
    for (const auto& node : model_.graph().node())
      if (node.op_type() == "Constant" && node.output_size() > 0 && node.output(0) == name) return true;
    return false;
  }

  // Which dimension of a graph input is the batch: 0, except for the
  // sequence-first [T, B, D] input of an LSTM or GRU.
  int batch_dimension(const std::string& input) const {
    for (const auto& node : model_.graph().node())
      if ((node.op_type() == "LSTM" || node.op_type() == "GRU") && node.input_size() > 0 &&
          node.input(0) == input && int_attribute(node, "layout", 0) == 0)
        return 1;
    return 0;
  }

  void pin_inputs() {
    std::set<std::string> named;
    for (auto& input : *model_.mutable_graph()->mutable_input()) {
      if (is_initializer(input.name()) || !input.type().has_tensor_type()) continue;
      auto* shape = input.mutable_type()->mutable_tensor_type()->mutable_shape();
      const auto given = options_.input_shapes.find(input.name());
      if (given != options_.input_shapes.end()) {
        named.insert(input.name());
        if (given->second.size() != static_cast<std::size_t>(shape->dim_size()))
          fail("--input-shape " + input.name() + " has " + std::to_string(given->second.size()) +
               " dimensions, the model's input has " + std::to_string(shape->dim_size()));
        for (int d = 0; d < shape->dim_size(); ++d) shape->mutable_dim(d)->set_dim_value(given->second[d]);
        continue;
      }
      const int batch_dim = batch_dimension(input.name());
      for (int d = 0; d < shape->dim_size(); ++d) {
        auto* dim = shape->mutable_dim(d);
        if (dim->has_dim_value()) continue;
        if (d == batch_dim) {
          dim->set_dim_value(options_.batch);
          batch_used_ = true;
        } else {
          fail("input '" + input.name() + "' has symbolic dimension " + std::to_string(d) + " ('" +
               dim->dim_param() + "'); give its shape with --input-shape " + input.name() + "=AxBx...");
        }
      }
    }
    for (const auto& [name, shape] : options_.input_shapes)
      if (!named.count(name)) fail("--input-shape names '" + name + "', which is not an input of the model");
    if (options_.batch != 1 && !batch_used_)
      spdlog::warn("{}: the model's batch dimension is fixed; --batch {} does not change it", path_,
                   options_.batch);
  }

  // ONNX's own shape inference divides by a stride and indexes by the
  // kernel's rank without checking them (a stride of 0 kills the process):
  // window attributes are checked first, against what a real model has.
  void check_window_attributes() const {
    static const std::set<std::string> windowed = {"Conv",    "ConvInteger", "QLinearConv", "ConvTranspose",
                                                   "MaxPool", "AveragePool", "LpPool"};
    constexpr std::int64_t kLargest = 1 << 20;
    for (const auto& node : model_.graph().node()) {
      if (!windowed.count(node.op_type())) continue;
      const std::string label = node.name().empty() ? node.op_type() : node.name();
      auto check = [&](const char* name, std::int64_t low) {
        for (std::int64_t value : ints_attribute(node, name, {}))
          if (value < low || value > kLargest)
            fail("node '" + label + "' (" + node.op_type() + "): attribute " + name + " must be between " +
                 std::to_string(low) + " and " + std::to_string(kLargest) + ", got " + std::to_string(value));
      };
      check("strides", 1);
      check("dilations", 1);
      check("kernel_shape", 1);
      check("pads", 0);
      const std::int64_t group = int_attribute(node, "group", 1);
      if (group < 1 || group > kLargest)
        fail("node '" + label + "' (" + node.op_type() + "): attribute group must be between 1 and " +
             std::to_string(kLargest) + ", got " + std::to_string(group));
    }
  }

  // ONNX's inference, then folding the shape computations it could not see
  // through, and again while folding finds more (each pass folds at least
  // one node, so this ends). Each pass starts from the exporter's value_info.
  void infer_shapes() {
    const auto exported = model_.graph().value_info();
    run_shape_inference();
    while (fold_shape_computations(*model_.mutable_graph()) > 0) {
      *model_.mutable_graph()->mutable_value_info() = exported;
      run_shape_inference();
    }
  }

  void run_shape_inference() {
    try {
      onnx::ShapeInferenceOptions inference(/*check_type=*/false, /*error_mode=*/0, /*data_prop=*/true);
      onnx::shape_inference::InferShapes(model_, onnx::OpSchemaRegistry::Instance(), inference);
    } catch (const std::exception& e) {
      std::string message = e.what();
      for (char& c : message)
        if (c == '\n') c = ' ';
      fail("shape inference failed: " + message);
    }
  }

  void record(const onnx::ValueInfoProto& value) {
    if (!value.type().has_tensor_type() || !value.type().tensor_type().has_shape()) return;
    Shape shape;
    for (const auto& dim : value.type().tensor_type().shape().dim())
      shape.push_back(dim.has_dim_value() ? dim.dim_value() : -1);
    shapes_[value.name()] = shape;
  }

  void collect_shapes() {
    const onnx::GraphProto& graph = model_.graph();
    for (const auto& v : graph.input()) record(v);
    for (const auto& v : graph.value_info()) record(v);
    for (const auto& v : graph.output()) record(v);
    for (const auto& init : graph.initializer()) {
      weights_.insert(init.name());
      shapes_[init.name()] = Shape(init.dims().begin(), init.dims().end());
    }
    for (const auto& node : graph.node()) {
      if (node.op_type() != "Constant" || node.output_size() == 0) continue;
      for (const auto& attribute : node.attribute())
        if (attribute.name() == "value" && attribute.has_t()) {
          weights_.insert(node.output(0));
          shapes_[node.output(0)] = Shape(attribute.t().dims().begin(), attribute.t().dims().end());
        }
    }
  }

  // The name of input `index`, or a one-line error for a malformed node.
  const std::string& input_of(const onnx::NodeProto& node, int index, const std::string& label) const {
    if (index >= node.input_size() || node.input(index).empty())
      fail("node '" + label + "' (" + node.op_type() + ") lacks input " + std::to_string(index));
    return node.input(index);
  }

  static std::string node_label(const onnx::NodeProto& node, int index) {
    return node.name().empty() ? node.op_type() + "_" + std::to_string(index) : node.name();
  }

  // "'t' (output of node 'n', Reshape)": where an unknown shape comes from.
  std::string describe(const std::string& tensor) const {
    int index = 0;
    for (const auto& node : model_.graph().node()) {
      for (const std::string& output : node.output())
        if (output == tensor)
          return "'" + tensor + "' (output of node '" + node_label(node, index) + "', " + node.op_type() + ")";
      ++index;
    }
    return "'" + tensor + "'";
  }

  Shape shape_of(const onnx::NodeProto& node, const std::string& tensor, const std::string& label) const {
    // Every input is pinned by now, so what is still unknown depends on
    // values that are not constants.
    auto unknown = [&](const std::string& what) {
      return UnknownShape("node '" + label + "' (" + node.op_type() + "): the shape of " + describe(tensor) + what +
                          ": neither ONNX's shape inference nor constant folding could compute it (it may depend "
                          "on values known only at run time)");
    };
    const auto found = shapes_.find(tensor);
    if (found == shapes_.end()) throw unknown(" is unknown");
    for (std::int64_t extent : found->second)
      if (extent < 0) throw unknown(" has an unknown dimension");
    return found->second;
  }

  static const onnx::AttributeProto* attribute(const onnx::NodeProto& node, const char* name) {
    for (const auto& a : node.attribute())
      if (a.name() == name) return &a;
    return nullptr;
  }
  static std::int64_t int_attribute(const onnx::NodeProto& node, const char* name, std::int64_t fallback) {
    const auto* a = attribute(node, name);
    return a ? a->i() : fallback;
  }
  static std::vector<std::int64_t> ints_attribute(const onnx::NodeProto& node, const char* name,
                                                  std::vector<std::int64_t> fallback) {
    const auto* a = attribute(node, name);
    if (!a) return fallback;
    return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
  }
  static std::string string_attribute(const onnx::NodeProto& node, const char* name, std::string fallback) {
    const auto* a = attribute(node, name);
    return a ? a->s() : fallback;
  }

  // Spatial window attributes for Conv and pooling on [N, C, H, W] or
  // [N, C, L] (1-D, read as H = 1).
  struct Window {
    std::int64_t n, c, h, w, kh, kw, sh, sw, top, bottom, left, right, dh, dw;
  };
  void require_spatial_input(const onnx::NodeProto& node, const std::string& label, const Shape& x) const {
    if (x.size() != 3 && x.size() != 4)
      fail("node '" + label + "' (" + node.op_type() + "): only 1-D and 2-D inputs are supported, got rank " +
           std::to_string(x.size()));
  }
  Window window(const onnx::NodeProto& node, const std::string& label, const Shape& x,
                const Shape& kernel) const {
    require_spatial_input(node, label, x);
    const bool one_d = x.size() == 3;
    Window win{};
    win.n = x[0];
    win.c = x[1];
    win.h = one_d ? 1 : x[2];
    win.w = x.back();
    win.kh = one_d ? 1 : kernel[0];
    win.kw = kernel.back();
    const auto strides = ints_attribute(node, "strides", {});
    const auto dilations = ints_attribute(node, "dilations", {});
    win.sh = one_d || strides.empty() ? 1 : strides[0];
    win.sw = strides.empty() ? 1 : strides.back();
    win.dh = one_d || dilations.empty() ? 1 : dilations[0];
    win.dw = dilations.empty() ? 1 : dilations.back();
    const std::string auto_pad = string_attribute(node, "auto_pad", "NOTSET");
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      auto same = [&](std::int64_t in, std::int64_t k, std::int64_t s, std::int64_t d, std::int64_t& before,
                      std::int64_t& after) {
        const std::int64_t out = (in + s - 1) / s;
        const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * s + d * (k - 1) + 1 - in);
        before = auto_pad == "SAME_UPPER" ? total / 2 : total - total / 2;
        after = total - before;
      };
      same(win.h, win.kh, win.sh, win.dh, win.top, win.bottom);
      same(win.w, win.kw, win.sw, win.dw, win.left, win.right);
    } else if (auto_pad == "NOTSET") {
      const auto pads = ints_attribute(node, "pads", {});
      if (one_d && pads.size() == 2) {
        win.left = pads[0];
        win.right = pads[1];
      } else if (pads.size() == 4) {
        win.top = pads[0];
        win.left = pads[1];
        win.bottom = pads[2];
        win.right = pads[3];
      }
    }
    return win;
  }

  void add_conv(const onnx::NodeProto& node, const std::string& label, int x_input, int w_input,
                Workload& workload) {
    const Shape x = shape_of(node, input_of(node, x_input, label), label);
    const Shape w = shape_of(node, input_of(node, w_input, label), label);
    require_spatial_input(node, label, x);
    if (w.size() != x.size())
      fail("node '" + label + "' (" + node.op_type() + "): weights of rank " + std::to_string(w.size()) +
           " for an input of rank " + std::to_string(x.size()));
    const Window win = window(node, label, x, Shape(w.begin() + 2, w.end()));
    Layer layer;
    layer.name = label;
    ConvShape& s = layer.shape;
    s.in_h = win.h;
    s.in_w = win.w;
    s.in_channels = win.c;
    s.filters = w[0];
    s.filter_h = win.kh;
    s.filter_w = win.kw;
    s.stride_h = win.sh;
    s.stride_w = win.sw;
    s.dilation_h = win.dh;
    s.dilation_w = win.dw;
    s.pad_top = win.top;
    s.pad_bottom = win.bottom;
    s.pad_left = win.left;
    s.pad_right = win.right;
    s.groups = int_attribute(node, "group", 1);
    layer.kind = s.groups > 1 && s.groups == s.in_channels ? LayerKind::Depthwise : LayerKind::Conv;
    layer.batch = win.n;
    workload.layers.push_back(layer);
  }

  void add_pool(const onnx::NodeProto& node, const std::string& label, Workload& workload) {
    const Shape x = shape_of(node, input_of(node, 0, label), label);
    const bool global = node.op_type().rfind("Global", 0) == 0;
    require_spatial_input(node, label, x);
    Shape kernel = global ? Shape(x.begin() + 2, x.end()) : ints_attribute(node, "kernel_shape", {});
    if (kernel.empty()) fail("node '" + label + "' (" + node.op_type() + "): no kernel_shape");
    Window win = window(node, label, x, kernel);
    if (int_attribute(node, "ceil_mode", 0)) {
      // Rounding the output size up lets the last window run past the end:
      // as much extra padding after the input as that takes.
      auto extra = [](std::int64_t in, std::int64_t pads, std::int64_t k, std::int64_t s, std::int64_t d) {
        const std::int64_t span = d * (k - 1) + 1, room = in + pads - span;
        return room % s == 0 ? 0 : s - room % s;
      };
      win.bottom += extra(win.h, win.top + win.bottom, win.kh, win.sh, win.dh);
      win.right += extra(win.w, win.left + win.right, win.kw, win.sw, win.dw);
    }
    Layer layer;
    layer.name = label;
    layer.kind = LayerKind::Pool;
    layer.pool = {node.op_type().find("Max") != std::string::npos, win.h, win.w, win.c, win.kh, win.kw,
                  global ? 1 : win.sh, global ? 1 : win.sw, win.top, win.bottom, win.left, win.right,
                  win.dh, win.dw};
    layer.batch = win.n;
    workload.layers.push_back(layer);
  }

  // Gemm and MatMul: A[..., M, K] · B[..., K, N], batch dimensions broadcast.
  void add_matmul(const onnx::NodeProto& node, const std::string& label, int a_input, int b_input,
                  Workload& workload) {
    Shape a = shape_of(node, input_of(node, a_input, label), label);
    Shape b = shape_of(node, input_of(node, b_input, label), label);
    if (a.empty() || b.empty()) fail("node '" + label + "' (" + node.op_type() + "): scalar operand");
    if (a.size() == 1) a.insert(a.begin(), 1);
    if (b.size() == 1) b.push_back(1);
    if (node.op_type() == "Gemm") {
      if (int_attribute(node, "transA", 0)) std::swap(a[0], a[1]);
      if (int_attribute(node, "transB", 0)) std::swap(b[0], b[1]);
    }
    const std::int64_t m = a[a.size() - 2], k = a.back(), n = b.back();
    if (b[b.size() - 2] != k)
      fail("node '" + label + "' (" + node.op_type() + "): inner dimensions differ (" + std::to_string(k) +
           " and " + std::to_string(b[b.size() - 2]) + ")");
    // Batch dimensions broadcast numpy-style, aligned from the right.
    const std::size_t a_dims = a.size() - 2, b_dims = b.size() - 2, dims = std::max(a_dims, b_dims);
    std::int64_t a_batch = 1, b_batch = 1, batch = 1;
    for (std::size_t i = 0; i < dims; ++i) {
      const std::int64_t ea = i < dims - a_dims ? 1 : a[i - (dims - a_dims)];
      const std::int64_t eb = i < dims - b_dims ? 1 : b[i - (dims - b_dims)];
      if (ea != eb && ea != 1 && eb != 1)
        fail("node '" + label + "' (" + node.op_type() + "): batch dimensions " + std::to_string(ea) +
             " and " + std::to_string(eb) + " do not broadcast");
      const auto a_next = checked_product({a_batch, ea}), b_next = checked_product({b_batch, eb}),
                 next = checked_product({batch, std::max(ea, eb)});
      if (!a_next || !b_next || !next)
        fail("node '" + label + "' (" + node.op_type() + "): batch dimensions exceed 64 bits");
      a_batch = *a_next;
      b_batch = *b_next;
      batch = *next;
    }
    Layer layer;
    if (b_batch == 1) {
      // One right operand for every row: fold the batch dimensions into M.
      layer = make_gemm_layer(label, batch * m, n, k);
    } else {
      layer = make_gemm_layer(label, m, n, k, batch);
    }
    const bool weights = weights_.count(node.input(b_input)) > 0;
    if (weights && b_batch == 1) layer.kind = LayerKind::FullyConnected;
    layer.has_weights = weights;
    workload.layers.push_back(layer);
  }

  void add_recurrent(const onnx::NodeProto& node, const std::string& label, Workload& workload) {
    const Shape x = shape_of(node, input_of(node, 0, label), label);
    if (x.size() != 3) fail("node '" + label + "' (" + node.op_type() + "): input must have rank 3");
    const bool batch_first = int_attribute(node, "layout", 0) == 1;
    Layer layer;
    layer.name = label;
    layer.kind = node.op_type() == "LSTM" ? LayerKind::Lstm : LayerKind::Gru;
    RecurrentShape& r = layer.recurrent;
    r.sequence_length = batch_first ? x[1] : x[0];
    layer.batch = batch_first ? x[0] : x[1];
    r.input_size = x[2];
    r.hidden_size = int_attribute(node, "hidden_size", 0);
    if (r.hidden_size <= 0) {
      const Shape w = shape_of(node, input_of(node, 1, label), label);  // [dirs, gates·H, D]
      if (w.size() != 3) fail("node '" + label + "' (" + node.op_type() + "): weights must have rank 3");
      r.hidden_size = w[1] / (layer.kind == LayerKind::Lstm ? 4 : 3);
    }
    r.bidirectional = string_attribute(node, "direction", "forward") == "bidirectional";
    r.linear_before_reset = int_attribute(node, "linear_before_reset", 0) != 0;
    workload.layers.push_back(layer);
  }

  // One operation per output element; reductions do one per input element.
  void add_elementwise(const onnx::NodeProto& node, const std::string& label, Workload& workload) {
    if (node.output_size() == 0 || node.input_size() == 0) return;
    const bool reduction = node.op_type().rfind("Reduce", 0) == 0;
    const Shape y = shape_of(node, reduction ? node.input(0) : node.output(0), label);
    Layer layer;
    layer.name = label;
    layer.kind = LayerKind::Eltwise;
    layer.batch = y.size() >= 2 ? y[0] : 1;
    layer.elements = 1;
    for (std::size_t i = y.size() >= 2 ? 1 : 0; i < y.size(); ++i)
      if (__builtin_mul_overflow(layer.elements, y[i], &layer.elements))
        fail("node '" + label + "' (" + node.op_type() + "): tensor too large");
    // The tensors it reads: every input that is not a constant (an
    // initializer or a Constant node's output).
    layer.eltwise_inputs = 0;
    for (const std::string& input : node.input())
      if (!input.empty() && !is_constant(input)) ++layer.eltwise_inputs;
    if (reduction) {
      const Shape out = shape_of(node, node.output(0), label);
      layer.reduced_elements = 1;
      for (std::int64_t extent : out) {
        const auto elements = checked_product({layer.reduced_elements, extent});
        if (!elements) fail("node '" + label + "' (" + node.op_type() + "): output size exceeds 64 bits");
        layer.reduced_elements = *elements;
      }
    }
    workload.layers.push_back(layer);
  }

  // Spatial dimensions of a convolution's or pooling's input; 0 otherwise.
  int spatial_rank(const onnx::NodeProto& node) const {
    static const std::set<std::string> windowed = {"Conv", "ConvInteger", "QLinearConv", "MaxPool",
                                                   "AveragePool", "GlobalAveragePool", "GlobalMaxPool"};
    if (!windowed.count(node.op_type()) || node.input_size() == 0) return 0;
    const auto found = shapes_.find(node.input(0));
    return found == shapes_.end() ? 0 : static_cast<int>(found->second.size()) - 2;
  }

  void lower_node(const onnx::NodeProto& node, int index, Workload& workload) {
    const std::string& op = node.op_type();
    const std::string label = node_label(node, index);
    if (!node.domain().empty() && node.domain() != "ai.onnx") {
      unsupported_.push_back(label + " (" + node.domain() + "." + op + ")");
    } else if (spatial_rank(node) > 2) {
      unsupported_.push_back(label + " (" + op + ", " + std::to_string(spatial_rank(node)) + "-D)");
    } else if (op == "Conv" || op == "ConvInteger") {
      add_conv(node, label, 0, 1, workload);
    } else if (op == "QLinearConv") {
      add_conv(node, label, 0, 3, workload);
    } else if (op == "Gemm" || op == "MatMul" || op == "MatMulInteger") {
      add_matmul(node, label, 0, 1, workload);
    } else if (op == "QLinearMatMul") {
      add_matmul(node, label, 0, 3, workload);
    } else if (op == "LSTM" || op == "GRU") {
      add_recurrent(node, label, workload);
    } else if (op == "MaxPool" || op == "AveragePool" || op == "GlobalAveragePool" || op == "GlobalMaxPool") {
      add_pool(node, label, workload);
    } else if (elementwise_ops().count(op) || op.rfind("Reduce", 0) == 0) {
      add_elementwise(node, label, workload);
    } else if (free_ops().count(op)) {
      spdlog::debug("{}: node '{}' ({}) moves data only", path_, label, op);
    } else {
      unsupported_.push_back(label + " (" + op + ")");
    }
  }

  std::string path_;
  OnnxOptions options_;
  onnx::ModelProto model_;
  std::unordered_map<std::string, Shape> shapes_;
  std::set<std::string> weights_;
  std::vector<std::string> unsupported_;
  bool batch_used_ = false;
};

}  // namespace

Workload load_onnx_workload(const std::string& path, const OnnxOptions& options) {
  try {
    return Importer(path, options).run();
  } catch (const InputError&) {
    throw;
  } catch (const std::exception& e) {
    throw_input_error(path, 0, std::string("malformed model: ") + e.what());
  }
}

std::pair<std::string, std::vector<std::int64_t>> parse_input_shape(const std::string& text) {
  const std::size_t equals = text.find('=');
  if (equals == std::string::npos || equals == 0)
    throw InputError("option --input-shape: '" + text + "' is not NAME=AxBx... (e.g. data=1x3x224x224)");
  std::vector<std::int64_t> dims;
  for (const std::string& field : split(text.substr(equals + 1), 'x')) {
    const auto value = parse_integer(field);
    if (!value || *value <= 0)
      throw InputError("option --input-shape: '" + text + "' has a dimension that is not a positive integer");
    dims.push_back(*value);
  }
  return {text.substr(0, equals), dims};
}

}  // namespace systole
