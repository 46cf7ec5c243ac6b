#pragma once
// SCALE-Sim v2's addresses of a layer's operand-matrix entries
// (../shared/reference/scalesim.md §4.1), one word per value, in three
// address spaces whose bases are IfmapOffset, FilterOffset and OfmapOffset
// (ScaleSimOffsets: a SCALE-Sim cfg's, else SCALE-Sim's shipped ones).
//
//   ifmap  (m, k): IfmapOffset + ((b·H + y)·W + x)·C + g·Cg + ch
//   filter (k, n): FilterOffset + (g·Ng + n)·K + k
//   ofmap  (m, n): OfmapOffset + m·N + g·Ng + n
//
// with output pixel m = (b·out_h + p)·out_w + q, window entry
// k = (fr·filter_w + fc)·Cg + ch, input pixel y = p·stride_h − pad_top +
// fr·dilation_h (x alike), N the layer's filters and K its window. SCALE-Sim
// has no batch, groups, padding or dilation: with none they are its
// formulas. A window position in the padding (SCALE-Sim's ceil-rule overrun
// included) is in no memory: −1, as SCALE-Sim marks it.

#include <cstdint>

#include "sim/config/arch_config.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

class ScaleSimAddresses {
 public:
  ScaleSimAddresses(const Layer& layer, const ScaleSimOffsets& offsets);

  // Entries of group `group`'s GEMM (M×K by K×N, sim/dataflow/layer_data.hpp).
  std::int64_t ifmap(std::int64_t group, std::int64_t m, std::int64_t k) const;
  std::int64_t filter(std::int64_t group, std::int64_t k, std::int64_t n) const;
  std::int64_t ofmap(std::int64_t group, std::int64_t m, std::int64_t n) const;

 private:
  ConvShape shape_;
  ScaleSimOffsets offsets_;
  std::int64_t out_h_, out_w_;
  std::int64_t group_channels_, group_filters_, window_;
};

}  // namespace systole
