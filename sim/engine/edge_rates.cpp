#include "sim/engine/edge_rates.hpp"

#include <algorithm>

#include "models/memory/memory_controller.hpp"

namespace systole {

namespace {

EdgePath path(int noc_words, std::int64_t buffer_values) {
  if (buffer_values != 0 && (noc_words == 0 || buffer_values < noc_words)) return {buffer_values, RateLimit::Buffer};
  return {noc_words, RateLimit::Noc};
}

// Cycles per group of `words` words.
int spacing(std::int64_t words, const EdgePath& p) {
  return p.width == 0 || words <= p.width ? 1 : static_cast<int>((words + p.width - 1) / p.width);
}

}  // namespace

EdgePaths edge_paths(const ArchConfig& arch, const BufferPartition& buffer) {
  const int operand = operand_bytes(arch.array.data_type);
  const int accumulator = accumulator_bytes(arch.array.data_type);
  const OperandRoles roles = operand_roles(arch.array.dataflow);
  EdgePaths paths;
  paths.left = path(arch.noc.left_words, buffer.read_values_per_cycle(roles.left, operand));
  paths.top = path(arch.noc.top_words, buffer.read_values_per_cycle(roles.top, operand));
  // Results that add to partial sums already in the ofmap partition are a
  // read-modify-write there: a read port and a write port per value.
  paths.fresh = path(arch.noc.out_words, buffer.write_values_per_cycle(Operand::Ofmap, accumulator));
  paths.accumulating =
      path(arch.noc.out_words, std::min(buffer.write_values_per_cycle(Operand::Ofmap, accumulator),
                                        buffer.read_values_per_cycle(Operand::Ofmap, accumulator)));
  return paths;
}

FoldRateLimits set_fold_rates(const EdgePaths& paths, ArrayMode mode, int array_cols, Fold& fold) {
  FoldRateLimits limits;
  const EdgePath& out = fold.accumulates(mode) ? paths.accumulating : paths.fresh;
  const int by_left = spacing(fold.rows_used, paths.left);
  if (mode == ArrayMode::Stationary) {
    const int by_out = spacing(fold.cols_used, out);
    fold.stream_spacing = std::max(by_left, by_out);
    limits.stream = by_out > by_left ? out.limit : paths.left.limit;
    fold.load_spacing = spacing(array_cols, paths.top);
    limits.load_or_drain = paths.top.limit;
  } else {
    const int by_top = spacing(fold.cols_used, paths.top);
    fold.stream_spacing = std::max(by_left, by_top);
    limits.stream = by_top > by_left ? paths.top.limit : paths.left.limit;
    // Column c sends row r at s + last + c + q·r: the results leaving
    // together are at most rows_used, and at most ceil(cols_used / q).
    const bool fits = out.width == 0 || std::min(fold.rows_used, fold.cols_used) <= out.width;
    fold.drain_spacing = fits ? 1 : static_cast<int>((fold.cols_used + out.width - 1) / out.width);
    limits.load_or_drain = out.limit;
  }
  return limits;
}

std::vector<FoldRateLimits> apply_edge_rates(const ArchConfig& arch, const BufferPartition& buffer,
                                             Mapping& mapping) {
  const EdgePaths paths = edge_paths(arch, buffer);
  std::vector<FoldRateLimits> limits(mapping.folds.size());
  bool any_accumulates = false;
  for (std::size_t g = 0; g < mapping.folds.size(); ++g) {
    any_accumulates |= mapping.folds[g].accumulates(mapping.mode);
    limits[g] = set_fold_rates(paths, mapping.mode, arch.array.cols, mapping.folds[g]);
  }
  // The schedule keeps overlapping folds within the narrower out path.
  mapping.widths = {paths.left.width, mapping.mode == ArrayMode::OutputStationary ? paths.top.width : 0,
                    any_accumulates ? paths.accumulating.width : paths.fresh.width};
  return limits;
}

}  // namespace systole
