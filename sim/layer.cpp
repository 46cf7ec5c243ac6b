#include "sim/layer.hpp"

#include <algorithm>
#include <utility>
#include <vector>

namespace systole {

namespace {
std::int64_t output_extent(std::int64_t input, std::int64_t pad_before, std::int64_t pad_after,
                           std::int64_t filter, std::int64_t dilation, std::int64_t stride) {
  const std::int64_t span = dilation * (filter - 1) + 1;
  const std::int64_t padded = input + pad_before + pad_after;
  if (padded < span) return 0;
  return (padded - span) / stride + 1;
}
// Every tensor the functional simulation holds must fit in memory; the
// products are checked, so absurd sizes cannot wrap around.
std::string size_problem(const Layer& layer) {
  const std::int64_t batch = layer.batch;
  const ConvShape& s = layer.shape;
  auto product = [](const std::vector<std::int64_t>& factors, std::int64_t& out) {
    out = 1;
    for (std::int64_t f : factors)
      if (__builtin_mul_overflow(out, f, &out)) return false;
    return out <= Layer::kMaxTensorElements;
  };
  std::int64_t elements = 0;
  const std::int64_t span_h = s.dilation_h * (s.filter_h - 1) + 1;
  const std::int64_t span_w = s.dilation_w * (s.filter_w - 1) + 1;
  const std::int64_t out_rows = (s.in_h + s.pad_top + s.pad_bottom - span_h) / s.stride_h + 1;
  const std::int64_t out_cols = (s.in_w + s.pad_left + s.pad_right - span_w) / s.stride_w + 1;
  const std::int64_t window = s.filter_h * s.filter_w * (s.in_channels / s.groups);
  const std::pair<const char*, std::vector<std::int64_t>> tensors[] = {
      {"input", {batch, s.in_h, s.in_w, s.in_channels}},
      {"weights", {s.filters, window}},
      {"output", {batch, std::max<std::int64_t>(out_rows, 1), std::max<std::int64_t>(out_cols, 1), s.filters}},
      {"lowered input", {batch, std::max<std::int64_t>(out_rows, 1), std::max<std::int64_t>(out_cols, 1), window, s.groups}},
  };
  for (const auto& [what, factors] : tensors)
    if (!product(factors, elements))
      return std::string("layer too large to simulate: its ") + what + " exceeds " +
             std::to_string(Layer::kMaxTensorElements) + " elements";
  return {};
}

}  // namespace

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
  const GemmShape g = gemm();
  return shape.groups * g.m * g.n * g.k;
}

std::int64_t Layer::weights() const {
  return shape.filters * shape.filter_h * shape.filter_w * (shape.in_channels / shape.groups);
}

std::string Layer::problem() const {
  const ConvShape& s = shape;
  const std::pair<const char*, std::int64_t> positive[] = {
      {"input height", s.in_h},   {"input width", s.in_w},     {"channels", s.in_channels},
      {"filters", s.filters},     {"filter height", s.filter_h}, {"filter width", s.filter_w},
      {"stride height", s.stride_h}, {"stride width", s.stride_w},
      {"dilation height", s.dilation_h}, {"dilation width", s.dilation_w},
      {"groups", s.groups},       {"batch", batch}};
  for (const auto& [what, value] : positive)
    if (value <= 0) return std::string(what) + " must be positive, got " + std::to_string(value);
  const std::pair<const char*, std::int64_t> non_negative[] = {
      {"top padding", s.pad_top}, {"bottom padding", s.pad_bottom},
      {"left padding", s.pad_left}, {"right padding", s.pad_right}};
  for (const auto& [what, value] : non_negative)
    if (value < 0) return std::string(what) + " must not be negative, got " + std::to_string(value);
  if (s.in_channels % s.groups != 0)
    return "channels (" + std::to_string(s.in_channels) + ") not divisible by groups (" +
           std::to_string(s.groups) + ")";
  if (s.filters % s.groups != 0)
    return "filters (" + std::to_string(s.filters) + ") not divisible by groups (" +
           std::to_string(s.groups) + ")";
  if (const std::string size = size_problem(*this); !size.empty()) return size;
  const std::int64_t span_h = s.dilation_h * (s.filter_h - 1) + 1;
  const std::int64_t span_w = s.dilation_w * (s.filter_w - 1) + 1;
  if (span_h > s.in_h + s.pad_top + s.pad_bottom || span_w > s.in_w + s.pad_left + s.pad_right)
    return "filter " + std::to_string(span_h) + "x" + std::to_string(span_w) +
           " is larger than the padded input " + std::to_string(s.in_h + s.pad_top + s.pad_bottom) +
           "x" + std::to_string(s.in_w + s.pad_left + s.pad_right);
  return {};
}

std::string to_string(LayerKind kind) {
  switch (kind) {
    case LayerKind::Conv: return "conv";
    case LayerKind::Depthwise: return "depthwise";
    case LayerKind::FullyConnected: return "fc";
    case LayerKind::Gemm: return "gemm";
  }
  return "?";
}

Layer make_gemm_layer(std::string name, std::int64_t m, std::int64_t n, std::int64_t k) {
  Layer layer;
  layer.name = std::move(name);
  layer.kind = LayerKind::Gemm;
  layer.shape.in_h = m;
  layer.shape.in_w = 1;
  layer.shape.in_channels = k;
  layer.shape.filters = n;
  return layer;
}

}  // namespace systole
