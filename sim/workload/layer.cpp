#include "sim/workload/layer.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include "sim/workload/checked_size.hpp"

namespace systole {

namespace {

std::int64_t output_extent(std::int64_t input, std::int64_t pad_before, std::int64_t pad_after,
                           std::int64_t filter, std::int64_t dilation, std::int64_t stride) {
  const std::int64_t span = dilation * (filter - 1) + 1;
  const std::int64_t padded = input + pad_before + pad_after;
  if (padded < span) return 0;
  return (padded - span) / stride + 1;
}

// Products of sizes are checked, so absurd sizes cannot wrap around.
bool bounded_product(const std::vector<std::int64_t>& factors) {
  std::optional<std::int64_t> product = 1;
  for (std::int64_t factor : factors)
    if (product) product = checked_product({*product, factor});
  return product && *product <= Layer::kMaxTensorElements;
}

// Every extent of a tensor is at most a tensor's element limit: checked
// before any arithmetic, so that the sums of extents and paddings below
// stay far inside 64 bits.
std::string first_beyond_tensor_limit(const std::vector<std::pair<const char*, std::int64_t>>& values) {
  for (const auto& [what, value] : values)
    if (value > Layer::kMaxTensorElements)
      return std::string(what) + " must be at most " + std::to_string(Layer::kMaxTensorElements) + ", got " +
             std::to_string(value);
  return {};
}

std::string too_large(const char* what) {
  return std::string("layer too large to simulate: its ") + what + " exceeds " +
         std::to_string(Layer::kMaxTensorElements) + " elements";
}

std::string first_non_positive(const std::vector<std::pair<const char*, std::int64_t>>& values) {
  for (const auto& [what, value] : values)
    if (value <= 0) return std::string(what) + " must be positive, got " + std::to_string(value);
  return {};
}

std::string first_negative(const std::vector<std::pair<const char*, std::int64_t>>& values) {
  for (const auto& [what, value] : values)
    if (value < 0) return std::string(what) + " must not be negative, got " + std::to_string(value);
  return {};
}

// A window's extents, strides, dilations and paddings: the spans computed
// from them (dilation·(filter-1) + 1, input + padding) stay far inside 64 bits.
constexpr std::int64_t kMaxWindowValue = std::int64_t{1} << 20;

std::string first_too_large(const std::vector<std::pair<const char*, std::int64_t>>& values) {
  for (const auto& [what, value] : values)
    if (value > kMaxWindowValue)
      return std::string(what) + " must be at most " + std::to_string(kMaxWindowValue) + ", got " +
             std::to_string(value);
  return {};
}

std::string array_layer_problem(const Layer& layer) {
  const ConvShape& s = layer.shape;
  std::string problem = first_non_positive(
      {{"input height", s.in_h},        {"input width", s.in_w},       {"channels", s.in_channels},
       {"filters", s.filters},          {"filter height", s.filter_h}, {"filter width", s.filter_w},
       {"stride height", s.stride_h},   {"stride width", s.stride_w},
       {"dilation height", s.dilation_h}, {"dilation width", s.dilation_w},
       {"groups", s.groups},            {"batch", layer.batch}});
  if (problem.empty())
    problem = first_negative({{"top padding", s.pad_top}, {"bottom padding", s.pad_bottom},
                              {"left padding", s.pad_left}, {"right padding", s.pad_right}});
  if (problem.empty())
    problem = first_too_large({{"filter height", s.filter_h}, {"filter width", s.filter_w},
                               {"stride height", s.stride_h}, {"stride width", s.stride_w},
                               {"dilation height", s.dilation_h}, {"dilation width", s.dilation_w},
                               {"top padding", s.pad_top}, {"bottom padding", s.pad_bottom},
                               {"left padding", s.pad_left}, {"right padding", s.pad_right}});
  if (problem.empty())
    problem = first_beyond_tensor_limit({{"input height", s.in_h}, {"input width", s.in_w},
                                         {"channels", s.in_channels}, {"filters", s.filters},
                                         {"groups", s.groups}, {"batch", layer.batch}});
  if (!problem.empty()) return problem;
  if (s.in_channels % s.groups != 0)
    return "channels (" + std::to_string(s.in_channels) + ") not divisible by groups (" +
           std::to_string(s.groups) + ")";
  if (s.filters % s.groups != 0)
    return "filters (" + std::to_string(s.filters) + ") not divisible by groups (" +
           std::to_string(s.groups) + ")";
  const std::int64_t span_h = s.dilation_h * (s.filter_h - 1) + 1;
  const std::int64_t span_w = s.dilation_w * (s.filter_w - 1) + 1;
  const std::int64_t padded_h = s.in_h + s.pad_top + s.pad_bottom;
  const std::int64_t padded_w = s.in_w + s.pad_left + s.pad_right;
  const std::int64_t window = s.filter_h * s.filter_w * (s.in_channels / s.groups);
  // Checked before the output size, which needs the filter to fit.
  const std::int64_t out_rows = std::max<std::int64_t>(1, (padded_h - span_h) / s.stride_h + 1);
  const std::int64_t out_cols = std::max<std::int64_t>(1, (padded_w - span_w) / s.stride_w + 1);
  const std::pair<const char*, std::vector<std::int64_t>> tensors[] = {
      {"input", {layer.batch, s.in_h, s.in_w, s.in_channels}},
      {"weights", {s.filters, window}},
      {"output", {layer.batch, out_rows, out_cols, s.filters}},
      {"lowered input", {layer.batch, out_rows, out_cols, window, s.groups}},
  };
  for (const auto& [what, factors] : tensors)
    if (!bounded_product(factors)) return too_large(what);
  if (span_h > padded_h || span_w > padded_w)
    return "filter " + std::to_string(span_h) + "x" + std::to_string(span_w) +
           " is larger than the padded input " + std::to_string(padded_h) + "x" +
           std::to_string(padded_w);
  return {};
}

std::string pool_problem(const Layer& layer) {
  const PoolShape& p = layer.pool;
  std::string problem = first_non_positive(
      {{"input height", p.in_h}, {"input width", p.in_w}, {"channels", p.channels},
       {"kernel height", p.kernel_h}, {"kernel width", p.kernel_w},
       {"stride height", p.stride_h}, {"stride width", p.stride_w},
       {"dilation height", p.dilation_h}, {"dilation width", p.dilation_w}, {"batch", layer.batch}});
  if (problem.empty())
    problem = first_negative({{"top padding", p.pad_top}, {"bottom padding", p.pad_bottom},
                              {"left padding", p.pad_left}, {"right padding", p.pad_right}});
  if (problem.empty())
    problem = first_too_large({{"kernel height", p.kernel_h}, {"kernel width", p.kernel_w},
                               {"stride height", p.stride_h}, {"stride width", p.stride_w},
                               {"dilation height", p.dilation_h}, {"dilation width", p.dilation_w},
                               {"top padding", p.pad_top}, {"bottom padding", p.pad_bottom},
                               {"left padding", p.pad_left}, {"right padding", p.pad_right}});
  if (problem.empty())
    problem = first_beyond_tensor_limit(
        {{"input height", p.in_h}, {"input width", p.in_w}, {"channels", p.channels}, {"batch", layer.batch}});
  if (!problem.empty()) return problem;
  if (!bounded_product({layer.batch, p.in_h, p.in_w, p.channels, p.kernel_h, p.kernel_w}))
    return too_large("input");
  if (p.dilation_h * (p.kernel_h - 1) + 1 > p.in_h + p.pad_top + p.pad_bottom ||
      p.dilation_w * (p.kernel_w - 1) + 1 > p.in_w + p.pad_left + p.pad_right)
    return "pooling window is larger than the padded input";
  return {};
}

// Lowering makes each time step of each layer and direction its own steps
// (sim/workload/lowering.hpp), all held at once: 2^30 of them took hundreds of
// gigabytes before the run began.
constexpr std::int64_t kMaxRecurrentTimeSteps = 100000;

std::string recurrent_problem(const Layer& layer) {
  const RecurrentShape& r = layer.recurrent;
  std::string problem = first_non_positive({{"input_size", r.input_size},
                                            {"hidden_size", r.hidden_size},
                                            {"sequence_length", r.sequence_length},
                                            {"layers", r.layers},
                                            {"batch", layer.batch}});
  if (!problem.empty()) return problem;
  if (r.layers > Layer::kMaxRecurrentLayers)
    return "layers must be at most " + std::to_string(Layer::kMaxRecurrentLayers) + ", got " +
           std::to_string(r.layers);
  problem = first_beyond_tensor_limit({{"input_size", r.input_size},
                                       {"hidden_size", r.hidden_size},
                                       {"sequence_length", r.sequence_length},
                                       {"batch", layer.batch}});
  if (!problem.empty()) return problem;
  const std::int64_t widest_input = std::max(r.input_size, 2 * r.hidden_size);
  if (!bounded_product({layer.batch, r.sequence_length, widest_input})) return too_large("input");
  if (!bounded_product({4, r.hidden_size, widest_input + r.hidden_size})) return too_large("weights");
  // The MACs of the whole stack (recurrent_macs) with every factor at its
  // largest: both directions, 4 gates, every layer taking the widest input.
  if (!checked_product({2 * 4, r.hidden_size, widest_input + r.hidden_size, layer.batch, r.sequence_length,
                        r.layers}))
    return "layer too large to simulate: its MACs exceed 64 bits";
  const std::int64_t directions = r.bidirectional ? 2 : 1;
  const std::int64_t time_steps = r.sequence_length * r.layers * directions;
  if (time_steps > kMaxRecurrentTimeSteps)
    return "sequence_length x layers x directions = " + std::to_string(time_steps) + " time steps, more than the " +
           std::to_string(kMaxRecurrentTimeSteps) + " a run can simulate";
  return {};
}

std::string attention_problem(const Layer& layer) {
  const AttentionShape& a = layer.attention;
  std::string problem = first_non_positive({{"sequence_length", a.sequence_length},
                                            {"heads", a.heads},
                                            {"model_dim", a.model_dim},
                                            {"batch", layer.batch}});
  if (problem.empty())
    problem = first_beyond_tensor_limit({{"sequence_length", a.sequence_length},
                                         {"heads", a.heads},
                                         {"model_dim", a.model_dim},
                                         {"batch", layer.batch}});
  if (!problem.empty()) return problem;
  if (a.cached_tokens < 0) return "cached_tokens must not be negative, got " + std::to_string(a.cached_tokens);
  if (a.cached_tokens > Layer::kMaxTensorElements || !bounded_product({2, layer.batch, a.context_length(), a.model_dim}))
    return too_large("KV cache");
  if (a.model_dim % a.heads != 0)
    return "model_dim (" + std::to_string(a.model_dim) + ") not divisible by heads (" +
           std::to_string(a.heads) + ")";
  // The largest tensors: the scores (and the softmax's 4-byte staging),
  // the projected Q, K and V, and the projections' weights.
  if (!bounded_product({layer.batch, a.heads, a.sequence_length, a.context_length(), 4}))
    return too_large("attention scores");
  if (!bounded_product({layer.batch, a.sequence_length, 3, a.model_dim})) return too_large("Q, K and V");
  if (!bounded_product({4, a.model_dim, a.model_dim})) return too_large("projection weights");
  return {};
}

// MACs of one recurrent layer stack: per layer and direction, the input
// projection (B·T × D_l by D_l × gH) and T recurrent products (B × H by
// H × gH), where g is 4 (LSTM) or 3 (GRU) and D_l is the input size of
// layer 0 and dirs·H above it.
std::int64_t recurrent_macs(const Layer& layer, std::int64_t gates, bool weights_only) {
  const RecurrentShape& r = layer.recurrent;
  const std::int64_t dirs = r.bidirectional ? 2 : 1;
  std::int64_t total = 0;
  for (std::int64_t l = 0; l < r.layers; ++l) {
    const std::int64_t input = l == 0 ? r.input_size : dirs * r.hidden_size;
    const std::int64_t per_step = gates * r.hidden_size * (input + r.hidden_size);
    total += dirs * per_step * (weights_only ? 1 : layer.batch * r.sequence_length);
  }
  return total;
}

}  // namespace

bool Layer::runs_on_array() const {
  return kind == LayerKind::Conv || kind == LayerKind::Depthwise ||
         kind == LayerKind::FullyConnected || kind == LayerKind::Gemm;
}

std::int64_t Layer::out_h() const {
  return output_extent(shape.in_h, shape.pad_top, shape.pad_bottom, shape.filter_h,
                       shape.dilation_h, shape.stride_h);
}

std::int64_t Layer::out_w() const {
  return output_extent(shape.in_w, shape.pad_left, shape.pad_right, shape.filter_w,
                       shape.dilation_w, shape.stride_w);
}

GemmShape Layer::gemm() const {
  return {batch * out_h() * out_w(), shape.filters / shape.groups,
          shape.filter_h * shape.filter_w * (shape.in_channels / shape.groups)};
}

std::int64_t Layer::macs() const {
  switch (kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm: {
      const GemmShape g = gemm();
      return shape.groups * g.m * g.n * g.k;
    }
    case LayerKind::Pool:
    case LayerKind::Eltwise: return 0;
    case LayerKind::Lstm: return recurrent_macs(*this, 4, false);
    case LayerKind::Gru: return recurrent_macs(*this, 3, false);
    case LayerKind::Attention: {
      // Q, K, V and output projections, 4·B·S·d², plus the two attention
      // GEMMs per head over the L = cached + S keys, 2·B·h·S·L·(d/h).
      const AttentionShape& a = attention;
      return 4 * batch * a.sequence_length * a.model_dim * a.model_dim +
             2 * batch * a.sequence_length * a.context_length() * a.model_dim;
    }
  }
  return 0;
}

std::int64_t Layer::weights() const {
  switch (kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm:
      if (!has_weights) return 0;
      return shape.filters * shape.filter_h * shape.filter_w * (shape.in_channels / shape.groups);
    case LayerKind::Pool:
    case LayerKind::Eltwise: return 0;
    case LayerKind::Lstm: return recurrent_macs(*this, 4, true);
    case LayerKind::Gru: return recurrent_macs(*this, 3, true);
    case LayerKind::Attention: return 4 * attention.model_dim * attention.model_dim;
  }
  return 0;
}

std::int64_t Layer::input_elements() const {
  switch (kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm: return batch * shape.in_h * shape.in_w * shape.in_channels;
    case LayerKind::Pool: return batch * pool.in_h * pool.in_w * pool.channels;
    case LayerKind::Eltwise: return eltwise_inputs * batch * elements;
    case LayerKind::Lstm:
    case LayerKind::Gru: return batch * recurrent.sequence_length * recurrent.input_size;
    case LayerKind::Attention: return batch * attention.sequence_length * attention.model_dim;
  }
  return 0;
}

std::int64_t Layer::output_elements() const {
  switch (kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm: return batch * out_h() * out_w() * shape.filters;
    case LayerKind::Pool:
      return batch *
             output_extent(pool.in_h, pool.pad_top, pool.pad_bottom, pool.kernel_h, pool.dilation_h, pool.stride_h) *
             output_extent(pool.in_w, pool.pad_left, pool.pad_right, pool.kernel_w, pool.dilation_w, pool.stride_w) *
             pool.channels;
    case LayerKind::Eltwise: return reduced_elements > 0 ? reduced_elements : batch * elements;
    case LayerKind::Lstm:
    case LayerKind::Gru:
      return batch * recurrent.sequence_length * recurrent.hidden_size *
             (recurrent.bidirectional ? 2 : 1);
    case LayerKind::Attention: return batch * attention.sequence_length * attention.model_dim;
  }
  return 0;
}

std::string Layer::problem() const {
  switch (kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm: return array_layer_problem(*this);
    case LayerKind::Pool: return pool_problem(*this);
    case LayerKind::Eltwise:
      if (batch <= 0) return "batch must be positive, got " + std::to_string(batch);
      if (elements <= 0) return "elements must be positive, got " + std::to_string(elements);
      if (!bounded_product({batch, elements, std::max<std::int64_t>(eltwise_inputs, 2)})) return too_large("input");
      return {};
    case LayerKind::Lstm:
    case LayerKind::Gru: return recurrent_problem(*this);
    case LayerKind::Attention: return attention_problem(*this);
  }
  return {};
}

std::string to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv: return "conv";
    case LayerKind::Depthwise: return "depthwise";
    case LayerKind::FullyConnected: return "fc";
    case LayerKind::Gemm: return "gemm";
    case LayerKind::Pool: return "pool";
    case LayerKind::Eltwise: return "eltwise";
    case LayerKind::Lstm: return "lstm";
    case LayerKind::Gru: return "gru";
    case LayerKind::Attention: return "attention";
  }
  return "?";
}

Layer make_gemm_layer(std::string name, std::int64_t m, std::int64_t n, std::int64_t k,
                      std::int64_t groups) {
  Layer layer;
  layer.name = std::move(name);
  layer.kind = LayerKind::Gemm;
  layer.shape.in_h = m;
  layer.shape.in_w = 1;
  // A product past 64 bits becomes the largest value, which problem() refuses.
  layer.shape.in_channels = checked_product({k, groups}).value_or(std::numeric_limits<std::int64_t>::max());
  layer.shape.filters = checked_product({n, groups}).value_or(std::numeric_limits<std::int64_t>::max());
  layer.shape.groups = groups;
  return layer;
}

}  // namespace systole
