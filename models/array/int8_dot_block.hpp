#pragma once
// The fold engine's int8 inner loop on AVX-512 VNNI, where the CPU has it:
// for each output row x, sums[c] = x[0]·w(0, c) + x[1]·w(1, c) + … over a
// block w of int8 weights, in int32.
//
// A PE adds its int8 products one at a time; VNNI's vpdpbusd adds four at a
// time. Integer addition wraps modulo 2³² whatever its order, so the sums are
// the PEs' bit for bit (tests/test_engines.cpp compares them with the cycle
// engine's). vpdpbusd multiplies unsigned by signed bytes: x is fed as
// x + 128, and 128·Σ w(s, c) taken off each column.
//
// The block is packed once per fold (once for the folds that share it:
// models/array/fold_evaluation.hpp), four rows interleaved per column
// (vpdpbusd's operand layout), rows and columns padded with zero weights.
// Output rows go through it a few at a time, so that each vector of
// weights the kernel loads serves all of them.

#include <cstdint>
#include <memory>
#include <vector>

namespace systole {

class Int8DotBlock {
 public:
  // Whether this CPU runs the packed kernel; elsewhere the fold engine keeps
  // its portable loop.
  static bool supported();

  // Packs a rows × cols block, element (s, c) at block[s·row_stride +
  // c·col_stride].
  Int8DotBlock(const std::int8_t* block, std::int64_t row_stride, std::int64_t col_stride, std::int64_t rows,
               int cols);

  // Rows of x at once: each weight the kernel loads serves them all.
  static constexpr int kRowsPerPass = 4;

  // For each of `count` (1 to kRowsPerPass) rows of x, the first at x and
  // the next x_stride further, its sums[r·sums_stride + c] for c in [0,
  // cols), of its elements [0 .. rows).
  void products(const std::int8_t* x, std::int64_t x_stride, int count, std::int32_t* sums,
                std::int64_t sums_stride);

  // The block's zero weights, row by row: row s's columns, in order, are
  // columns[begin[s] .. begin[s + 1]). Found in the packed copy, which the
  // core's caches hold, rather than in the operand, which they may not.
  void find_zeros(std::vector<std::int64_t>& begin, std::vector<int>& columns) const;

  // What the packed block holds, its padding included.
  std::int64_t bytes() const {
    return groups_ * 4 * padded_cols_ + static_cast<std::int64_t>(offsets_.size() * sizeof(offsets_[0]) + x_.size());
  }

 private:
  std::int64_t rows_;
  std::int64_t groups_;  // of four rows
  int cols_;
  int padded_cols_;                    // a multiple of 16: one vector of int32 sums
  // w(4g + i, c) at ((g·padded_cols + c)·4 + i); packing writes every byte,
  // so it is not zeroed first.
  std::unique_ptr<std::int8_t[]> packed_;
  std::vector<std::int32_t> offsets_;  // 128·Σ_s w(s, c), per padded column
  std::vector<std::uint8_t> x_;        // rows of x + 128, each padded to whole groups
};

}  // namespace systole
