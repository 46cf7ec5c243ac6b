#pragma once
// What the PE grid computes for one fold, evaluated at once instead of
// cycle by cycle (the fold engine, `systole run --engine fold`).
//
// Once a fold is issued its stream start is fixed, and so is every MAC of
// it: operand m (stationary mode) or reduction element e (output
// stationary) meets PE (r, c) at stream_start + m·spacing + r + c, and
// nothing else ever reaches the sums the fold's PEs build. So the results
// that leave the array are sums in a known order, and the MACs each cycle
// gates are counts over the fold's zero operands:
// - stationary: a partial sum leaving column c for operand m is
//   0 + x(m,0)·w(0,c) + x(m,1)·w(1,c) + … down the used rows, in row order;
// - output stationary: PE (r, c)'s accumulator is
//   0 + x(r,0)·y(0,c) + x(r,1)·y(1,c) + … over the stream, in stream order;
// each product widened and added exactly as the PE's kernel does
// (models/array/pe_arithmetic.hpp), so fp32 sums round identically.
//
// The results are added to the GEMM's output when the fold is evaluated,
// not when they leave the array: nothing reads the output while a program
// runs, and each output adds its folds' results in the order the folds are
// issued, which is the order their results leave (a later fold's stream
// starts later). What it abstracts away: every register in between; a run
// that traces PE registers ticks the grid only around its window
// (models/array/array_controller.hpp).
//
// `tests/test_engines.cpp` checks, run by run, that every output equals the
// cycle engine's byte for byte.

#include <cstdint>
#include <map>
#include <memory>
#include <tuple>
#include <vector>

#include "models/array/array_program.hpp"

namespace systole {

// A fold's block of the operand its outputs share (the stationary block, or
// an OS fold's chunk of Rt), made ready for the products: copied or packed
// for the kernel, its zeros found.
template <class Op>
struct PreparedBlock;

// The blocks of a program that more than one fold evaluates, each prepared
// once and kept until the last of those folds is evaluated. With DRAM the
// buffer's tiles split the stream: each tile of L's rows passes every block
// of weights again, and preparing a block costs about as much as the
// products of a short fold. Blocks are held up to a budget, so a run's
// memory stays bounded by its tensors plus that budget; past it, a fold
// prepares its block again.
template <class Op>
class SharedBlocks {
 public:
  static constexpr std::int64_t kDefaultBudgetBytes = std::int64_t{64} << 20;
  SharedBlocks(ArrayMode mode, const std::vector<Fold>& folds, std::int64_t budget_bytes = kDefaultBudgetBytes);

  // The block `fold` evaluates, if an earlier fold prepared it and it was
  // kept; the last fold to use a block lets it go.
  std::shared_ptr<PreparedBlock<Op>> take(const Fold& fold);
  // The block `fold` just prepared, kept if a later fold uses it too and
  // the budget allows.
  void keep(const Fold& fold, std::shared_ptr<PreparedBlock<Op>> block);
  std::int64_t held_bytes() const { return held_bytes_; }

 private:
  using Key = std::tuple<int, std::int64_t, std::int64_t, std::int64_t, int>;  // gemm, shared index, col, count, cols
  Key key(const Fold& fold) const;
  struct Uses {
    std::int64_t left = 0;  // folds still to evaluate it
    std::shared_ptr<PreparedBlock<Op>> block;
  };
  ArrayMode mode_;
  std::int64_t budget_bytes_, held_bytes_ = 0;
  std::map<Key, Uses> uses_;  // only of blocks more than one fold uses, until the last
};

template <class Op, class Acc>
class FoldEvaluation {
 public:
  // Evaluates `fold` of `operands` and adds its results to operands.out,
  // with the program's `shared` blocks if given.
  FoldEvaluation(ArrayMode mode, const Fold& fold, const GemmOperands<Op, Acc>& operands,
                 SharedBlocks<Op>* shared = nullptr);

  // MACs with a zero operand in the cycle `offset` cycles after the fold's
  // stream start.
  std::uint32_t gated_macs(std::int64_t offset) const {
    return offset >= 0 && offset < static_cast<std::int64_t>(gated_.size()) ? gated_[static_cast<std::size_t>(offset)]
                                                                              : 0;
  }

 private:
  // Both modes are one computation: outputs o (a row each), each the sum
  // over a shared index s, in order, of x_o(s) times row s of a block.
  // The fold's MACs pair them in cycle o·outputs.step + s·shared.step + c.
  struct Shared {  // the block: element (s, c) at values[s·row_stride + c·col_stride]
    const Op* values;
    std::int64_t row_stride, col_stride, count, step;
  };
  struct Outputs {  // x_o(s) at values[o·row_stride + s]
    const Op* values;
    std::int64_t row_stride, count, step;
  };
  void evaluate(const Shared& shared, const Outputs& outputs, Acc* out, std::int64_t out_ld, int cols,
                PreparedBlock<Op>& block);

  std::vector<std::uint32_t> gated_;  // by offset; empty when no operand of the fold is zero
};

}  // namespace systole
