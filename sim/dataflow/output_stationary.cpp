#include "sim/dataflow/output_stationary.hpp"

#include <algorithm>

namespace systole {

std::int64_t OutputStationary::max_stream(const ArchConfig& arch, const BufferPartition& buffer) const {
  // Reduction elements (R and C operands each) that half a partition holds,
  // counted in bits: narrow operands pack.
  const std::int64_t op = operand_bits(arch.array.data_type);
  const std::int64_t rows = arch.array.rows, cols = arch.array.cols;
  return std::max<std::int64_t>(1, std::min(8 * (buffer.capacity(roles().left) / 2) / (rows * op),
                                            8 * (buffer.capacity(roles().top) / 2) / (cols * op)));
}

FoldRateLimits OutputStationary::set_fold_rates(const EdgePaths& paths, int, Fold& fold) const {
  FoldRateLimits limits;
  const EdgePath& out = fold.accumulates(mode()) ? paths.accumulating : paths.fresh;
  const int by_left = spacing(fold.rows_used, paths.left);
  const int by_top = spacing(fold.cols_used, paths.top);
  fold.stream_spacing = std::max(by_left, by_top);
  limits.stream = by_top > by_left ? paths.top.limit : paths.left.limit;
  // Column c sends row r at s + last + c + q·r: the results leaving
  // together are at most rows_used, and at most ceil(cols_used / q).
  const bool fits = out.width == 0 || std::min(fold.rows_used, fold.cols_used) <= out.width;
  fold.drain_spacing = fits ? 1 : static_cast<int>((fold.cols_used + out.width - 1) / out.width);
  limits.load_or_drain = out.limit;
  return limits;
}

PathWidths OutputStationary::shared_path_widths(const EdgePaths& paths, bool any_accumulates) const {
  return {paths.left.width, paths.top.width, any_accumulates ? paths.accumulating.width : paths.fresh.width};
}

std::int64_t OutputStationary::fold_overhead_cycles(const ArrayConfig&, const Fold& fold) const {
  return std::int64_t{fold.rows_used} * fold.drain_spacing;
}

void OutputStationary::add_link_hops(Counters& counted, const Fold& fold, int) const {
  counted[Counter::LinkHopsHorizontal] += fold.stream_length * fold.rows_used * (fold.cols_used - 1);
  counted[Counter::LinkHopsVertical] += fold.stream_length * fold.cols_used * (fold.rows_used - 1);
}

PeStorage OutputStationary::pe_storage(const ArrayConfig& array, int psum_bits) const {
  return {2 * std::int64_t{operand_bits(array.data_type)} + psum_bits, 0};
}

PeTraceLayout OutputStationary::traced_pe(const ArrayConfig&) const {
  return {{PeRegister::Left, PeRegister::LeftValid, PeRegister::Top, PeRegister::TopValid, PeRegister::Accumulator},
          {}};
}

}  // namespace systole
