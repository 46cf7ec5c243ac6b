#pragma once
// What the weight- and input-stationary dataflows share: the array's
// stationary mode (models/array/array_program.hpp). A fold's stationary
// operand is written into the PEs row by row over the top path, the other
// operand streams in at the left edge, and partial sums move down the
// columns and leave at the bottom edge into the ofmap partition, where the
// K folds of a column block add up.
//  - stream: one word per used edge row (left path) per element, and one
//    partial sum per used column out of the bottom edge (out path);
//  - stationary rows: a whole row of C words each (top path).
// The two differ only in which operand stays (sim/dataflow/weight_stationary.hpp,
// sim/dataflow/input_stationary.hpp).

#include "sim/dataflow/gemm_dataflow.hpp"

namespace systole {

class StationaryDataflow : public GemmDataflow {
 public:
  ArrayMode mode() const override { return ArrayMode::Stationary; }
  // A fold streams at most as many rows as half the streamed operand's
  // partition holds across the array, and half the ofmap partition holds as
  // partial sums.
  std::int64_t max_stream(const ArchConfig& arch, const BufferPartition& buffer) const override;
  FoldRateLimits set_fold_rates(const EdgePaths& paths, int array_cols, Fold& fold) const override;
  PathWidths shared_path_widths(const EdgePaths& paths, bool any_accumulates) const override;
  std::int64_t fold_overhead_cycles(const ArrayConfig& array, const Fold& fold) const override;
  // Each stream element in a used row crosses to the last used column; each
  // partial sum of a used column crosses R-1 links to the bottom edge.
  void add_link_hops(Counters& counted, const Fold& fold, int array_rows) const override;
  LinkPayload vertical_link_payload() const override { return LinkPayload::PartialSum; }
  // The stationary operand (two with the pipelined shadow copy), the moving
  // operand and the partial sum.
  PeStorage pe_storage(const ArrayConfig& array, int psum_bits) const override;
  PeTraceLayout traced_pe(const ArrayConfig& array) const override;
};

}  // namespace systole
