#include "sim/workload/reference.hpp"

#include <algorithm>
#include <bitset>
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

namespace {

// A vector of ±1 values as bits, 64 to a word: bit k for position k.
using Bits = std::vector<std::uint64_t>;
void set_bit(Bits& bits, std::int64_t k) { bits[static_cast<std::size_t>(k / 64)] |= std::uint64_t{1} << (k % 64); }
std::int64_t popcount(std::uint64_t word) { return static_cast<std::int64_t>(std::bitset<64>(word).count()); }

}  // namespace

Comparison compare_with_binary_reference(const Layer& layer, const std::vector<std::int8_t>& input,
                                         const std::vector<std::int8_t>& filters,
                                         const std::vector<std::int32_t>& output) {
  const ConvShape& s = layer.shape;
  const std::int64_t out_h = layer.out_h(), out_w = layer.out_w();
  const std::int64_t cg = s.in_channels / s.groups;
  const std::int64_t ng = s.filters / s.groups;
  const std::int64_t window = s.filter_h * s.filter_w * cg;
  const std::size_t words = static_cast<std::size_t>((window + 63) / 64);
  // Each value's bit is its sign: +1 is 1, -1 is 0.
  std::vector<Bits> filter_bits(static_cast<std::size_t>(s.filters), Bits(words));
  for (std::int64_t f = 0; f < s.filters; ++f)
    for (std::int64_t k = 0; k < window; ++k)
      if (filters[static_cast<std::size_t>(f * window + k)] > 0) set_bit(filter_bits[static_cast<std::size_t>(f)], k);
  Comparison result;
  Bits pixels(words), inside(words);
  for (std::int64_t b = 0; b < layer.batch; ++b)
    for (std::int64_t p = 0; p < out_h; ++p)
      for (std::int64_t q = 0; q < out_w; ++q)
        for (std::int64_t g = 0; g < s.groups; ++g) {
          // The window of output (p, q) in group g, and which of its
          // positions are inside the input.
          std::fill(pixels.begin(), pixels.end(), 0);
          std::fill(inside.begin(), inside.end(), 0);
          for (std::int64_t fr = 0; fr < s.filter_h; ++fr) {
            const std::int64_t y = p * s.stride_h - s.pad_top + fr * s.dilation_h;
            if (y < 0 || y >= s.in_h) continue;
            for (std::int64_t fc = 0; fc < s.filter_w; ++fc) {
              const std::int64_t x = q * s.stride_w - s.pad_left + fc * s.dilation_w;
              if (x < 0 || x >= s.in_w) continue;
              const std::int8_t* pixel = &input[((b * s.in_h + y) * s.in_w + x) * s.in_channels + g * cg];
              for (std::int64_t ch = 0; ch < cg; ++ch) {
                const std::int64_t k = (fr * s.filter_w + fc) * cg + ch;
                set_bit(inside, k);
                if (pixel[ch] > 0) set_bit(pixels, k);
              }
            }
          }
          std::int64_t positions = 0;
          for (std::uint64_t word : inside) positions += popcount(word);
          for (std::int64_t f = g * ng; f < (g + 1) * ng; ++f) {
            const Bits& weights = filter_bits[static_cast<std::size_t>(f)];
            std::int64_t agree = 0;  // positions where XNOR is 1: equal signs, a product of +1
            for (std::size_t w = 0; w < words; ++w) agree += popcount(~(pixels[w] ^ weights[w]) & inside[w]);
            // agree products of +1 and (positions − agree) of -1.
            const std::int64_t dot = agree + agree - positions;
            const std::int64_t index = ((b * out_h + p) * out_w + q) * s.filters + f;
            const std::int32_t actual = output[static_cast<std::size_t>(index)];
            ++result.compared;
            if (actual == dot) continue;
            if (result.mismatches++ == 0) {
              std::ostringstream where;
              where << "first at batch " << b << ", row " << p << ", column " << q << ", filter " << f << ": array "
                    << actual << ", XNOR-popcount reference " << dot;
              result.first_mismatch = where.str();
            }
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
