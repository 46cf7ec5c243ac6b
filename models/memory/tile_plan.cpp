#include "models/memory/tile_plan.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace systole {

double busiest_bank_bytes(const MemoryTraffic& totals, const BufferPartition& buffer) {
  double busiest = 0;
  for (int o = 0; o < kOperands; ++o)
    busiest = std::max(busiest, static_cast<double>(totals.buffer_read_bytes[o] + totals.buffer_write_bytes[o]) /
                                    buffer.banks[o]);
  return busiest;
}

namespace {
int index(Operand operand) { return static_cast<int>(operand); }
}  // namespace

GemmExtent gemm_extent(const std::vector<Fold>& folds) {
  GemmExtent e;
  for (const Fold& f : folds) {
    e.rows = std::max(e.rows, f.row_offset + f.rows_used);
    e.cols = std::max(e.cols, f.col_offset + f.cols_used);
    e.stream = std::max(e.stream, f.stream_offset + f.stream_length);
  }
  return e;
}

namespace {

// Values of the left and top operands' whole matrices.
std::pair<std::int64_t, std::int64_t> matrix_values(ArrayMode mode, GemmExtent e) {
  if (mode == ArrayMode::Stationary) return {e.stream * e.rows, e.rows * e.cols};
  return {e.rows * e.stream, e.stream * e.cols};
}

}  // namespace

TilingChoice choose_tiling(const BufferPartition& buffer, ArrayMode mode, GemmExtent extent, OperandRoles roles,
                           int operand_bits, int accumulator_bits) {
  TilingChoice choice;
  const auto [left, top] = matrix_values(mode, extent);
  choice.resident[index(roles.left)] = packed_bytes(left, operand_bits) <= buffer.capacity(roles.left) / 2;
  choice.resident[index(roles.top)] = packed_bytes(top, operand_bits) <= buffer.capacity(roles.top) / 2;
  choice.spill = mode == ArrayMode::OutputStationary &&
                 packed_bytes(extent.rows * extent.cols, accumulator_bits) > buffer.capacity(Operand::Ofmap) / 2;
  return choice;
}

TilePlan plan_tiles(const BufferPartition& buffer, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bits, int accumulator_bits) {
  const TilingChoice choice = choose_tiling(buffer, mode, gemm_extent(folds), roles, operand_bits, accumulator_bits);
  return plan_tiles(choice, mode, folds, roles, operand_bits, accumulator_bits);
}

TilePlan plan_tiles(TilingChoice choice, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bits, int accumulator_bits) {
  TilePlan result;
  result.folds.reserve(folds.size());
  const GemmExtent e = gemm_extent(folds);
  std::vector<std::size_t> last_fold;  // of each GEMM
  for (std::size_t g = 0; g < folds.size(); ++g) {
    if (static_cast<std::size_t>(folds[g].gemm) >= last_fold.size()) last_fold.resize(folds[g].gemm + 1);
    last_fold[folds[g].gemm] = g;
  }
  // OS: the folds of each output block, one per reduction chunk, in order.
  std::map<std::tuple<int, std::int64_t, std::int64_t>, std::vector<std::size_t>> block_folds;
  if (mode == ArrayMode::OutputStationary)
    for (std::size_t g = 0; g < folds.size(); ++g)
      block_folds[{folds[g].gemm, folds[g].row_offset, folds[g].col_offset}].push_back(g);
  std::map<std::tuple<int, std::int64_t, std::int64_t>, std::int64_t> block_id;
  std::int64_t largest_block = 0;  // outputs
  for (const Fold& f : folds) largest_block = std::max<std::int64_t>(largest_block, f.rows_used * f.cols_used);
  for (const auto& entry : block_folds) block_id.emplace(entry.first, static_cast<std::int64_t>(block_id.size()));
  // The bytes n operands or partial sums take (operands narrower than a
  // byte packed, per tile: a tile is a block of the matrix DRAM holds).
  const auto op = [&](std::int64_t values) { return packed_bytes(values, operand_bits); };
  const auto acc = [&](std::int64_t values) { return packed_bytes(values, accumulator_bits); };
  const auto [left_total, top_total] = matrix_values(mode, e);
  int previous_gemm = -1;
  for (std::size_t g = 0; g < folds.size(); ++g) {
    const Fold& f = folds[g];
    const bool first_of_gemm = f.gemm != previous_gemm;
    previous_gemm = f.gemm;
    const std::int64_t ru = f.rows_used, cu = f.cols_used, t = f.stream_length;
    FoldTransfers p;
    // Stationary: the stationary block of Rt, and the K slice of the chunk's
    // streamed rows. OS: the M block of L and the N block of Rt, over the
    // chunk of K. In values.
    const std::int64_t top_tile = mode == ArrayMode::Stationary ? ru * cu : t * cu;
    const std::int64_t left_tile = ru * t;
    auto add_read = [&](Operand operand, std::int64_t tile, std::int64_t total) {
      const bool resident = choice.resident[index(operand)];
      p.tile_bytes[index(operand)] = op(resident ? total : tile);
      p.array_reads[index(operand)] += op(tile);
      const std::int64_t values = resident ? (first_of_gemm ? total : 0) : tile;
      if (values > 0) p.reads.push_back({operand, op(values), values, resident ? last_fold[f.gemm] : g, -1});
    };
    add_read(roles.top, top_tile, top_total);
    add_read(roles.left, left_tile, left_total);
    if (mode == ArrayMode::Stationary) {
      // The column block's partial sums stay in the ofmap partition across its
      // K folds (the inner loop) and leave once, as final outputs.
      p.tile_bytes[index(Operand::Ofmap)] = acc(t * cu);
      if (f.row_offset == 0) p.output_block_bytes = acc(t * cu);
      if (f.accumulates(mode)) p.array_reads[index(Operand::Ofmap)] += acc(t * cu);  // added to its results
      if (f.row_offset + ru == e.rows) {
        p.write_bytes = op(t * cu);
        p.write_values = t * cu;
      }
    } else if (f.stream_length == e.stream) {
      // The whole reduction in one fold: its results leave as they are.
      p.tile_bytes[index(Operand::Ofmap)] = op(ru * cu);
      p.output_block_bytes = p.write_bytes = op(ru * cu);
      p.write_values = ru * cu;
      p.output_written_by = g;
    } else {
      // Reduction chunks, the outer loop: between a block's chunks its
      // partial sums wait on chip when every block's fit half the ofmap
      // partition, else in DRAM, read back by the block's next chunk.
      const std::vector<std::size_t>& chunks = block_folds[{f.gemm, f.row_offset, f.col_offset}];
      const std::size_t chunk = static_cast<std::size_t>(std::find(chunks.begin(), chunks.end(), g) - chunks.begin());
      const bool first = chunk == 0, last = chunk + 1 == chunks.size();
      const std::int64_t psums = acc(ru * cu);
      const std::int64_t psum_address = block_id[{f.gemm, f.row_offset, f.col_offset}] * acc(largest_block);
      p.tile_bytes[index(Operand::Ofmap)] = psums;
      if (!first) {
        p.array_reads[index(Operand::Ofmap)] += psums;  // added to this chunk's results
        if (choice.spill) {
          p.reads.push_back({Operand::Ofmap, psums, ru * cu, g, psum_address});
          p.reads_after_write_of = chunks[chunk - 1];
        }
      }
      if (last) {
        p.write_bytes = op(ru * cu);
        p.write_values = ru * cu;
      } else if (choice.spill) {
        p.write_bytes = psums;
        p.write_values = ru * cu;
        p.write_address = psum_address;
      }
      if (choice.spill || first) p.output_block_bytes = psums;
      p.output_written_by = choice.spill ? g : chunks.back();
    }
    result.folds.push_back(std::move(p));
  }
  if (mode == ArrayMode::Stationary) {
    // Each column block is freed by the write-back of its last K fold.
    std::size_t writer = result.folds.size();
    for (std::size_t g = result.folds.size(); g-- > 0;) {
      if (result.folds[g].write_bytes > 0) writer = g;
      result.folds[g].output_written_by = writer;
    }
  }
  return result;
}

std::array<std::int64_t, kOperands> TilePlan::largest_tiles() const {
  std::array<std::int64_t, kOperands> largest = {0, 0, 0};
  for (const FoldTransfers& p : folds)
    for (int o = 0; o < kOperands; ++o) largest[o] = std::max(largest[o], p.tile_bytes[o]);
  return largest;
}

std::string TilePlan::capacity_problem(const BufferPartition& buffer) const {
  for (const FoldTransfers& p : folds)
    for (Operand operand : {Operand::Ifmap, Operand::Filter, Operand::Ofmap}) {
      const std::int64_t need = p.tile_bytes[index(operand)];
      if (need > buffer.capacity(operand) / 2)
        return "the " + to_string(operand) + " buffer (" + std::to_string(buffer.capacity(operand)) +
               " B) cannot hold two tiles of " + std::to_string(need) + " B (double buffered); it needs at least " +
               std::to_string((2 * need + 1023) / 1024) + " KB";
    }
  return {};
}

std::int64_t DramTraffic::bytes() const {
  std::int64_t bytes = 0;
  for (int o = 0; o < kOperands; ++o) bytes += read_bytes[o] + write_bytes[o];
  return bytes;
}

MemoryTraffic TilePlan::totals() const {
  MemoryTraffic t;
  const int ofmap = index(Operand::Ofmap);
  for (const FoldTransfers& p : folds) {
    for (const FoldTransfers::Tile& tile : p.reads) {
      t.dram.read_bytes[index(tile.operand)] += tile.bytes;
      t.buffer_write_bytes[index(tile.operand)] += tile.bytes;
    }
    for (int o = 0; o < kOperands; ++o) t.buffer_read_bytes[o] += p.array_reads[o];
    t.buffer_write_bytes[ofmap] += p.tile_bytes[ofmap];
    t.dram.write_bytes[ofmap] += p.write_bytes;
    t.buffer_read_bytes[ofmap] += p.write_bytes;
  }
  return t;
}

}  // namespace systole
