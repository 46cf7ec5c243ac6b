#include "sim/dataflow/stationary_dataflow.hpp"

#include <algorithm>

namespace systole {

std::int64_t StationaryDataflow::max_stream(const ArchConfig& arch, const BufferPartition& buffer) const {
  // Stream elements (R operands, C partial sums each) that half a partition
  // holds, counted in bits: narrow operands pack.
  const std::int64_t op = operand_bits(arch.array.data_type);
  const std::int64_t rows = arch.array.rows, cols = arch.array.cols;
  const std::int64_t psum_bits = cols * accumulator_bits(arch.array.data_type);
  return std::max<std::int64_t>(1, std::min(8 * (buffer.capacity(roles().left) / 2) / (rows * op),
                                            8 * (buffer.capacity(Operand::Ofmap) / 2) / psum_bits));
}

FoldRateLimits StationaryDataflow::set_fold_rates(const EdgePaths& paths, int array_cols, Fold& fold) const {
  FoldRateLimits limits;
  const EdgePath& out = fold.accumulates(mode()) ? paths.accumulating : paths.fresh;
  const int by_left = spacing(fold.rows_used, paths.left);
  const int by_out = spacing(fold.cols_used, out);
  fold.stream_spacing = std::max(by_left, by_out);
  limits.stream = by_out > by_left ? out.limit : paths.left.limit;
  fold.load_spacing = spacing(array_cols, paths.top);
  limits.load_or_drain = paths.top.limit;
  return limits;
}

PathWidths StationaryDataflow::shared_path_widths(const EdgePaths& paths, bool any_accumulates) const {
  return {paths.left.width, 0, any_accumulates ? paths.accumulating.width : paths.fresh.width};
}

std::int64_t StationaryDataflow::fold_overhead_cycles(const ArrayConfig& array, const Fold& fold) const {
  return std::int64_t{array.rows} * fold.load_spacing;
}

void StationaryDataflow::add_link_hops(Counters& counted, const Fold& fold, int array_rows) const {
  counted[Counter::LinkHopsHorizontal] += fold.stream_length * fold.rows_used * (fold.cols_used - 1);
  counted[Counter::LinkHopsVertical] += fold.stream_length * fold.cols_used * (array_rows - 1);
}

PeStorage StationaryDataflow::pe_storage(const ArrayConfig& array, int psum_bits) const {
  const std::int64_t stationary_copies = array.microarch == Microarch::Pipelined ? 2 : 1;
  return {(stationary_copies + 1) * operand_bits(array.data_type) + psum_bits, 0};
}

PeTraceLayout StationaryDataflow::traced_pe(const ArrayConfig& array) const {
  if (array.microarch == Microarch::Pipelined)
    return {{PeRegister::Left, PeRegister::LeftValid, PeRegister::Stationary0, PeRegister::Stationary1,
             PeRegister::PartialSum},
            {}};
  return {{PeRegister::Left, PeRegister::LeftValid, PeRegister::Stationary0, PeRegister::PartialSum}, {}};
}

}  // namespace systole
