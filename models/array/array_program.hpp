#pragma once
// The work handed to the array: one or more independent GEMMs O = L · Rt,
// cut into folds that each fit the array. The array does not know about
// layers; sim/dataflow/gemm_dataflow.hpp decides which GEMM operand plays which role.
//
// Stationary mode (WS, IS): a fold keeps Rt[k0..k0+rows, n0..n0+cols) in the
// PEs, streams rows of L in from the left edge, and accumulates
// O[t][n0+c] at the bottom edge (partial sums over K folds add up there).
// Output-stationary mode (OS): a fold keeps O[m0..m0+rows, n0..n0+cols) in
// the PE accumulators, streams L rows in from the left and Rt columns in from
// the top, and writes each finished output out of its column.

#include <cstdint>
#include <vector>

#include "models/memory/buffer_config.hpp"

namespace systole {

enum class ArrayMode { Stationary, OutputStationary };

struct Fold {
  int gemm = 0;            // which GEMM of the program
  std::int64_t row_offset = 0;  // k0 (stationary) or m0 (OS)
  int rows_used = 0;
  std::int64_t col_offset = 0;  // n0
  int cols_used = 0;
  // The part of the stream this fold runs: rows [stream_offset,
  // stream_offset + stream_length) of L (stationary); in OS a chunk of the
  // reduction, whose partial results add to those of the chunks before.
  std::int64_t stream_offset = 0;
  std::int64_t stream_length = 0;
  // Cycles between consecutive stream elements at the edge: 1 when the
  // network-on-chip and the buffer deliver a full edge each cycle, more when
  // they are narrower.
  int stream_spacing = 1;
  // Stationary: cycles to write one stationary row (R rows per fold).
  int load_spacing = 1;
  // OS: cycles between the results one column port sends out.
  int drain_spacing = 1;
  // Cycles the edge is busy with this fold's stream, and the offset of its
  // last element.
  std::int64_t stream_cycles() const { return stream_length * stream_spacing; }
  // Whether its results add to partial sums already in the buffer (a K fold
  // after the first, an OS reduction chunk after the first): a
  // read-modify-write there.
  bool accumulates(ArrayMode mode) const {
    switch (mode) {  // no default: a new mode must say which folds accumulate
      case ArrayMode::Stationary: return row_offset > 0;
      case ArrayMode::OutputStationary: return stream_offset > 0;
    }
    return false;
  }
  std::int64_t last_element_offset() const { return (stream_length - 1) * stream_spacing; }
};

// Words per cycle of the paths between the buffer and the array (0:
// unlimited): into the left edge, into the top edge (OS), and out of the
// bottom edge (WS/IS) or the column ports (OS). The folds' spacings keep
// each fold within them; the schedule keeps overlapping folds within them.
struct PathWidths {
  std::int64_t left = 0;
  std::int64_t top = 0;
  std::int64_t out = 0;
};

template <class Op, class Acc>
struct GemmOperands {
  const Op* left = nullptr;   // L, row-major with leading dimension left_ld
  std::int64_t left_ld = 0;
  // Rt: element (k, n) at top[k * top_row_stride + n * top_col_stride], so a
  // transposed matrix needs no copy.
  const Op* top = nullptr;
  std::int64_t top_row_stride = 0;
  std::int64_t top_col_stride = 1;
  Acc* out = nullptr;         // O, row-major with leading dimension out_ld, zeroed
  std::int64_t out_ld = 0;
};

template <class Op, class Acc>
struct ArrayProgram {
  ArrayMode mode = ArrayMode::Stationary;
  OperandRoles roles;  // the buffer partitions the edges read from
  // One per GEMM the folds name; empty in a timing-only program, which
  // moves no values: every count that does not depend on them (cycles,
  // MACs, register and bus traffic) is the same, but no MAC is known to be
  // gated and there are no outputs.
  std::vector<GemmOperands<Op, Acc>> gemms;
  std::vector<Fold> folds;
  PathWidths widths;

  bool computes() const { return !gemms.empty(); }
};

}  // namespace systole
