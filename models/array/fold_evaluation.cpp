#include "models/array/fold_evaluation.hpp"

#include <algorithm>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "models/array/int8_dot_block.hpp"
#include "models/array/multiversion.hpp"
#include "models/array/pe_arithmetic.hpp"

namespace systole {

namespace {

// sums[c] += x[0]·block[0][c] + x[1]·block[1][c] + … for c in [0, cols),
// block row-major, each product added as a PE adds it, in row order. The
// fold engine's hot loop: a tile of sums stays in registers down all rows.
template <class Op, class Acc>
[[gnu::always_inline]] inline void add_block_products_impl(Acc* __restrict sums, const Op* __restrict block,
                                                           const Op* __restrict x, std::int64_t rows, int cols) {
  constexpr int kTile = 256 / static_cast<int>(sizeof(Acc));
  int first = 0;
  for (; first + kTile <= cols; first += kTile) {
    Acc tile[kTile];
    for (int j = 0; j < kTile; ++j) tile[j] = sums[first + j];
    for (std::int64_t r = 0; r < rows; ++r) {
      const Op* row = block + r * cols + first;
      const Op xr = x[r];
      for (int j = 0; j < kTile; ++j) tile[j] += static_cast<Acc>(exact_product(row[j], xr));
    }
    for (int j = 0; j < kTile; ++j) sums[first + j] = tile[j];
  }
  if (first == cols) return;
  for (std::int64_t r = 0; r < rows; ++r) {
    const Op* row = block + r * cols;
    const Op xr = x[r];
    for (int c = first; c < cols; ++c) sums[c] += static_cast<Acc>(exact_product(row[c], xr));
  }
}

#define SYSTOLE_DEFINE_ADD_BLOCK_PRODUCTS(Op, Acc)                                                               \
  SYSTOLE_MULTIVERSION void add_block_products(Acc* sums, const Op* block, const Op* x, std::int64_t rows, int cols) { \
    add_block_products_impl<Op, Acc>(sums, block, x, rows, cols);                                                \
  }

SYSTOLE_DEFINE_ADD_BLOCK_PRODUCTS(std::int8_t, std::int32_t)
SYSTOLE_DEFINE_ADD_BLOCK_PRODUCTS(std::int16_t, std::int64_t)
SYSTOLE_DEFINE_ADD_BLOCK_PRODUCTS(float, float)

// A fold's results for one output row, added to what earlier folds left
// there, as the controller adds each result that leaves the array.
template <class Acc>
void add_to_output(Acc* __restrict out, const Acc* __restrict sums, int count) {
  for (int c = 0; c < count; ++c) out[c] += sums[c];
}

// Counts, cycle by cycle, the MACs of a fold with a zero factor. A fold's
// MACs pair a sequence a (index i) with a sequence b (index j, a cycle
// apart) for each value of a shared index, in cycle base + i·a_step + j. A
// zero a_i gates the run of cycles over j, a zero b_j the run over i (every
// a_step-th cycle), and a pair of zeros was counted twice. Each run changes
// the count where it starts and where it ends; the changes are kept by
// cycle, in arrays as long as the fold (allocated at its first zero), and
// summed once into the count of every cycle.
class GatedCount {
 public:
  // `span`: the cycles [0, span) hold every MAC of the fold.
  GatedCount(std::int64_t a_step, std::int64_t a_count, std::int64_t b_count, std::int64_t span)
      : a_step_(a_step), a_count_(a_count), b_count_(b_count), span_(span) {}

  // a_i is zero (at the shared index's base cycle).
  void zero_a(std::int64_t base, std::int64_t i) { add_run(base + i * a_step_, 1, b_count_, 1); }
  void zero_b(std::int64_t base, std::int64_t j) { add_run(base + j, a_step_, a_count_, 1); }
  void zero_pair(std::int64_t base, std::int64_t i, std::int64_t j) { add_run(base + i * a_step_ + j, 1, 1, -1); }

  // The gated MACs of each cycle in [0, span); none when nothing is gated.
  std::vector<std::uint32_t> per_cycle() {
    std::vector<std::uint32_t> gated;
    if (changes_.empty()) return gated;
    gated.resize(static_cast<std::size_t>(span_));
    // A run every a_step-th cycle adds to the cycles of its residue only:
    // its count in cycle t carries over from cycle t - a_step.
    std::int64_t running = 0;
    for (std::int64_t t = 0; t < span_; ++t) {
      running += changes_[static_cast<std::size_t>(t)];
      if (!strided_changes_.empty() && t >= a_step_)
        strided_changes_[static_cast<std::size_t>(t)] += strided_changes_[static_cast<std::size_t>(t - a_step_)];
      const std::int64_t strided = strided_changes_.empty() ? 0 : strided_changes_[static_cast<std::size_t>(t)];
      gated[static_cast<std::size_t>(t)] = static_cast<std::uint32_t>(running + strided);
    }
    return gated;
  }

 private:
  // `amount` more in each of cycles first, first + step, … (count of them).
  void add_run(std::int64_t first, std::int64_t step, std::int64_t count, std::int32_t amount) {
    if (changes_.empty()) {
      // One past the span: where the last runs end.
      changes_.assign(static_cast<std::size_t>(span_) + 1, 0);
      if (a_step_ != 1) strided_changes_.assign(static_cast<std::size_t>(span_) + 1, 0);
    }
    std::vector<std::int32_t>& changes = step == 1 ? changes_ : strided_changes_;
    changes[static_cast<std::size_t>(first)] += amount;
    changes[static_cast<std::size_t>(first + step * count)] -= amount;
  }

  std::int64_t a_step_, a_count_, b_count_, span_;
  std::vector<std::int32_t> changes_;          // of runs over consecutive cycles, by cycle
  std::vector<std::int32_t> strided_changes_;  // of runs every a_step-th cycle, by cycle
};

// dest[i·cols + j] = source[i + j·col_stride] for i < rows, j < cols: a
// block whose columns are contiguous (the weights of a linear layer, read
// down their input index), copied row-major. Bytes move in 8 × 8 tiles
// through SSE2 registers; anything else, and the edges, one at a time.
template <class Op>
void copy_transposed(const Op* source, std::int64_t col_stride, std::int64_t rows, int cols, Op* dest) {
  std::int64_t tiled_rows = 0;
  int tiled_cols = 0;
#if defined(__SSE2__)
  if constexpr (sizeof(Op) == 1) {
    tiled_rows = rows / 8 * 8;
    tiled_cols = cols / 8 * 8;
    for (int j = 0; j < tiled_cols; j += 8)
      for (std::int64_t i = 0; i < tiled_rows; i += 8) {
        __m128i column[8];  // bytes i..i+7 of columns j..j+7
        for (int k = 0; k < 8; ++k)
          column[k] = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(source + i + (j + k) * col_stride));
        const __m128i pairs[4] = {_mm_unpacklo_epi8(column[0], column[1]), _mm_unpacklo_epi8(column[2], column[3]),
                                  _mm_unpacklo_epi8(column[4], column[5]), _mm_unpacklo_epi8(column[6], column[7])};
        const __m128i quads[4] = {_mm_unpacklo_epi16(pairs[0], pairs[1]), _mm_unpackhi_epi16(pairs[0], pairs[1]),
                                  _mm_unpacklo_epi16(pairs[2], pairs[3]), _mm_unpackhi_epi16(pairs[2], pairs[3])};
        const __m128i two_rows[4] = {_mm_unpacklo_epi32(quads[0], quads[2]), _mm_unpackhi_epi32(quads[0], quads[2]),
                                     _mm_unpacklo_epi32(quads[1], quads[3]), _mm_unpackhi_epi32(quads[1], quads[3])};
        for (int t = 0; t < 4; ++t) {
          Op* row = dest + (i + 2 * t) * cols + j;
          _mm_storel_epi64(reinterpret_cast<__m128i*>(row), two_rows[t]);
          _mm_storel_epi64(reinterpret_cast<__m128i*>(row + cols), _mm_unpackhi_epi64(two_rows[t], two_rows[t]));
        }
      }
  }
#endif
  for (int j = 0; j < cols; ++j)
    for (std::int64_t i = j < tiled_cols ? tiled_rows : 0; i < rows; ++i) dest[i * cols + j] = source[i + j * col_stride];
}

// Calls found(i) for each zero values[i], i in [0, count), in order. Most
// operands are not zero: int8 ones are compared sixteen at a time, inline
// (a fold's rows of 128 bytes gain little from a call to memchr each).
template <class Op, class Found>
void for_each_zero(const Op* values, std::int64_t count, Found&& found) {
  std::int64_t i = 0;
#if defined(__SSE2__)
  if constexpr (sizeof(Op) == 1) {
    const __m128i zero = _mm_setzero_si128();
    for (; i + 16 <= count; i += 16) {
      const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(values + i));
      for (auto mask = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, zero))); mask != 0;
           mask &= mask - 1)
        found(i + __builtin_ctz(mask));
    }
  }
#endif
  for (; i < count; ++i)
    if (values[i] == Op{}) found(i);
}

// A rows × cols block of an operand matrix (element (i, j) at
// source[i·row_stride + j·col_stride]), copied row-major.
template <class Op>
struct DenseBlock {
  DenseBlock(const Op* source, std::int64_t row_stride, std::int64_t col_stride, std::int64_t rows, int cols)
      : values(new Op[static_cast<std::size_t>(rows) * cols]) {
    // Read along the smaller stride: a transposed operand is read down its
    // contiguous columns, not across them a cache line per element.
    if (col_stride <= row_stride) {
      for (std::int64_t i = 0; i < rows; ++i)
        for (int j = 0; j < cols; ++j) values[static_cast<std::size_t>(i) * cols + j] = source[i * row_stride + j * col_stride];
    } else if (row_stride == 1) {
      copy_transposed(source, col_stride, rows, cols, values.get());
    } else {
      for (int j = 0; j < cols; ++j)
        for (std::int64_t i = 0; i < rows; ++i) values[static_cast<std::size_t>(i) * cols + j] = source[i * row_stride + j * col_stride];
    }
  }
  const Op* row(std::int64_t i, int cols) const { return &values[static_cast<std::size_t>(i) * cols]; }

  std::unique_ptr<Op[]> values;  // every element is copied in: not zeroed first
};

// The zeros of a block, row by row: row i's columns, in order, are
// columns[begin[i] .. begin[i + 1]).
struct BlockZeros {
  // Of a row-major rows × cols block.
  template <class Op>
  BlockZeros(const DenseBlock<Op>& block, std::int64_t rows, int cols) : begin(static_cast<std::size_t>(rows) + 1, 0) {
    for (std::int64_t i = 0; i < rows; ++i) {
      for_each_zero(block.row(i, cols), cols, [&](std::int64_t j) { columns.push_back(static_cast<int>(j)); });
      begin[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(columns.size());
    }
  }
  explicit BlockZeros(const Int8DotBlock& packed) { packed.find_zeros(begin, columns); }

  std::vector<std::int64_t> begin;
  std::vector<int> columns;
};

}  // namespace

template <class Op>
struct PreparedBlock {
  // The VNNI kernel packs the block straight from the operand; the portable
  // loop reads a row-major copy.
  PreparedBlock(const Op* values, std::int64_t row_stride, std::int64_t col_stride, std::int64_t rows, int cols)
      : packed(pack(values, row_stride, col_stride, rows, cols)),
        dense(packed ? std::nullopt
                     : std::optional<DenseBlock<Op>>(std::in_place, values, row_stride, col_stride, rows, cols)),
        zeros(packed ? BlockZeros(*packed) : BlockZeros(*dense, rows, cols)),
        values_bytes(packed ? packed->bytes() : rows * cols * static_cast<std::int64_t>(sizeof(Op))) {}

  static std::optional<Int8DotBlock> pack(const Op* values, std::int64_t row_stride, std::int64_t col_stride,
                                          std::int64_t rows, int cols) {
    if constexpr (std::is_same_v<Op, std::int8_t>) {
      static const bool packs = Int8DotBlock::supported();
      if (packs) return std::optional<Int8DotBlock>(std::in_place, values, row_stride, col_stride, rows, cols);
    }
    return std::nullopt;
  }

  // What holding it costs, roughly: its values and its zeros.
  std::int64_t bytes() const {
    return static_cast<std::int64_t>(sizeof(*this)) + values_bytes +
           static_cast<std::int64_t>(zeros.begin.size() * sizeof(zeros.begin[0]) +
                                     zeros.columns.size() * sizeof(zeros.columns[0]));
  }

  std::optional<Int8DotBlock> packed;
  std::optional<DenseBlock<Op>> dense;
  BlockZeros zeros;
  std::int64_t values_bytes;
};

template <class Op>
SharedBlocks<Op>::SharedBlocks(ArrayMode mode, const std::vector<Fold>& folds, std::int64_t budget_bytes)
    : mode_(mode), budget_bytes_(budget_bytes) {
  std::map<Key, std::int64_t> uses;
  for (const Fold& f : folds) ++uses[key(f)];
  for (const auto& [block, count] : uses)
    if (count > 1) uses_.emplace_hint(uses_.end(), block, Uses{count, nullptr});
}

template <class Op>
typename SharedBlocks<Op>::Key SharedBlocks<Op>::key(const Fold& f) const {
  switch (mode_) {  // no default: a new mode must say which block its folds share
    case ArrayMode::Stationary: return {f.gemm, f.row_offset, f.col_offset, f.rows_used, f.cols_used};
    case ArrayMode::OutputStationary: return {f.gemm, f.stream_offset, f.col_offset, f.stream_length, f.cols_used};
  }
  return {};
}

template <class Op>
std::shared_ptr<PreparedBlock<Op>> SharedBlocks<Op>::take(const Fold& f) {
  const auto found = uses_.find(key(f));
  if (found == uses_.end() || found->second.block == nullptr) return nullptr;
  std::shared_ptr<PreparedBlock<Op>> block = found->second.block;
  if (--found->second.left == 0) {
    held_bytes_ -= block->bytes();
    uses_.erase(found);
  }
  return block;
}

template <class Op>
void SharedBlocks<Op>::keep(const Fold& f, std::shared_ptr<PreparedBlock<Op>> block) {
  const auto found = uses_.find(key(f));
  if (found == uses_.end()) return;
  if (--found->second.left == 0) {
    uses_.erase(found);
    return;
  }
  if (held_bytes_ + block->bytes() > budget_bytes_) return;
  held_bytes_ += block->bytes();
  found->second.block = std::move(block);
}

template <class Op, class Acc>
FoldEvaluation<Op, Acc>::FoldEvaluation(ArrayMode mode, const Fold& f, const GemmOperands<Op, Acc>& ops,
                                        SharedBlocks<Op>* blocks) {
  if (f.rows_used <= 0 || f.cols_used <= 0 || f.stream_length <= 0) return;  // no MAC to evaluate
  const std::int64_t k = f.stream_spacing;
  const auto evaluate_with = [&](const Shared& shared, const Outputs& outputs, Acc* out) {
    std::shared_ptr<PreparedBlock<Op>> block = blocks != nullptr ? blocks->take(f) : nullptr;
    if (block == nullptr) {
      block = std::make_shared<PreparedBlock<Op>>(shared.values, shared.row_stride, shared.col_stride, shared.count,
                                                  f.cols_used);
      if (blocks != nullptr) blocks->keep(f, block);
    }
    evaluate(shared, outputs, out, ops.out_ld, f.cols_used, *block);
  };
  switch (mode) {  // no default: a new mode must say how its fold evaluates
    case ArrayMode::Stationary:
      // Operand m (row m of L) meets PE (r, c) at offset m·k + r + c; the sum
      // leaving column c adds row 0's product first.
      evaluate_with({ops.top + f.row_offset * ops.top_row_stride + f.col_offset * ops.top_col_stride,
                     ops.top_row_stride, ops.top_col_stride, f.rows_used, 1},
                    {ops.left + f.stream_offset * ops.left_ld + f.row_offset, ops.left_ld, f.stream_length, k},
                    ops.out + f.stream_offset * ops.out_ld + f.col_offset);
      break;
    case ArrayMode::OutputStationary:
      // Reduction element e meets PE (r, c) at offset e·k + r + c; each
      // accumulator adds element 0's product first.
      evaluate_with({ops.top + f.stream_offset * ops.top_row_stride + f.col_offset * ops.top_col_stride,
                     ops.top_row_stride, ops.top_col_stride, f.stream_length, k},
                    {ops.left + f.row_offset * ops.left_ld + f.stream_offset, ops.left_ld, f.rows_used, 1},
                    ops.out + f.row_offset * ops.out_ld + f.col_offset);
      break;
  }
}

template <class Op, class Acc>
void FoldEvaluation<Op, Acc>::evaluate(const Shared& shared, const Outputs& outputs, Acc* out, std::int64_t out_ld,
                                       int cols, PreparedBlock<Op>& block) {
  const BlockZeros& zeros = block.zeros;
  // Output o, shared index s and column c meet at offset o·outputs.step +
  // s·shared.step + c.
  GatedCount gated(outputs.step, outputs.count, cols,
                   (shared.count - 1) * shared.step + outputs.count * outputs.step + cols);
  for (std::int64_t s = 0; s < shared.count; ++s)
    for (std::int64_t z = zeros.begin[s]; z < zeros.begin[s + 1]; ++z) gated.zero_b(s * shared.step, zeros.columns[z]);
  // The VNNI kernel takes a few outputs at a time, the portable loop one.
  const std::int64_t per_pass = block.packed ? Int8DotBlock::kRowsPerPass : 1;
  std::vector<Acc> sums(static_cast<std::size_t>(per_pass * cols));
  for (std::int64_t first = 0; first < outputs.count; first += per_pass) {
    const int count = static_cast<int>(std::min(per_pass, outputs.count - first));
    const Op* x = outputs.values + first * outputs.row_stride;
    // The next pass's operands, like its sums below, are far apart and
    // mostly out of the core's caches (a recurrent step's 128-byte pieces of
    // a 3 KB row): asked for now, they arrive while these products run.
    for (std::int64_t o = first + per_pass; o < std::min(first + 2 * per_pass, outputs.count); ++o)
      for (std::int64_t s = 0; s < shared.count; s += 64 / static_cast<std::int64_t>(sizeof(Op)))
        __builtin_prefetch(outputs.values + o * outputs.row_stride + s);
    if constexpr (std::is_same_v<Op, std::int8_t>) {
      if (block.packed) block.packed->products(x, outputs.row_stride, count, sums.data(), cols);
    }
    if (block.dense) {
      std::fill(sums.begin(), sums.end(), Acc{});
      add_block_products(sums.data(), block.dense->row(0, cols), x, shared.count, cols);
    }
    // Their loads would wait on memory after the products: a fold's
    // outputs are far apart.
    for (std::int64_t o = first + per_pass; o < std::min(first + 2 * per_pass, outputs.count); ++o)
      for (int c = 0; c < cols; c += 64 / static_cast<int>(sizeof(Acc))) __builtin_prefetch(out + o * out_ld + c);
    for (int r = 0; r < count; ++r) {
      const std::int64_t o = first + r;
      for_each_zero(x + r * outputs.row_stride, shared.count, [&](std::int64_t s) {
        gated.zero_a(s * shared.step, o);
        for (std::int64_t z = zeros.begin[s]; z < zeros.begin[s + 1]; ++z)
          gated.zero_pair(s * shared.step, o, zeros.columns[z]);
      });
      add_to_output(out + o * out_ld, sums.data() + static_cast<std::size_t>(r) * cols, cols);
    }
  }
  gated_ = gated.per_cycle();
}

template class FoldEvaluation<std::int8_t, std::int32_t>;
template class FoldEvaluation<std::int16_t, std::int64_t>;
template class FoldEvaluation<float, float>;
template class SharedBlocks<std::int8_t>;
template class SharedBlocks<std::int16_t>;
template class SharedBlocks<float>;

}  // namespace systole
