#include "models/row_stationary/rs_tile_plan.hpp"

#include <algorithm>

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

RsPassTiles rs_pass_tiles(const RsConv& conv, const RsPass& pass) {
  RsPassTiles t;
  std::int64_t filters = 0;
  for (const RsUnit& unit : pass.units) filters += unit.filters;
  t.filter_values = filters * pass.filter_rows * pass.channels * conv.filter_w;
  t.ifmap_values = static_cast<std::int64_t>(rs_pass_groups(pass).size()) * pass.images * pass.channels *
                   static_cast<std::int64_t>(rs_pass_input_rows(conv, pass).size()) *
                   static_cast<std::int64_t>(rs_input_columns(conv).size());
  t.output_values = filters * pass.images * pass.out_rows * conv.out_w;
  return t;
}

std::int64_t rs_filter_values(const RsConv& conv) {
  return std::int64_t{conv.groups} * conv.filters * conv.channels * conv.filter_h * conv.filter_w;
}

std::int64_t rs_ifmap_values(const RsConv& conv) {
  return std::int64_t{conv.batch} * conv.in_h * conv.in_w * conv.groups * conv.channels;
}

TilingChoice rs_tiling(const BufferPartition& buffer, const RsConv& conv, int operand_bits) {
  TilingChoice choice;
  choice.resident[index(Operand::Filter)] =
      packed_bytes(rs_filter_values(conv), operand_bits) <= buffer.capacity(Operand::Filter) / 2;
  choice.resident[index(Operand::Ifmap)] =
      packed_bytes(rs_ifmap_values(conv), operand_bits) <= buffer.capacity(Operand::Ifmap) / 2;
  return choice;
}

TilePlan plan_rs_tiles(const RsConv& conv, const std::vector<RsPass>& passes, TilingChoice choice, int operand_bits,
                       int accumulator_bits) {
  const auto op = [&](std::int64_t values) { return packed_bytes(values, operand_bits); };
  const auto acc = [&](std::int64_t values) { return packed_bytes(values, accumulator_bits); };
  const std::size_t last_pass = passes.empty() ? 0 : passes.size() - 1;
  TilePlan plan;
  plan.folds.reserve(passes.size());
  for (std::size_t g = 0; g < passes.size(); ++g) {
    const RsPass& pass = passes[g];
    const RsPassTiles tiles = rs_pass_tiles(conv, pass);
    FoldTransfers p;
    const auto add_read = [&](Operand operand, std::int64_t tile, std::int64_t total) {
      const bool resident = choice.resident[index(operand)];
      p.tile_bytes[index(operand)] = op(resident ? total : tile);
      p.array_reads[index(operand)] += op(tile);
      const std::int64_t values = resident ? (g == 0 ? total : 0) : tile;
      if (values > 0) p.reads.push_back({operand, op(values), values, resident ? last_pass : g, -1});
    };
    add_read(Operand::Filter, tiles.filter_values, rs_filter_values(conv));
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
