#include "sim/dataflow/layer_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <stdexcept>
#include <type_traits>

#include <spdlog/fmt/fmt.h>

#include "sim/config/input_error.hpp"
#include "sim/dataflow/bulk_mt19937_64.hpp"
#include "sim/dataflow/huge_pages.hpp"
#include "sim/workload/npy_file.hpp"

namespace systole {

namespace {

// Integers are uniform over their type's values; floats over [-1, 1).
template <class Op>
std::vector<Op> random_values(std::size_t count, BulkMt19937_64& rng, DataType type) {
  // Appended, not resized and overwritten: a resize would clear every byte
  // first.
  std::vector<Op> values;
  reserve_in_huge_pages(values, count);
  if constexpr (std::is_floating_point_v<Op>) {
    std::uniform_real_distribution<Op> dist(-1, 1);
    while (values.size() < count) values.push_back(dist(rng));
  } else {
    // Each 64-bit draw is uniform, so each of its b-bit pieces is too, and a
    // piece is one value of a b-bit type: two's complement, or for int1 a
    // bit, 1 for +1 and 0 for -1. For int8 and int16 the pieces are the
    // draw's bytes in order, what earlier versions copied out of it on x86:
    // a seed still gives the operands it gave.
    const int bits = operand_bits(type);
    const std::size_t per_draw = 64 / static_cast<std::size_t>(bits);
    const std::uint64_t mask = (std::uint64_t{1} << bits) - 1;
    const std::int64_t half = std::int64_t{1} << (bits - 1);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    // A full-width value's pieces are the draw's bytes in memory order: copy
    // them (the operands of a large layer take a second to draw one by one).
    if (bits == 8 * static_cast<int>(sizeof(Op))) {
      constexpr std::size_t kDraws = 512;
      std::uint64_t draws[kDraws];
      Op pieces[kDraws * sizeof(std::uint64_t) / sizeof(Op)];
      while (values.size() + per_draw <= count) {
        const std::size_t taken = std::min<std::size_t>(kDraws, (count - values.size()) / per_draw);
        rng.fill(draws, taken);
        std::memcpy(pieces, draws, taken * sizeof draws[0]);
        values.insert(values.end(), pieces, pieces + taken * per_draw);
      }
    }
#endif
    while (values.size() < count) {
      std::uint64_t draw = rng();
      const std::size_t pieces = std::min(per_draw, count - values.size());
      for (std::size_t p = 0; p < pieces; ++p, draw >>= bits) {
        const auto piece = static_cast<std::int64_t>(draw & mask);
        const std::int64_t value = type == DataType::Int1 ? 2 * piece - 1 : piece >= half ? piece - 2 * half : piece;
        values.push_back(static_cast<Op>(value));
      }
    }
  }
  return values;
}

// Why `v` is not a value of `type` (held as Op), or empty when it is: an
// integer in the type's range (int1: -1 or +1), or a finite float.
template <class Op>
std::string value_problem(double v, DataType type) {
  if constexpr (std::is_floating_point_v<Op>) {
    return std::isfinite(v) ? std::string() : "is not finite";
  } else {
    if (type == DataType::Int1)
      return v == -1 || v == 1 ? std::string() : "is not -1 or +1 (int1, the array's data type, is binary)";
    const OperandRange range = operand_range(type);
    if (v >= static_cast<double>(range.min) && v <= static_cast<double>(range.max) && v == std::floor(v)) return {};
    return fmt::format("is not an integer from {} to {} (the array's data type, {})", range.min, range.max,
                       to_string(type));
  }
}

template <class Op>
std::vector<Op> given_values(std::size_t count, Operand operand, const OperandValues& values, DataType type) {
  std::vector<Op> result(count);
  for (std::size_t i = 0; i < count; ++i) {
    const double v = values(operand, static_cast<std::int64_t>(i));
    if (const std::string problem = value_problem<Op>(v, type); !problem.empty())
      throw std::invalid_argument(fmt::format("given {} value {:g} at index {} {}", to_string(operand), v, i, problem));
    result[i] = static_cast<Op>(v);
  }
  return result;
}

std::int64_t right_operand_elements(const Layer& layer) {
  const GemmShape g = layer.gemm();
  return layer.groups() * g.n * g.k;
}

// Draws each value as zero with probability `fraction`, from its own stream
// so that the nonzero values are those of the same seed without sparsity.
template <class Op>
void zero_fraction(std::vector<Op>& values, double fraction, std::uint64_t seed) {
  if (fraction <= 0) return;
  BulkMt19937_64 rng(seed);
  std::bernoulli_distribution zero(fraction);
  for (Op& v : values)
    if (zero(rng)) v = Op{};
}

// A 1×1 convolution with stride 1 and no padding (a GEMM, a linear layer)
// lowers to its own input, M×K: it needs no copy.
bool lowers_to_own_input(const ConvShape& s) {
  return s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 && s.stride_w == 1 && s.pad_top == 0 &&
         s.pad_bottom == 0 && s.pad_left == 0 && s.pad_right == 0 && s.groups == 1;
}

}  // namespace

std::int64_t functional_bytes(const Layer& layer, DataType type) {
  const ConvShape& s = layer.shape;
  const GemmShape g = layer.gemm();
  // The simulation holds each value unpacked, in its Numeric<> type: the
  // narrow integers in an int8 each.
  const std::int64_t operand = (operand_bits(type) + 7) / 8, accumulator = accumulator_bits(type) / 8;
  const std::int64_t input = layer.batch * s.in_h * s.in_w * s.in_channels;
  const std::int64_t lowered = lowers_to_own_input(s) ? 0 : s.groups * g.m * g.k;
  const std::int64_t outputs = s.groups * g.m * g.n;
  // input, filters, the lowered input (if not the input itself); the
  // array's results and the output tensor gathered from them.
  return operand * (input + right_operand_elements(layer) + lowered) + accumulator * 2 * outputs;
}

template <class Op>
std::vector<Op> operand_file_values(const std::string& path, std::int64_t count, DataType type) {
  const NpyTensor tensor = read_npy(path);
  if (static_cast<std::int64_t>(tensor.values.size()) != count)
    throw InputError(path + ": holds " + std::to_string(tensor.values.size()) + " values, the layer needs " +
                     std::to_string(count));
  std::vector<Op> values(tensor.values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    const double v = tensor.values[i];
    if (const std::string problem = value_problem<Op>(v, type); !problem.empty())
      throw InputError(fmt::format("{}: value {:g} at index {} {}", path, v, i, problem));
    values[i] = static_cast<Op>(v);
  }
  return values;
}

void check_operand_files(const Layer& layer, DataType type) {
  const ConvShape& s = layer.shape;
  const auto check = [&](auto tag) {
    using Op = decltype(tag);
    if (!layer.ifmap_file.empty())
      operand_file_values<Op>(layer.ifmap_file, layer.batch * s.in_h * s.in_w * s.in_channels, type);
    if (!layer.weights_file.empty()) operand_file_values<Op>(layer.weights_file, right_operand_elements(layer), type);
  };
  switch (type) {
    case DataType::Int16: check(Numeric<DataType::Int16>::Operand{}); break;
    case DataType::Int8: check(Numeric<DataType::Int8>::Operand{}); break;
    case DataType::Int4: check(Numeric<DataType::Int4>::Operand{}); break;
    case DataType::Int2: check(Numeric<DataType::Int2>::Operand{}); break;
    case DataType::Int1: check(Numeric<DataType::Int1>::Operand{}); break;
    case DataType::Fp32: check(Numeric<DataType::Fp32>::Operand{}); break;
  }
}

std::string sparsity_problem(const OperandSparsity& sparsity, DataType type) {
  if (type == DataType::Int1 && sparsity.any())
    return "int1 operands are -1 or +1, never zero: a binary layer has no zeros to draw (use another --data-type)";
  return {};
}

template <class Op, class Acc>
LayerData<Op, Acc>::LayerData(const Layer& layer, const OperandSource& source, DataType type)
    : layer_(layer), gemm_(layer.gemm()) {
  const ConvShape& s = layer.shape;
  const auto inputs = static_cast<std::size_t>(layer.batch * s.in_h * s.in_w * s.in_channels);
  // The right-hand operand, weights or (an ONNX MatMul of two activations)
  // a tensor computed at run time: groups·N·K values either way.
  const auto filters = static_cast<std::size_t>(right_operand_elements(layer));
  if (source.values) {
    input_ = given_values<Op>(inputs, Operand::Ifmap, source.values, type);
    filters_ = given_values<Op>(filters, Operand::Filter, source.values, type);
    return;
  }
  if (const std::string problem = sparsity_problem(source.sparsity, type); !problem.empty())
    throw InputError("sparsity: " + problem);
  BulkMt19937_64 rng(source.seed);
  input_ = random_values<Op>(inputs, rng, type);
  filters_ = random_values<Op>(filters, rng, type);
  zero_fraction(input_, source.sparsity.ifmap, source.seed ^ 0x5A5A5A5A5A5A5A5AULL);
  zero_fraction(filters_, source.sparsity.weights, source.seed ^ 0xA5A5A5A5A5A5A5A5ULL);
  if (!layer.ifmap_file.empty())
    input_ = operand_file_values<Op>(layer.ifmap_file, static_cast<std::int64_t>(inputs), type);
  if (!layer.weights_file.empty())
    filters_ = operand_file_values<Op>(layer.weights_file, static_cast<std::int64_t>(filters), type);
}

template <class Op, class Acc>
void LayerData<Op, Acc>::lower(bool transposed) {
  const ConvShape& s = layer_.shape;
  const std::int64_t out_h = layer_.out_h(), out_w = layer_.out_w();
  const std::int64_t cg = s.in_channels / s.groups;
  const std::int64_t m_count = gemm_.m, k_count = gemm_.k;
  reserve_in_huge_pages(lowered_, static_cast<std::size_t>(s.groups * m_count * k_count));
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
  const bool lowers_to_input = lowers_to_own_input(layer_.shape);
  if (lowers_to_input)
    lowered_.clear();
  else
    lower(transposed_);
  const std::int64_t m = gemm_.m, n = gemm_.n, k = gemm_.k;
  reserve_in_huge_pages(result_, static_cast<std::size_t>(layer_.groups() * m * n));
  result_.assign(static_cast<std::size_t>(layer_.groups() * m * n), Acc{});

  ArrayProgram<Op, Acc> program = program_without_values<Op, Acc>(mapping, roles);
  for (std::int64_t g = 0; g < layer_.groups(); ++g) {
    Acc* out = result_.data() + g * m * n;
    const Op* weights = filters_.data() + g * n * k;  // N×K: filter n's window is row n
    if (transposed_) {
      // C^T = B^T · A^T: the filters (N×K) stream from the left, the lowered
      // input (K×M) stays in the array, and outputs come out as N×M.
      if (lowers_to_input)
        program.gemms.push_back({weights, k, input_.data(), 1, k, out, m});  // the input M×K read as K×M
      else
        program.gemms.push_back({weights, k, lowered_.data() + g * m * k, m, 1, out, m});
    } else {
      const Op* lowered = lowers_to_input ? input_.data() : lowered_.data() + g * m * k;
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
  std::vector<Acc> out;
  reserve_in_huge_pages(out, static_cast<std::size_t>(m * groups * n));
  out.resize(static_cast<std::size_t>(m * groups * n));
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
