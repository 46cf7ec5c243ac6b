#include "sim/workload/reference.hpp"

#include <cmath>
#include <sstream>
#include <type_traits>

namespace systole {

template <class Op, class Acc>
Comparison compare_with_reference(const Layer& layer, const std::vector<Op>& input,
                                  const std::vector<Op>& filters, const std::vector<Acc>& output) {
  constexpr bool kFloat = std::is_floating_point_v<Acc>;
  using Wide = std::conditional_t<kFloat, double, std::int64_t>;
  const ConvShape& s = layer.shape;
  const std::int64_t out_h = layer.out_h(), out_w = layer.out_w();
  const std::int64_t cg = s.in_channels / s.groups;
  const std::int64_t ng = s.filters / s.groups;
  const std::int64_t window = s.filter_h * s.filter_w * cg;
  Comparison result;
  for (std::int64_t b = 0; b < layer.batch; ++b)
    for (std::int64_t p = 0; p < out_h; ++p)
      for (std::int64_t q = 0; q < out_w; ++q)
        for (std::int64_t f = 0; f < s.filters; ++f) {
          const std::int64_t g = f / ng;
          Wide sum = 0;
          double magnitude = 0;
          for (std::int64_t fr = 0; fr < s.filter_h; ++fr) {
            const std::int64_t y = p * s.stride_h - s.pad_top + fr * s.dilation_h;
            if (y < 0 || y >= s.in_h) continue;
            for (std::int64_t fc = 0; fc < s.filter_w; ++fc) {
              const std::int64_t x = q * s.stride_w - s.pad_left + fc * s.dilation_w;
              if (x < 0 || x >= s.in_w) continue;
              const Op* pixel = &input[((b * s.in_h + y) * s.in_w + x) * s.in_channels + g * cg];
              const Op* weight = &filters[f * window + (fr * s.filter_w + fc) * cg];
              for (std::int64_t ch = 0; ch < cg; ++ch) {
                const Wide product = static_cast<Wide>(pixel[ch]) * static_cast<Wide>(weight[ch]);
                sum += product;
                if constexpr (kFloat) magnitude += std::fabs(product);
              }
            }
          }
          const std::int64_t index = ((b * out_h + p) * out_w + q) * s.filters + f;
          const Acc actual = output[static_cast<std::size_t>(index)];
          bool match;
          if constexpr (kFloat) {
            const double tolerance = (window + 2) * std::ldexp(1.0, -24) * magnitude;
            match = std::fabs(static_cast<double>(actual) - sum) <= tolerance;
          } else {
            match = static_cast<Wide>(actual) == sum;
          }
          ++result.compared;
          if (match) continue;
          if (result.mismatches++ == 0) {
            std::ostringstream where;
            where << "first at batch " << b << ", row " << p << ", column " << q << ", filter " << f
                  << ": array " << actual << ", reference " << sum;
            result.first_mismatch = where.str();
          }
        }
  return result;
}

template Comparison compare_with_reference<std::int8_t, std::int32_t>(
    const Layer&, const std::vector<std::int8_t>&, const std::vector<std::int8_t>&,
    const std::vector<std::int32_t>&);
template Comparison compare_with_reference<std::int16_t, std::int64_t>(
    const Layer&, const std::vector<std::int16_t>&, const std::vector<std::int16_t>&,
    const std::vector<std::int64_t>&);
template Comparison compare_with_reference<float, float>(const Layer&, const std::vector<float>&,
                                                         const std::vector<float>&,
                                                         const std::vector<float>&);

}  // namespace systole
