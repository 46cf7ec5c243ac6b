#include "sim/edge_rates.hpp"

#include <algorithm>

namespace systole {

namespace {

// Words per cycle a path carries (0: unlimited) and what limits it.
struct Path {
  std::int64_t width = 0;
  RateLimit limit = RateLimit::Noc;
};

Path path(int noc_words, std::int64_t buffer_values) {
  if (buffer_values != 0 && (noc_words == 0 || buffer_values < noc_words)) return {buffer_values, RateLimit::Buffer};
  return {noc_words, RateLimit::Noc};
}

// Cycles per group of `words` words.
int spacing(std::int64_t words, const Path& p) {
  return p.width == 0 || words <= p.width ? 1 : static_cast<int>((words + p.width - 1) / p.width);
}

}  // namespace

std::vector<FoldRateLimits> apply_edge_rates(const ArchConfig& arch, Mapping& mapping) {
  const int operand = operand_bytes(arch.array.data_type);
  const int accumulator = accumulator_bytes(arch.array.data_type);
  const Path left = path(arch.noc.left_words, arch.buffer.read_values_per_cycle(operand));
  const Path top = path(arch.noc.top_words, arch.buffer.read_values_per_cycle(operand));
  // Results that add to partial sums already in the ofmap partition (a K
  // fold after the first, an OS reduction chunk after the first) are a
  // read-modify-write there: a read port and a write port per value.
  const Path fresh = path(arch.noc.out_words, arch.buffer.write_values_per_cycle(accumulator));
  const Path accumulating =
      path(arch.noc.out_words, std::min(arch.buffer.write_values_per_cycle(accumulator),
                                        arch.buffer.read_values_per_cycle(accumulator)));
  std::vector<FoldRateLimits> limits(mapping.folds.size());
  bool any_accumulates = false;
  for (std::size_t g = 0; g < mapping.folds.size(); ++g) {
    Fold& fold = mapping.folds[g];
    const bool accumulates =
        mapping.mode == ArrayMode::Stationary ? fold.row_offset > 0 : fold.stream_offset > 0;
    any_accumulates |= accumulates;
    const Path& out = accumulates ? accumulating : fresh;
    const int by_left = spacing(fold.rows_used, left);
    if (mapping.mode == ArrayMode::Stationary) {
      const int by_out = spacing(fold.cols_used, out);
      fold.stream_spacing = std::max(by_left, by_out);
      limits[g].stream = by_out > by_left ? out.limit : left.limit;
      fold.load_spacing = spacing(arch.array.cols, top);
      limits[g].load_or_drain = top.limit;
    } else {
      const int by_top = spacing(fold.cols_used, top);
      fold.stream_spacing = std::max(by_left, by_top);
      limits[g].stream = by_top > by_left ? top.limit : left.limit;
      // Column c sends row r at s + last + c + q·r: the results leaving
      // together are at most rows_used, and at most ceil(cols_used / q).
      const bool fits = out.width == 0 || std::min(fold.rows_used, fold.cols_used) <= out.width;
      fold.drain_spacing = fits ? 1 : static_cast<int>((fold.cols_used + out.width - 1) / out.width);
      limits[g].load_or_drain = out.limit;
    }
  }
  // The schedule keeps overlapping folds within the narrower out path.
  mapping.widths = {left.width, mapping.mode == ArrayMode::OutputStationary ? top.width : 0,
                    any_accumulates ? accumulating.width : fresh.width};
  return limits;
}

}  // namespace systole
