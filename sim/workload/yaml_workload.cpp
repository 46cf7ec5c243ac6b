#include "sim/workload/yaml_workload.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/config/yaml_input.hpp"
#include "sim/workload/decoder.hpp"
#include "sim/workload/npy_file.hpp"

namespace systole {

namespace {

constexpr std::int64_t kMaxRepeat = 100000;

// [H, W, C]
void read_input(const YamlEntry& e, std::int64_t& h, std::int64_t& w, std::int64_t& c) {
  const auto input = e.list("input", {3}, 1, {});
  if (input.size() != 3) e.fail("field 'input' must be [height, width, channels]");
  h = input[0];
  w = input[1];
  c = input[2];
}

void read_window(const YamlEntry& e, std::int64_t& kernel_h, std::int64_t& kernel_w, std::int64_t& stride_h,
                 std::int64_t& stride_w, std::int64_t& top, std::int64_t& bottom, std::int64_t& left,
                 std::int64_t& right) {
  const auto kernel = e.list("kernel", {2}, 1, {});
  kernel_h = kernel.front();
  kernel_w = kernel.back();
  const auto stride = e.list("stride", {2}, 1, {1});
  stride_h = stride.front();
  stride_w = stride.back();
  // padding: p (all sides), [vertical, horizontal] or [top, bottom, left, right]
  const auto pad = e.list("padding", {2, 4}, 0, {0});
  if (pad.size() == 4) {
    top = pad[0];
    bottom = pad[1];
    left = pad[2];
    right = pad[3];
  } else {
    top = bottom = pad.front();
    left = right = pad.back();
  }
}

Layer read_conv(const YamlEntry& e, bool depthwise) {
  Layer layer;
  layer.kind = depthwise ? LayerKind::Depthwise : LayerKind::Conv;
  ConvShape& s = layer.shape;
  read_input(e, s.in_h, s.in_w, s.in_channels);
  read_window(e, s.filter_h, s.filter_w, s.stride_h, s.stride_w, s.pad_top, s.pad_bottom, s.pad_left,
              s.pad_right);
  const auto dilation = e.list("dilation", {2}, 1, {1});
  s.dilation_h = dilation.front();
  s.dilation_w = dilation.back();
  if (depthwise) {
    s.groups = s.in_channels;
    s.filters = s.in_channels * e.integer_or("multiplier", 1);
  } else {
    s.filters = e.integer("filters");
    s.groups = e.integer_or("groups", 1);
  }
  return layer;
}

Layer read_layer(const YamlEntry& e, const std::string& type) {
  Layer layer;
  if (type == "conv" || type == "depthwise") {
    layer = read_conv(e, type == "depthwise");
  } else if (type == "fc" || type == "linear") {
    layer = make_gemm_layer("", 1, e.integer("outputs"), e.integer("inputs"));
    layer.kind = LayerKind::FullyConnected;
  } else if (type == "gemm") {
    layer = make_gemm_layer("", e.integer("m"), e.integer("n"), e.integer("k"));
  } else if (type == "pool") {
    layer.kind = LayerKind::Pool;
    const std::string op = to_lower(e.text("op"));
    if (op != "max" && op != "avg") e.fail("field 'op' is '" + op + "', expected max or avg");
    PoolShape& p = layer.pool;
    p.max = op == "max";
    read_input(e, p.in_h, p.in_w, p.channels);
    read_window(e, p.kernel_h, p.kernel_w, p.stride_h, p.stride_w, p.pad_top, p.pad_bottom, p.pad_left,
                p.pad_right);
  } else if (type == "eltwise") {
    layer.kind = LayerKind::Eltwise;
    layer.elements = 1;
    for (std::int64_t extent : e.list("shape", {1, 2, 3, 4}, 1, {}))
      if (__builtin_mul_overflow(layer.elements, extent, &layer.elements) ||
          layer.elements > Layer::kMaxTensorElements)
        e.fail("field 'shape' has more than " + std::to_string(Layer::kMaxTensorElements) + " elements");
  } else if (type == "lstm" || type == "gru") {
    layer.kind = type == "lstm" ? LayerKind::Lstm : LayerKind::Gru;
    RecurrentShape& r = layer.recurrent;
    r.input_size = e.integer("input_size");
    r.hidden_size = e.integer("hidden_size");
    r.sequence_length = e.integer("sequence_length");
    r.layers = e.integer_or("layers", 1);
    r.bidirectional = e.boolean_or("bidirectional", false);
    if (type == "gru") r.linear_before_reset = e.boolean_or("linear_before_reset", false);
  } else if (type == "attention") {
    layer.kind = LayerKind::Attention;
    layer.attention.sequence_length = e.integer("sequence_length");
    layer.attention.heads = e.integer("heads");
    layer.attention.model_dim = e.integer("model_dim");
    layer.attention.cached_tokens = e.integer_or("cached_tokens", 0, 0);
  } else {
    e.fail("unknown type '" + type +
           "' (expected conv, depthwise, fc, linear, gemm, pool, eltwise, lstm, gru, attention or decoder)");
  }
  return layer;
}

// ifmap_data / weights_data: .npy files (relative to the workload file)
// whose element counts match the layer's input and filters.
void read_operand_files(const YamlEntry& entry, const std::string& path, Layer& layer) {
  const std::filesystem::path directory = std::filesystem::path(path).parent_path();
  const GemmShape g = layer.runs_on_array() ? layer.gemm() : GemmShape{};
  const ConvShape& s = layer.shape;
  struct OperandFile {
    const char* field;
    std::string* target;
    std::int64_t elements;
    std::string shape;
  };
  const OperandFile files[] = {
      {"ifmap_data", &layer.ifmap_file, layer.batch * s.in_h * s.in_w * s.in_channels,
       std::to_string(layer.batch) + "×" + std::to_string(s.in_h) + "×" + std::to_string(s.in_w) + "×" +
           std::to_string(s.in_channels) + " (batch, height, width, channels)"},
      {"weights_data", &layer.weights_file, s.groups * g.n * g.k,
       std::to_string(s.groups * g.n) + "×" + std::to_string(s.filter_h) + "×" + std::to_string(s.filter_w) + "×" +
           std::to_string(s.in_channels / std::max<std::int64_t>(1, s.groups)) +
           " (filters, height, width, channels per group)"},
  };
  for (const OperandFile& file : files) {
    if (!entry.has(file.field)) continue;
    const bool one_gemm = layer.kind == LayerKind::Conv || layer.kind == LayerKind::Depthwise ||
                          layer.kind == LayerKind::FullyConnected || layer.kind == LayerKind::Gemm;
    if (!one_gemm) entry.fail(entry.get(file.field), std::string(file.field) + " is for conv, depthwise, fc and gemm layers");
    if (!layer.has_weights && file.target == &layer.weights_file)
      entry.fail(entry.get(file.field), "the layer has no weights");
    const std::filesystem::path given = entry.text(file.field);
    *file.target = (given.is_absolute() ? given : directory / given).string();
    std::int64_t elements = 1;
    for (std::int64_t dim : read_npy_shape(*file.target)) elements *= dim;
    if (elements != file.elements)
      entry.fail(entry.get(file.field), *file.target + " holds " + std::to_string(elements) + " values; " +
                                            file.field + " needs " + std::to_string(file.elements) + ": " + file.shape);
  }
}

// A decoder (sim/workload/decoder.hpp): its prefill and decode passes as
// layers, each checked like a layer of its own.
void read_decoder(const YamlEntry& e, const std::string& name, std::int64_t batch, std::vector<Layer>& layers) {
  DecoderShape shape;
  shape.model_dim = e.integer("model_dim");
  shape.heads = e.integer("heads");
  shape.mlp_dim = e.integer("mlp_dim");
  const std::string mlp = e.has("mlp") ? to_lower(e.text("mlp")) : "swiglu";
  if (mlp != "swiglu" && mlp != "gelu") e.fail("field 'mlp' is '" + mlp + "', expected swiglu or gelu");
  shape.mlp = mlp == "swiglu" ? DecoderMlp::SwiGlu : DecoderMlp::Gelu;
  shape.prompt_tokens = e.integer("prompt_tokens");
  shape.decode_steps = e.integer_or("decode_steps", 0, 0);
  e.check_fields(" for type decoder");
  if (const std::string problem = decoder_problem(shape); !problem.empty()) e.fail(problem);
  for (Layer& layer : decoder_layers(name, shape, batch)) {
    if (const std::string problem = layer.problem(); !problem.empty()) e.fail(layer.name + ": " + problem);
    layers.push_back(std::move(layer));
  }
}

}  // namespace

Workload load_yaml_workload(const std::string& path) {
  const YAML::Node root = parse_yaml(path, read_input_file(path, "workload file"));
  if (!root.IsMap()) throw_input_error(path, 0, "expected a mapping with a 'layers' list");
  Workload workload;
  workload.source = path;
  workload.name = path.substr(path.find_last_of('/') + 1);
  workload.name = workload.name.substr(0, workload.name.find_last_of('.'));
  std::int64_t batch = 1;
  for (const auto& item : root) {
    const std::string key = item.first.Scalar();
    const int line = item.first.Mark().line + 1;
    if (key == "name") {
      if (!item.second.IsScalar()) throw_input_error(path, line, "name must be a single value");
      workload.name = item.second.Scalar();
    } else if (key == "batch") {
      const auto value = parse_integer(item.second.IsScalar() ? item.second.Scalar() : "");
      if (!value || *value <= 0) throw_input_error(path, line, "batch must be a positive integer");
      batch = *value;
    } else if (key != "layers") {
      throw_input_error(path, line, "unknown key '" + key + "' (expected name, batch, layers)");
    }
  }
  const YAML::Node layers = root["layers"];
  if (!layers || !layers.IsSequence() || layers.size() == 0)
    throw_input_error(path, 0, "needs a non-empty 'layers' list");
  for (const YAML::Node& node : layers) {
    if (!node.IsMap()) throw_input_error(path, node.Mark().line + 1, "a layer must be a mapping");
    YamlEntry entry(path, node, "layer");
    const std::string name = entry.text("name");
    entry.set_label("layer '" + name + "'");
    const std::string type = to_lower(entry.text("type"));
    if (type == "decoder") {
      read_decoder(entry, name, batch, workload.layers);
      continue;
    }
    Layer layer = read_layer(entry, type);
    layer.batch = batch;
    // Asked for here, so that check_fields() knows them; read once the
    // layer is known to be well formed.
    const bool ifmap_file = entry.has("ifmap_data"), weights_file = entry.has("weights_data");
    const bool operand_files = ifmap_file || weights_file;
    if (entry.has("rs_mapping")) layer.rs_mapping = entry.list("rs_mapping", {6}, 1, {});
    if (entry.has("ifmap_sparsity")) {
      layer.ifmap_sparsity = entry.number("ifmap_sparsity", 0);
      if (layer.ifmap_sparsity > 1)
        entry.fail(entry.get("ifmap_sparsity"), "field 'ifmap_sparsity' is a fraction of zeros, from 0 to 1");
    }
    const std::int64_t repeat = entry.integer_or("repeat", 1);
    if (repeat > kMaxRepeat)
      entry.fail("field 'repeat' must be at most " + std::to_string(kMaxRepeat) + ", got " + std::to_string(repeat));
    entry.check_fields(" for type " + type);
    if (const std::string problem = layer.problem(); !problem.empty()) entry.fail(problem);
    if (operand_files) read_operand_files(entry, path, layer);
    for (std::int64_t r = 1; r <= repeat; ++r) {
      layer.name = repeat == 1 ? name : name + "_" + std::to_string(r);
      workload.layers.push_back(layer);
    }
  }
  return workload;
}

}  // namespace systole
