#include "models/array/int8_dot_block.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>

#if defined(__x86_64__) && defined(__GNUC__)
#define SYSTOLE_HAS_VNNI_KERNEL 1
#include <immintrin.h>
#endif

namespace systole {

namespace {

constexpr int kColumnsPerVector = 16;  // int32 sums in a 512-bit register

// Vectors of sums a pass keeps in registers down the whole block, for each
// of its R rows. One row's pass is bound by loading weights, so it takes
// eight vectors; with several rows each weight serves them all, and two
// vectors per row (eight sums for four rows) were the fastest on a Zen 4
// core that loads one 512-bit vector a cycle (a micro-benchmark of this
// loop over a 128 × 128 block: 0.21 ns per vpdpbusd, against 0.33 for one
// row of eight vectors and 0.24 for four rows of four).
template <int R>
constexpr int kVectorsPerPass = R == 1 ? 8 : 2;

#if SYSTOLE_HAS_VNNI_KERNEL
#define SYSTOLE_VNNI_TARGET [[gnu::target("avx512f,avx512bw,avx512vnni")]]

// Columns [first, first + 16·V) of R rows' sums, down every group of four
// rows of the block. Each vector of weights loaded serves all R rows.
template <int R, int V>
SYSTOLE_VNNI_TARGET void dot_pass(const std::int8_t* packed, std::int64_t groups, int padded_cols, int first,
                                  const std::uint8_t* x, std::int64_t x_stride, const std::int32_t* offsets,
                                  std::int32_t* sums, std::int64_t sums_stride, int cols) {
  __m512i acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = _mm512_setzero_si512();
  const std::int8_t* group = packed + static_cast<std::int64_t>(first) * 4;
  for (std::int64_t g = 0; g < groups; ++g, group += static_cast<std::int64_t>(padded_cols) * 4) {
    __m512i weights[V];
    for (int v = 0; v < V; ++v) weights[v] = _mm512_loadu_si512(group + 64 * v);
    for (int r = 0; r < R; ++r) {
      std::int32_t four;
      std::memcpy(&four, x + r * x_stride + 4 * g, sizeof four);
      const __m512i xs = _mm512_set1_epi32(four);
      for (int v = 0; v < V; ++v) acc[r][v] = _mm512_dpbusd_epi32(acc[r][v], xs, weights[v]);
    }
  }
  for (int v = 0; v < V; ++v) {
    const int column = first + kColumnsPerVector * v;
    if (column >= cols) return;
    const __m512i offset = _mm512_loadu_si512(offsets + column);
    const auto mask = static_cast<__mmask16>((1u << std::min(kColumnsPerVector, cols - column)) - 1);
    for (int r = 0; r < R; ++r)
      _mm512_mask_storeu_epi32(sums + r * sums_stride + column, mask, _mm512_sub_epi32(acc[r][v], offset));
  }
}

template <int R>
SYSTOLE_VNNI_TARGET void dot_products_of_rows(const std::int8_t* packed, std::int64_t groups, int padded_cols,
                                              const std::uint8_t* x, std::int64_t x_stride, const std::int32_t* offsets,
                                              std::int32_t* sums, std::int64_t sums_stride, int cols) {
  constexpr int kPassColumns = kColumnsPerVector * kVectorsPerPass<R>;
  int first = 0;
  for (; first + kPassColumns <= padded_cols; first += kPassColumns)
    dot_pass<R, kVectorsPerPass<R>>(packed, groups, padded_cols, first, x, x_stride, offsets, sums, sums_stride, cols);
  const auto pass = [&](auto vectors) {
    if constexpr (decltype(vectors)::value < kVectorsPerPass<R>)
      dot_pass<R, decltype(vectors)::value>(packed, groups, padded_cols, first, x, x_stride, offsets, sums,
                                            sums_stride, cols);
  };
  switch ((padded_cols - first) / kColumnsPerVector) {  // the vectors left, fewer than a pass
    case 0: break;
    case 1: pass(std::integral_constant<int, 1>{}); break;
    case 2: pass(std::integral_constant<int, 2>{}); break;
    case 3: pass(std::integral_constant<int, 3>{}); break;
    case 4: pass(std::integral_constant<int, 4>{}); break;
    case 5: pass(std::integral_constant<int, 5>{}); break;
    case 6: pass(std::integral_constant<int, 6>{}); break;
    case 7: pass(std::integral_constant<int, 7>{}); break;
    default: throw std::logic_error("dot_products: a pass of more than 8 vectors");
  }
}

// sums[r·sums_stride + c] for rows r < count (at most kRowsPerPass) of x.
SYSTOLE_VNNI_TARGET void dot_products(const std::int8_t* packed, std::int64_t groups, int padded_cols,
                                      const std::uint8_t* x, std::int64_t x_stride, int count,
                                      const std::int32_t* offsets, std::int32_t* sums, std::int64_t sums_stride,
                                      int cols) {
  switch (count) {
    case 1: dot_products_of_rows<1>(packed, groups, padded_cols, x, x_stride, offsets, sums, sums_stride, cols); break;
    case 2: dot_products_of_rows<2>(packed, groups, padded_cols, x, x_stride, offsets, sums, sums_stride, cols); break;
    case 3: dot_products_of_rows<3>(packed, groups, padded_cols, x, x_stride, offsets, sums, sums_stride, cols); break;
    case 4: dot_products_of_rows<4>(packed, groups, padded_cols, x, x_stride, offsets, sums, sums_stride, cols); break;
    default: throw std::logic_error("dot_products: more rows than a pass takes");
  }
}

// The zeros of a packed block, row by row (see Int8DotBlock::find_zeros).
// A 64-byte vector holds four rows of sixteen columns, row i of column c at
// byte 4c + i. Zero weights are rare, so a group of four rows is counted
// row by row (popcounts, no branch) and its zeros then placed in one pass
// over the set bits.
SYSTOLE_VNNI_TARGET void find_packed_zeros(const std::int8_t* packed, std::int64_t rows, int cols, int padded_cols,
                                           std::vector<std::int64_t>& begin, std::vector<int>& columns) {
  constexpr std::uint64_t kRowZero = 0x1111'1111'1111'1111ULL;  // row 0's bit in each column
  const int vectors = padded_cols / kColumnsPerVector;
  const int last_vector_columns = cols - kColumnsPerVector * (vectors - 1);  // the rest are padding
  const std::uint64_t last_vector_mask =
      last_vector_columns == kColumnsPerVector ? ~std::uint64_t{0} : (std::uint64_t{1} << (4 * last_vector_columns)) - 1;
  std::vector<std::uint64_t> masks(static_cast<std::size_t>(vectors));
  begin.assign(static_cast<std::size_t>(rows) + 1, 0);
  columns.clear();
  const std::int8_t* group = packed;
  for (std::int64_t first_row = 0; first_row < rows; first_row += 4, group += static_cast<std::int64_t>(padded_cols) * 4) {
    const std::int64_t group_rows = std::min<std::int64_t>(4, rows - first_row);
    const std::uint64_t real_rows = kRowZero * ((1u << group_rows) - 1);  // padding rows are zeros too
    std::int64_t count[4] = {};
    for (int v = 0; v < vectors; ++v) {
      const __m512i bytes = _mm512_loadu_si512(group + 64 * v);
      masks[v] = _mm512_testn_epi8_mask(bytes, bytes) & real_rows & (v == vectors - 1 ? last_vector_mask : ~std::uint64_t{0});
      for (int i = 0; i < 4; ++i) count[i] += __builtin_popcountll(masks[v] & (kRowZero << i));
    }
    std::int64_t next[4];
    next[0] = begin[static_cast<std::size_t>(first_row)];
    for (int i = 0; i < 4; ++i) {
      if (i > 0) next[i] = next[i - 1] + count[i - 1];
      if (i < group_rows) begin[static_cast<std::size_t>(first_row + i) + 1] = next[i] + count[i];
    }
    columns.resize(static_cast<std::size_t>(next[3] + count[3]));
    for (int v = 0; v < vectors; ++v)
      for (std::uint64_t zeros = masks[v]; zeros != 0; zeros &= zeros - 1) {
        const int bit = __builtin_ctzll(zeros);
        columns[static_cast<std::size_t>(next[bit % 4]++)] = kColumnsPerVector * v + bit / 4;
      }
  }
}

// 16 columns of four rows (`rows` of them real, below zero), interleaved
// as vpdpbusd reads them: column c's four bytes at 4c.
void pack_group(const __m128i rows[4], std::int8_t* dest) {
  const __m128i ab_low = _mm_unpacklo_epi8(rows[0], rows[1]), ab_high = _mm_unpackhi_epi8(rows[0], rows[1]);
  const __m128i cd_low = _mm_unpacklo_epi8(rows[2], rows[3]), cd_high = _mm_unpackhi_epi8(rows[2], rows[3]);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dest), _mm_unpacklo_epi16(ab_low, cd_low));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dest + 16), _mm_unpackhi_epi16(ab_low, cd_low));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dest + 32), _mm_unpacklo_epi16(ab_high, cd_high));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(dest + 48), _mm_unpackhi_epi16(ab_high, cd_high));
}
#endif

}  // namespace

bool Int8DotBlock::supported() {
#if SYSTOLE_HAS_VNNI_KERNEL
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512vnni");
#else
  return false;
#endif
}

Int8DotBlock::Int8DotBlock(const std::int8_t* block, std::int64_t row_stride, std::int64_t col_stride,
                           std::int64_t rows, int cols)
    : rows_(rows),
      groups_((rows + 3) / 4),
      cols_(cols),
      padded_cols_((cols + kColumnsPerVector - 1) / kColumnsPerVector * kColumnsPerVector),
      packed_(new std::int8_t[static_cast<std::size_t>(groups_ * padded_cols_ * 4)]),
      offsets_(static_cast<std::size_t>(padded_cols_)),
      x_(static_cast<std::size_t>(kRowsPerPass * groups_ * 4), 0x80) {
#if SYSTOLE_HAS_VNNI_KERNEL
  std::int8_t* const packed = packed_.get();
  if (col_stride == 1) {
    // Rows are contiguous: sixteen columns of four rows at a time.
    for (std::int64_t g = 0; g < groups_; ++g)
      for (int first = 0; first < padded_cols_; first += kColumnsPerVector) {
        const int count = std::min(kColumnsPerVector, cols - first);
        __m128i four[4];
        for (int i = 0; i < 4; ++i) {
          const std::int64_t row = 4 * g + i;
          const std::int8_t* source = block + row * row_stride + first;
          if (row >= rows) {
            four[i] = _mm_setzero_si128();
          } else if (count == kColumnsPerVector) {
            four[i] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(source));
          } else {
            alignas(16) std::int8_t piece[kColumnsPerVector] = {};
            std::memcpy(piece, source, static_cast<std::size_t>(count));
            four[i] = _mm_load_si128(reinterpret_cast<const __m128i*>(piece));
          }
        }
        pack_group(four, packed + (g * padded_cols_ + first) * 4);
      }
  } else {
    // A column's four rows of a group are one packed word. Where columns
    // are contiguous (the weights of a linear layer, read down their input
    // index), four columns' words of four groups transpose as a 4 × 4 block
    // of words; the rest, and other layouts, are packed byte by byte.
    const int tiled_cols = row_stride == 1 ? cols / 4 * 4 : 0;
    const std::int64_t tiled_groups = row_stride == 1 ? rows / 16 * 4 : 0;
    for (int c = 0; c < tiled_cols; c += 4)
      for (std::int64_t g = 0; g < tiled_groups; g += 4) {
        __m128i words[4];  // groups g .. g + 3 of column c + k
        for (int k = 0; k < 4; ++k)
          words[k] = _mm_loadu_si128(reinterpret_cast<const __m128i*>(block + (c + k) * col_stride + 4 * g));
        const __m128i low01 = _mm_unpacklo_epi32(words[0], words[1]), high01 = _mm_unpackhi_epi32(words[0], words[1]);
        const __m128i low23 = _mm_unpacklo_epi32(words[2], words[3]), high23 = _mm_unpackhi_epi32(words[2], words[3]);
        const __m128i by_group[4] = {_mm_unpacklo_epi64(low01, low23), _mm_unpackhi_epi64(low01, low23),
                                     _mm_unpacklo_epi64(high01, high23), _mm_unpackhi_epi64(high01, high23)};
        for (int j = 0; j < 4; ++j)
          _mm_storeu_si128(reinterpret_cast<__m128i*>(packed + ((g + j) * padded_cols_ + c) * 4), by_group[j]);
      }
    for (int c = 0; c < padded_cols_; ++c)
      for (std::int64_t g = c < tiled_cols ? tiled_groups : 0; g < groups_; ++g)
        for (std::int64_t i = 0; i < 4; ++i) {
          const std::int64_t row = 4 * g + i;
          packed[(g * padded_cols_ + c) * 4 + i] =
              c < cols && row < rows ? block[row * row_stride + c * col_stride] : std::int8_t{0};
        }
  }
  // Σ_s w(s, c) is the kernel's sum for x + 128 = 1 with no offset; times
  // 128 modulo 2³², as the sums wrap.
  const std::vector<std::uint8_t> ones(static_cast<std::size_t>(groups_ * 4), 1);
  dot_products(packed_.get(), groups_, padded_cols_, ones.data(), 0, 1, offsets_.data(), offsets_.data(), 0,
               padded_cols_);
  for (std::int32_t& offset : offsets_)
    offset = static_cast<std::int32_t>(static_cast<std::uint32_t>(offset) * 128u);
#else
  (void)block;
  (void)row_stride;
  (void)col_stride;
  throw std::logic_error("Int8DotBlock: this build has no VNNI kernel");
#endif
}

void Int8DotBlock::products(const std::int8_t* x, std::int64_t x_stride, int count, std::int32_t* sums,
                            std::int64_t sums_stride) {
#if SYSTOLE_HAS_VNNI_KERNEL
  const std::int64_t padded_rows = groups_ * 4;
  std::uint8_t* __restrict shifted = x_.data();
  const std::int64_t rows = rows_;  // held apart: a byte store may alias the member
  for (int r = 0; r < count; ++r)
    for (std::int64_t s = 0; s < rows; ++s)
      shifted[r * padded_rows + s] = static_cast<std::uint8_t>(x[r * x_stride + s]) ^ 0x80;
  dot_products(packed_.get(), groups_, padded_cols_, x_.data(), padded_rows, count, offsets_.data(), sums,
               sums_stride, cols_);
#else
  (void)x;
  (void)x_stride;
  (void)count;
  (void)sums;
  (void)sums_stride;
#endif
}

void Int8DotBlock::find_zeros(std::vector<std::int64_t>& begin, std::vector<int>& columns) const {
#if SYSTOLE_HAS_VNNI_KERNEL
  find_packed_zeros(packed_.get(), rows_, cols_, padded_cols_, begin, columns);
#else
  (void)begin;
  (void)columns;
#endif
}

}  // namespace systole
