#pragma once
// Output stationary (OS): a fold keeps an M×N block of the outputs in the
// PE accumulators, streams the lowered input in at the left edge and the
// filters in at the top edge over the reduction, and each column's output
// port then sends the column's finished outputs: Sr = M, Sc = N, T = K.
//  - stream: one word per used row (left path) and one per used column (top
//    path) per element;
//  - results: column ports send one result each per drain_spacing cycles,
//    so that at most the out path's width leave together.
// With the DRAM model a reduction chunk's row and column blocks must fit
// half their partitions; chunks after the first add to partial sums.

#include "sim/dataflow/gemm_dataflow.hpp"

namespace systole {

class OutputStationary final : public GemmDataflow {
 public:
  ArrayMode mode() const override { return ArrayMode::OutputStationary; }
  GemmExtent extent(const GemmShape& gemm) const override { return {gemm.m, gemm.n, gemm.k}; }
  OperandRoles roles() const override { return {Operand::Ifmap, Operand::Filter}; }
  std::int64_t max_stream(const ArchConfig& arch, const BufferPartition& buffer) const override;
  FoldRateLimits set_fold_rates(const EdgePaths& paths, int array_cols, Fold& fold) const override;
  PathWidths shared_path_widths(const EdgePaths& paths, bool any_accumulates) const override;
  std::int64_t fold_overhead_cycles(const ArrayConfig& array, const Fold& fold) const override;
  // Each left operand in a used row crosses to the last used column, each
  // top operand of a used column to the last used row.
  void add_link_hops(Counters& counted, const Fold& fold, int array_rows) const override;
  LinkPayload vertical_link_payload() const override { return LinkPayload::Operand; }
  // Two moving operands and the accumulator.
  PeStorage pe_storage(const ArrayConfig& array, int psum_bits) const override;
  PeTraceLayout traced_pe(const ArrayConfig& array) const override;
};

}  // namespace systole
