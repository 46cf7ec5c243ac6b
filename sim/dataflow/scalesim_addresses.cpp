#include "sim/dataflow/scalesim_addresses.hpp"

namespace systole {

ScaleSimAddresses::ScaleSimAddresses(const Layer& layer, const ScaleSimOffsets& offsets)
    : shape_(layer.shape),
      offsets_(offsets),
      out_h_(layer.out_h()),
      out_w_(layer.out_w()),
      group_channels_(layer.shape.in_channels / layer.shape.groups),
      group_filters_(layer.shape.filters / layer.shape.groups),
      window_(layer.shape.filter_h * layer.shape.filter_w * (layer.shape.in_channels / layer.shape.groups)) {}

std::int64_t ScaleSimAddresses::ifmap(std::int64_t group, std::int64_t m, std::int64_t k) const {
  const std::int64_t b = m / (out_h_ * out_w_);
  const std::int64_t p = (m / out_w_) % out_h_;
  const std::int64_t q = m % out_w_;
  const std::int64_t ch = k % group_channels_;
  const std::int64_t fc = (k / group_channels_) % shape_.filter_w;
  const std::int64_t fr = k / (group_channels_ * shape_.filter_w);
  const std::int64_t y = p * shape_.stride_h - shape_.pad_top + fr * shape_.dilation_h;
  const std::int64_t x = q * shape_.stride_w - shape_.pad_left + fc * shape_.dilation_w;
  if (y < 0 || y >= shape_.in_h || x < 0 || x >= shape_.in_w) return -1;
  return offsets_.ifmap + ((b * shape_.in_h + y) * shape_.in_w + x) * shape_.in_channels +
         group * group_channels_ + ch;
}

std::int64_t ScaleSimAddresses::filter(std::int64_t group, std::int64_t k, std::int64_t n) const {
  return offsets_.filter + (group * group_filters_ + n) * window_ + k;
}

std::int64_t ScaleSimAddresses::ofmap(std::int64_t group, std::int64_t m, std::int64_t n) const {
  return offsets_.ofmap + m * shape_.filters + group * group_filters_ + n;
}

}  // namespace systole
