#include "models/fold_memory.hpp"

#include <algorithm>
#include <map>

namespace systole {

namespace {
int index(Operand operand) { return static_cast<int>(operand); }
}  // namespace

std::int64_t FoldMemory::region_base(Operand operand, std::int64_t dram_capacity_bytes) {
  // Thirds of the address space, aligned to 1 MiB so regions start on row
  // boundaries.
  const std::int64_t third = dram_capacity_bytes / kOperands / (1 << 20) * (1 << 20);
  return index(operand) * third;
}

FoldMemory::FoldMemory(DramSystem& dram, FoldMemoryPlan plan, std::int64_t start_fs, std::int64_t period_fs)
    : dram_(dram),
      start_fs_(start_fs),
      period_fs_(period_fs),
      plans_(std::move(plan.folds)),
      read_transfers_(plans_.size()),
      write_transfers_(plans_.size()),
      reads_issued_(plans_.size()),
      started_(plans_.size()),
      finished_(plans_.size()) {
  for (int o = 0; o < kOperands; ++o) next_address_[o] = region_base(static_cast<Operand>(o), dram.capacity_bytes());
  dram_.advance_to(start_fs);
  if (!plans_.empty()) issue_reads(0);
}

FoldMemoryPlan plan_fold_memory(const GlobalBufferConfig& buffer, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bytes, int accumulator_bytes) {
  FoldMemoryPlan result;
  // Extents of each GEMM's operands, from the folds that cover them: rows
  // and columns of the fold grid, and the stream length.
  struct Extent {
    std::int64_t rows = 0, cols = 0, stream = 0;
  };
  std::map<int, Extent> extent;
  for (const Fold& f : folds) {
    Extent& e = extent[f.gemm];
    e.rows = std::max(e.rows, f.row_offset + f.rows_used);
    e.cols = std::max(e.cols, f.col_offset + f.cols_used);
    e.stream = std::max(e.stream, f.stream_offset + f.stream_length);
  }
  std::map<int, std::size_t> last_fold;
  for (std::size_t g = 0; g < folds.size(); ++g) last_fold[folds[g].gemm] = g;
  const std::int64_t op = operand_bytes, acc = accumulator_bytes;
  int previous_gemm = -1;
  for (std::size_t g = 0; g < folds.size(); ++g) {
    const Fold& f = folds[g];
    const bool first_of_gemm = f.gemm != previous_gemm;
    previous_gemm = f.gemm;
    const Extent& e = extent[f.gemm];
    const std::int64_t grid_rows = e.rows, grid_cols = e.cols;
    const std::int64_t ru = f.rows_used, cu = f.cols_used, t = f.stream_length;
    FoldTransfers p;
    // Per role: the fold's own tile and the whole matrix.
    std::int64_t left_tile, left_total, top_tile, top_total;
    if (mode == ArrayMode::Stationary) {
      top_tile = ru * cu * op;              // stationary block of Rt
      top_total = grid_rows * grid_cols * op;
      left_tile = t * ru * op;               // the K slice of the chunk's streamed rows
      left_total = e.stream * grid_rows * op;
    } else {
      left_tile = ru * t * op;               // M block of L, all of K
      left_total = grid_rows * t * op;
      top_tile = t * cu * op;                // N block of Rt
      top_total = t * grid_cols * op;
    }
    auto add_read = [&](Operand operand, std::int64_t tile, std::int64_t total) {
      const bool resident = total <= buffer.capacity(operand) / 2;
      p.tile_bytes[index(operand)] = resident ? total : tile;
      p.array_reads[index(operand)] += tile;
      const std::int64_t bytes = resident ? (first_of_gemm ? total : 0) : tile;
      if (bytes > 0) p.reads.push_back({operand, bytes, resident ? last_fold[f.gemm] : g});
    };
    add_read(roles.top, top_tile, top_total);
    add_read(roles.left, left_tile, left_total);
    if (mode == ArrayMode::Stationary) {
      // The column block's partial sums stay in the ofmap partition across its
      // K folds (the inner loop) and leave once, as final outputs.
      p.tile_bytes[index(Operand::Ofmap)] = t * cu * acc;
      if (f.row_offset == 0) p.output_block_bytes = t * cu * acc;
      if (f.row_offset + ru == grid_rows) p.write_bytes = t * cu * op;
    } else {
      p.tile_bytes[index(Operand::Ofmap)] = ru * cu * op;
      p.output_block_bytes = p.write_bytes = ru * cu * op;
    }
    result.folds.push_back(p);
  }
  // Each block is freed by the write-back of its last fold.
  std::size_t writer = result.folds.size();
  for (std::size_t g = result.folds.size(); g-- > 0;) {
    if (result.folds[g].write_bytes > 0) writer = g;
    result.folds[g].output_written_by = writer;
  }
  return result;
}

std::string FoldMemoryPlan::capacity_problem(const GlobalBufferConfig& buffer) const {
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

void FoldMemory::issue_reads(std::size_t g) {
  if (g >= plans_.size() || reads_issued_[g]) return;
  // Fold g uses the buffer half fold g-2 used: it must have started the
  // previous fold and finished the one before.
  if (g >= 1 && !started_[g - 1]) return;
  if (g >= 2 && !finished_[g - 2]) return;
  reads_issued_[g] = true;
  for (const FoldTransfers::Tile& tile : plans_[g].reads) {
    std::int64_t& address = next_address_[index(tile.operand)];
    read_transfers_[g].push_back(dram_.transfer(address, tile.bytes, /*write=*/false));
    held_.push_back({tile.operand, tile.bytes, tile.held_until, false});
    address += tile.bytes;
    stats_.dram_read_bytes[index(tile.operand)] += tile.bytes;
    stats_.buffer.writes[index(tile.operand)] += tile.bytes;
  }
}

void FoldMemory::tick(std::int64_t cycle) {
  dram_.advance_to(cycle_end(cycle));
  while (first_unwritten_ < plans_.size() && written_back(first_unwritten_)) ++first_unwritten_;
  release([&](const Held& h) { return h.until_written_back && h.fold < first_unwritten_; });
}

void FoldMemory::buffer_bytes(std::uint32_t held[3]) const {
  held[0] = held[1] = held[2] = 0;
  for (const Held& h : held_)
    held[index(h.operand)] += static_cast<std::uint32_t>(h.bytes);
}

std::int64_t FoldMemory::bytes_moved(std::int64_t cycle) {
  dram_.advance_to(cycle_end(cycle));
  return dram_.bytes_moved_by(cycle_end(cycle));
}

bool FoldMemory::ready(std::size_t g) const {
  if (!reads_issued_[g]) return false;
  for (std::uint64_t id : read_transfers_[g])
    if (!dram_.done(id)) return false;
  // The output half fold g writes into was drained by fold g-2's write-back.
  return first_unwritten_ + 1 >= g;
}

bool FoldMemory::written_back(std::size_t g) const {
  if (!finished_[g]) return false;
  for (std::uint64_t id : write_transfers_[g])
    if (!dram_.done(id)) return false;
  return true;
}

void FoldMemory::started(std::size_t g) {
  started_[g] = true;
  const FoldTransfers& p = plans_[g];
  if (p.output_block_bytes > 0)
    held_.push_back({Operand::Ofmap, p.output_block_bytes, p.output_written_by, true});
  for (int o = 0; o < kOperands; ++o) stats_.buffer.reads[o] += p.array_reads[o];
  issue_reads(g + 1);
}

void FoldMemory::finished(std::size_t g) {
  finished_[g] = true;
  release([&](const Held& h) { return !h.until_written_back && h.fold == g; });
  const FoldTransfers& p = plans_[g];
  stats_.buffer.writes[index(Operand::Ofmap)] += p.tile_bytes[index(Operand::Ofmap)];
  if (p.write_bytes > 0) {
    std::int64_t& address = next_address_[index(Operand::Ofmap)];
    write_transfers_[g].push_back(dram_.transfer(address, p.write_bytes, /*write=*/true));
    address += p.write_bytes;
    stats_.dram_write_bytes[index(Operand::Ofmap)] += p.write_bytes;
    stats_.buffer.reads[index(Operand::Ofmap)] += p.write_bytes;
  }
  issue_reads(g + 2);
}

bool FoldMemory::drained() const { return first_unwritten_ == plans_.size(); }

}  // namespace systole
