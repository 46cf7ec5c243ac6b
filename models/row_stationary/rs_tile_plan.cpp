#include "models/row_stationary/rs_tile_plan.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace systole {

namespace {
int index(Operand operand) { return static_cast<int>(operand); }

bool first_of_block(const RsPass& p) { return p.channel0 == 0 && p.filter_row0 == 0; }
bool last_of_block(const RsConv& conv, const RsPass& p) {
  return p.channel0 + p.channels == conv.channels && p.filter_row0 + p.filter_rows == conv.filter_h;
}
}  // namespace

std::vector<int> rs_pass_groups(const RsPass& pass) {
  std::vector<int> groups;
  for (const RsUnit& unit : pass.units)
    if (groups.empty() || groups.back() != unit.group) groups.push_back(unit.group);
  return groups;
}

std::vector<int> rs_pass_input_rows(const RsConv& conv, const RsPass& pass) {
  std::vector<int> rows;
  for (int i = 0; i < pass.filter_rows; ++i)
    for (int j = 0; j < pass.out_rows; ++j) {
      const int row = (pass.out_row0 + j) * conv.stride_h + (pass.filter_row0 + i) * conv.dilation_h - conv.pad_top;
      if (row >= 0 && row < conv.in_h) rows.push_back(row);
    }
  std::sort(rows.begin(), rows.end());
  rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
  return rows;
}

std::vector<int> rs_input_columns(const RsConv& conv) {
  std::vector<int> columns;
  for (int x : rs_window(conv).columns)
    if (x >= 0 && x < conv.in_w) columns.push_back(x);
  return columns;
}

namespace {
// The values one pass needs in the buffer.
struct RsPassTiles {
  std::int64_t filter_values = 0;
  std::int64_t ifmap_values = 0;
  std::int64_t output_values = 0;
};

// The tiles of every pass of a plan: the input columns are the same
// for all passes and the input rows repeat with each (output row, filter
// row) block, so both are counted once. The mapper plans every legal
// mapping, so this is on its path.
class PassTileSizer {
 public:
  explicit PassTileSizer(const RsConv& conv)
      : conv_(conv), columns_(static_cast<std::int64_t>(rs_input_columns(conv).size())) {}

  RsPassTiles tiles(const RsPass& pass) {
    RsPassTiles t;
    std::int64_t filters = 0, groups = 0;
    for (std::size_t u = 0; u < pass.units.size(); ++u) {
      filters += pass.units[u].filters;
      groups += u == 0 || pass.units[u].group != pass.units[u - 1].group;
    }
    auto [rows, fresh] = input_rows_.try_emplace({pass.out_row0, pass.filter_row0}, 0);
    if (fresh) rows->second = static_cast<std::int64_t>(rs_pass_input_rows(conv_, pass).size());
    t.filter_values = filters * pass.filter_rows * pass.channels * conv_.filter_w;
    t.ifmap_values = groups * pass.images * pass.channels * rows->second * columns_;
    t.output_values = filters * pass.images * pass.out_rows * conv_.out_w;
    return t;
  }

 private:
  const RsConv& conv_;
  std::int64_t columns_;
  std::map<std::pair<int, int>, std::int64_t> input_rows_;
};
}  // namespace

std::int64_t rs_filter_values(const RsConv& conv) {
  return std::int64_t{conv.groups} * conv.filters * conv.channels * conv.filter_h * conv.filter_w;
}

std::int64_t rs_ifmap_values(const RsConv& conv) {
  return std::int64_t{conv.batch} * conv.in_h * conv.in_w * conv.groups * conv.channels;
}

namespace {
bool same_units(const RsPass& a, const RsPass& b) {
  return a.units.front().group == b.units.front().group && a.units.front().filter0 == b.units.front().filter0;
}

std::int64_t unit_block_values(const RsConv& conv, const RsPass& pass) {
  std::int64_t filters = 0;
  for (const RsUnit& unit : pass.units) filters += unit.filters;
  return filters * conv.channels * conv.filter_h * conv.filter_w;
}
}  // namespace

std::int64_t rs_reused_unit_block_values(const RsConv& conv, const std::vector<RsPass>& passes) {
  std::int64_t largest = 0;
  bool reused = false;
  for (std::size_t g = 0; g < passes.size(); ++g) {
    largest = std::max(largest, unit_block_values(conv, passes[g]));
    reused |= g > 0 && same_units(passes[g - 1], passes[g]) && first_of_block(passes[g]);
  }
  return reused ? largest : 0;
}

RsTiling rs_tiling(const BufferPartition& buffer, const RsConv& conv, std::int64_t reused_unit_block_values,
                   int operand_bits) {
  RsTiling tiling;
  const std::int64_t half_filters = buffer.capacity(Operand::Filter) / 2;
  tiling.whole.resident[index(Operand::Filter)] = packed_bytes(rs_filter_values(conv), operand_bits) <= half_filters;
  tiling.whole.resident[index(Operand::Ifmap)] =
      packed_bytes(rs_ifmap_values(conv), operand_bits) <= buffer.capacity(Operand::Ifmap) / 2;
  tiling.unit_block_filters = !tiling.whole.resident[index(Operand::Filter)] && reused_unit_block_values > 0 &&
                              packed_bytes(reused_unit_block_values, operand_bits) <= half_filters;
  return tiling;
}

TilePlan plan_rs_tiles(const RsConv& conv, const std::vector<RsPass>& passes, RsTiling tiling, int operand_bits,
                       int accumulator_bits) {
  const auto op = [&](std::int64_t values) { return packed_bytes(values, operand_bits); };
  const auto acc = [&](std::int64_t values) { return packed_bytes(values, accumulator_bits); };
  const std::size_t last_pass = passes.empty() ? 0 : passes.size() - 1;
  // The last pass of each pass's block of units.
  std::vector<std::size_t> unit_block_end(passes.size());
  for (std::size_t g = passes.size(); g-- > 0;)
    unit_block_end[g] = g + 1 < passes.size() && same_units(passes[g], passes[g + 1]) ? unit_block_end[g + 1] : g;
  TilePlan plan;
  plan.folds.reserve(passes.size());
  PassTileSizer sizer(conv);
  for (std::size_t g = 0; g < passes.size(); ++g) {
    const RsPass& pass = passes[g];
    const RsPassTiles tiles = sizer.tiles(pass);
    FoldTransfers p;
    const auto add_read = [&](Operand operand, std::int64_t tile, std::int64_t total) {
      const bool resident = tiling.whole.resident[index(operand)];
      p.tile_bytes[index(operand)] = op(resident ? total : tile);
      p.array_reads[index(operand)] += op(tile);
      const std::int64_t values = resident ? (g == 0 ? total : 0) : tile;
      if (values > 0) p.reads.push_back({operand, op(values), values, resident ? last_pass : g, -1});
    };
    if (tiling.unit_block_filters) {
      const std::int64_t block = unit_block_values(conv, pass);
      p.tile_bytes[index(Operand::Filter)] = op(block);
      p.array_reads[index(Operand::Filter)] += op(tiles.filter_values);
      if (g == 0 || !same_units(passes[g - 1], pass))
        p.reads.push_back({Operand::Filter, op(block), block, unit_block_end[g], -1});
    } else {
      add_read(Operand::Filter, tiles.filter_values, rs_filter_values(conv));
    }
    add_read(Operand::Ifmap, tiles.ifmap_values, rs_ifmap_values(conv));
    const std::int64_t outputs = tiles.output_values;
    p.tile_bytes[index(Operand::Ofmap)] = acc(outputs);
    if (first_of_block(pass)) p.output_block_bytes = acc(outputs);
    if (pass.accumulates()) p.array_reads[index(Operand::Ofmap)] += acc(outputs);
    if (last_of_block(conv, pass)) {
      p.write_bytes = op(outputs);
      p.write_values = outputs;
    }
    plan.folds.push_back(std::move(p));
  }
  // A block's space is freed by the write-back of its last pass.
  std::size_t writer = plan.folds.size();
  for (std::size_t g = plan.folds.size(); g-- > 0;) {
    if (plan.folds[g].write_bytes > 0) writer = g;
    plan.folds[g].output_written_by = writer;
  }
  return plan;
}

}  // namespace systole
