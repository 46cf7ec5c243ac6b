#include "sim/dataflow/layer_data.hpp"

#include <algorithm>
#include <cstring>
#include <random>
#include <type_traits>

namespace systole {

namespace {

// Integers are uniform over the whole type; floats over [-1, 1).
template <class Op>
std::vector<Op> random_values(std::size_t count, std::mt19937_64& rng) {
  std::vector<Op> values(count);
  if constexpr (std::is_floating_point_v<Op>) {
    std::uniform_real_distribution<Op> dist(-1, 1);
    for (Op& v : values) v = dist(rng);
  } else {
    // Each 64-bit draw is uniform, so each of its Op-sized pieces is too.
    constexpr std::size_t kPerDraw = sizeof(std::uint64_t) / sizeof(Op);
    for (std::size_t i = 0; i < count; i += kPerDraw) {
      const std::uint64_t bits = rng();
      std::memcpy(&values[i], &bits, std::min(kPerDraw, count - i) * sizeof(Op));
    }
  }
  return values;
}

template <class Op>
std::vector<Op> given_values(std::size_t count, Operand operand, const OperandValues& values) {
  std::vector<Op> result(count);
  for (std::size_t i = 0; i < count; ++i)
    result[i] = static_cast<Op>(values(operand, static_cast<std::int64_t>(i)));
  return result;
}

std::int64_t right_operand_elements(const Layer& layer) {
  const GemmShape g = layer.gemm();
  return layer.groups() * g.n * g.k;
}

}  // namespace

std::int64_t functional_bytes(const Layer& layer, DataType type) {
  const ConvShape& s = layer.shape;
  const GemmShape g = layer.gemm();
  const std::int64_t operand = operand_bytes(type), accumulator = accumulator_bytes(type);
  const std::int64_t input = layer.batch * s.in_h * s.in_w * s.in_channels;
  const std::int64_t lowered = s.groups * g.m * g.k;
  const std::int64_t outputs = s.groups * g.m * g.n;
  // input, filters, the lowered input; the array's results and the output
  // tensor gathered from them.
  return operand * (input + right_operand_elements(layer) + lowered) + accumulator * 2 * outputs;
}

template <class Op, class Acc>
LayerData<Op, Acc>::LayerData(const Layer& layer, std::uint64_t seed, const OperandValues& values)
    : layer_(layer), gemm_(layer.gemm()) {
  const ConvShape& s = layer.shape;
  const auto inputs = static_cast<std::size_t>(layer.batch * s.in_h * s.in_w * s.in_channels);
  // The right-hand operand, weights or (an ONNX MatMul of two activations)
  // a tensor computed at run time: groups·N·K values either way.
  const auto filters = static_cast<std::size_t>(right_operand_elements(layer));
  if (values) {
    input_ = given_values<Op>(inputs, Operand::Ifmap, values);
    filters_ = given_values<Op>(filters, Operand::Filter, values);
    return;
  }
  std::mt19937_64 rng(seed);
  input_ = random_values<Op>(inputs, rng);
  filters_ = random_values<Op>(filters, rng);
}

template <class Op, class Acc>
void LayerData<Op, Acc>::lower(bool transposed) {
  const ConvShape& s = layer_.shape;
  const std::int64_t out_h = layer_.out_h(), out_w = layer_.out_w();
  const std::int64_t cg = s.in_channels / s.groups;
  const std::int64_t m_count = gemm_.m, k_count = gemm_.k;
  lowered_.assign(static_cast<std::size_t>(s.groups * m_count * k_count), Op{});
  for (std::int64_t g = 0; g < s.groups; ++g) {
    Op* group = lowered_.data() + g * m_count * k_count;
    for (std::int64_t m = 0; m < m_count; ++m) {
      const std::int64_t b = m / (out_h * out_w);
      const std::int64_t p = (m / out_w) % out_h;
      const std::int64_t q = m % out_w;
      for (std::int64_t fr = 0; fr < s.filter_h; ++fr) {
        const std::int64_t y = p * s.stride_h - s.pad_top + fr * s.dilation_h;
        if (y < 0 || y >= s.in_h) continue;
        for (std::int64_t fc = 0; fc < s.filter_w; ++fc) {
          const std::int64_t x = q * s.stride_w - s.pad_left + fc * s.dilation_w;
          if (x < 0 || x >= s.in_w) continue;
          const Op* pixel = input_.data() + ((b * s.in_h + y) * s.in_w + x) * s.in_channels + g * cg;
          const std::int64_t k0 = (fr * s.filter_w + fc) * cg;
          for (std::int64_t ch = 0; ch < cg; ++ch) {
            const std::int64_t k = k0 + ch;
            group[transposed ? k * m_count + m : m * k_count + k] = pixel[ch];
          }
        }
      }
    }
  }
}

template <class Op, class Acc>
ArrayProgram<Op, Acc> LayerData<Op, Acc>::program(const Mapping& mapping, OperandRoles roles) {
  transposed_ = roles.left == Operand::Filter;
  lower(transposed_);
  const std::int64_t m = gemm_.m, n = gemm_.n, k = gemm_.k;
  result_.assign(static_cast<std::size_t>(layer_.groups() * m * n), Acc{});

  ArrayProgram<Op, Acc> program;
  program.mode = mapping.mode;
  program.roles = roles;
  program.folds = mapping.folds;
  program.widths = mapping.widths;
  for (std::int64_t g = 0; g < layer_.groups(); ++g) {
    const Op* lowered = lowered_.data() + g * m * k;
    Acc* out = result_.data() + g * m * n;
    const Op* weights = filters_.data() + g * n * k;  // N×K: filter n's window is row n
    if (transposed_) {
      // C^T = B^T · A^T: the filters (N×K) stream from the left, the lowered
      // input (K×M) stays in the array, and outputs come out as N×M.
      program.gemms.push_back({weights, k, lowered, m, 1, out, m});
    } else {
      // B[k][n] is filter n's k-th weight: the N×K filters read as K×N.
      program.gemms.push_back({lowered, k, weights, 1, k, out, n});
    }
  }
  return program;
}

template <class Op, class Acc>
std::vector<Acc> LayerData<Op, Acc>::output() const {
  const std::int64_t groups = layer_.groups();
  const std::int64_t m = gemm_.m, n = gemm_.n;
  std::vector<Acc> out(static_cast<std::size_t>(m * groups * n));
  for (std::int64_t g = 0; g < groups; ++g) {
    const Acc* group = result_.data() + g * m * n;
    for (std::int64_t row = 0; row < m; ++row)
      for (std::int64_t col = 0; col < n; ++col)
        out[row * groups * n + g * n + col] = transposed_ ? group[col * m + row] : group[row * n + col];
  }
  return out;
}

template class LayerData<std::int8_t, std::int32_t>;
template class LayerData<std::int16_t, std::int64_t>;
template class LayerData<float, float>;

}  // namespace systole
