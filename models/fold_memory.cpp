#include "models/fold_memory.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace systole {

namespace {
int index(Operand operand) { return static_cast<int>(operand); }
}  // namespace

OperandRoles operand_roles(Dataflow dataflow) {
  // IS streams the filters from the left and keeps the lowered input.
  if (dataflow == Dataflow::InputStationary) return {Operand::Filter, Operand::Ifmap};
  return {Operand::Ifmap, Operand::Filter};
}

std::int64_t FoldMemory::region_base(Operand operand, std::int64_t dram_capacity_bytes) {
  // Thirds of the address space, aligned to 1 MiB so regions start on row
  // boundaries.
  const std::int64_t third = dram_capacity_bytes / kOperands / (1 << 20) * (1 << 20);
  return index(operand) * third;
}

FoldMemory::FoldMemory(DramSystem& dram, GlobalBuffer& buffer, FoldMemoryPlan plan, std::int64_t start_fs,
                       std::int64_t period_fs, int noc_latency)
    : dram_(dram),
      buffer_(buffer),
      start_fs_(start_fs),
      period_fs_(period_fs),
      noc_latency_(noc_latency),
      plans_(std::move(plan.folds)),
      read_transfers_(plans_.size()),
      write_transfers_(plans_.size()),
      reads_issued_(plans_.size()),
      started_(plans_.size()),
      finished_(plans_.size()),
      writes_issued_(plans_.size()),
      fills_(plans_.size()),
      drains_(plans_.size()),
      dram_written_since_(plans_.size(), -1),
      delivered_since_(plans_.size(), -1),
      on_chip_since_(plans_.size(), -1),
      output_free_since_(plans_.size(), -1) {
  for (int o = 0; o < kOperands; ++o) next_address_[o] = region_base(static_cast<Operand>(o), dram.capacity_bytes());
  // Partial sums live in the second half of the ofmap region.
  psum_base_ = region_base(Operand::Ofmap, dram.capacity_bytes()) + region_base(Operand::Filter, dram.capacity_bytes()) / 2;
  dram_.advance_to(start_fs);
  if (!plans_.empty()) issue_reads(0);
}

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

// Bytes of the left and top operands' whole matrices.
std::pair<std::int64_t, std::int64_t> matrix_bytes(ArrayMode mode, GemmExtent e, std::int64_t op) {
  if (mode == ArrayMode::Stationary) return {e.stream * e.rows * op, e.rows * e.cols * op};
  return {e.rows * e.stream * op, e.stream * e.cols * op};
}

}  // namespace

TilingChoice choose_tiling(const BufferPartition& buffer, ArrayMode mode, GemmExtent extent, OperandRoles roles,
                           int operand_bytes, int accumulator_bytes) {
  TilingChoice choice;
  const auto [left, top] = matrix_bytes(mode, extent, operand_bytes);
  choice.resident[index(roles.left)] = left <= buffer.capacity(roles.left) / 2;
  choice.resident[index(roles.top)] = top <= buffer.capacity(roles.top) / 2;
  choice.spill = mode == ArrayMode::OutputStationary &&
                 extent.rows * extent.cols * accumulator_bytes > buffer.capacity(Operand::Ofmap) / 2;
  return choice;
}

FoldMemoryPlan plan_fold_memory(const BufferPartition& buffer, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bytes, int accumulator_bytes) {
  const TilingChoice choice =
      choose_tiling(buffer, mode, gemm_extent(folds), roles, operand_bytes, accumulator_bytes);
  return plan_fold_memory(choice, mode, folds, roles, operand_bytes, accumulator_bytes);
}

FoldMemoryPlan plan_fold_memory(TilingChoice choice, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bytes, int accumulator_bytes) {
  FoldMemoryPlan result;
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
  const std::int64_t op = operand_bytes, acc = accumulator_bytes;
  const auto [left_total, top_total] = matrix_bytes(mode, e, op);
  int previous_gemm = -1;
  for (std::size_t g = 0; g < folds.size(); ++g) {
    const Fold& f = folds[g];
    const bool first_of_gemm = f.gemm != previous_gemm;
    previous_gemm = f.gemm;
    const std::int64_t ru = f.rows_used, cu = f.cols_used, t = f.stream_length;
    FoldTransfers p;
    // Stationary: the stationary block of Rt, and the K slice of the chunk's
    // streamed rows. OS: the M block of L and the N block of Rt, over the
    // chunk of K.
    const std::int64_t top_tile = mode == ArrayMode::Stationary ? ru * cu * op : t * cu * op;
    const std::int64_t left_tile = ru * t * op;
    auto add_read = [&](Operand operand, std::int64_t tile, std::int64_t total) {
      const bool resident = choice.resident[index(operand)];
      p.tile_bytes[index(operand)] = resident ? total : tile;
      p.array_reads[index(operand)] += tile;
      const std::int64_t bytes = resident ? (first_of_gemm ? total : 0) : tile;
      if (bytes > 0) p.reads.push_back({operand, bytes, resident ? last_fold[f.gemm] : g, -1});
    };
    add_read(roles.top, top_tile, top_total);
    add_read(roles.left, left_tile, left_total);
    if (mode == ArrayMode::Stationary) {
      // The column block's partial sums stay in the ofmap partition across its
      // K folds (the inner loop) and leave once, as final outputs.
      p.tile_bytes[index(Operand::Ofmap)] = t * cu * acc;
      if (f.row_offset == 0) p.output_block_bytes = t * cu * acc;
      if (f.row_offset + ru == e.rows) p.write_bytes = t * cu * op;
    } else if (f.stream_length == e.stream) {
      // The whole reduction in one fold: its results leave as they are.
      p.tile_bytes[index(Operand::Ofmap)] = ru * cu * op;
      p.output_block_bytes = p.write_bytes = ru * cu * op;
      p.output_written_by = g;
    } else {
      // Reduction chunks, the outer loop: between a block's chunks its
      // partial sums wait on chip when every block's fit half the ofmap
      // partition, else in DRAM, read back by the block's next chunk.
      const std::vector<std::size_t>& chunks = block_folds[{f.gemm, f.row_offset, f.col_offset}];
      const std::size_t chunk = static_cast<std::size_t>(std::find(chunks.begin(), chunks.end(), g) - chunks.begin());
      const bool first = chunk == 0, last = chunk + 1 == chunks.size();
      const std::int64_t psums = ru * cu * acc;
      const std::int64_t psum_address = block_id[{f.gemm, f.row_offset, f.col_offset}] * largest_block * acc;
      p.tile_bytes[index(Operand::Ofmap)] = psums;
      if (!first) {
        p.array_reads[index(Operand::Ofmap)] += psums;  // added to this chunk's results
        if (choice.spill) {
          p.reads.push_back({Operand::Ofmap, psums, g, psum_address});
          p.reads_after_write_of = chunks[chunk - 1];
        }
      }
      if (last) {
        p.write_bytes = ru * cu * op;
      } else if (choice.spill) {
        p.write_bytes = psums;
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

std::array<std::int64_t, kOperands> FoldMemoryPlan::largest_tiles() const {
  std::array<std::int64_t, kOperands> largest = {0, 0, 0};
  for (const FoldTransfers& p : folds)
    for (int o = 0; o < kOperands; ++o) largest[o] = std::max(largest[o], p.tile_bytes[o]);
  return largest;
}

std::string FoldMemoryPlan::capacity_problem(const BufferPartition& buffer) const {
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

std::int64_t FoldMemoryStats::dram_bytes() const {
  std::int64_t bytes = 0;
  for (int o = 0; o < kOperands; ++o) bytes += dram_read_bytes[o] + dram_write_bytes[o];
  return bytes;
}

FoldMemoryStats FoldMemoryPlan::totals() const {
  FoldMemoryStats t;
  const int ofmap = index(Operand::Ofmap);
  for (const FoldTransfers& p : folds) {
    for (const FoldTransfers::Tile& tile : p.reads) {
      t.dram_read_bytes[index(tile.operand)] += tile.bytes;
      t.buffer.writes[index(tile.operand)] += tile.bytes;
    }
    for (int o = 0; o < kOperands; ++o) t.buffer.reads[o] += p.array_reads[o];
    t.buffer.writes[ofmap] += p.tile_bytes[ofmap];
    t.dram_write_bytes[ofmap] += p.write_bytes;
    t.buffer.reads[ofmap] += p.write_bytes;
  }
  return t;
}

void FoldMemory::issue_reads(std::size_t g) {
  if (g >= plans_.size() || reads_issued_[g]) return;
  // Fold g uses the buffer half fold g-2 used: it must have started the
  // previous fold and finished the one before.
  if (g >= 1 && !started_[g - 1]) return;
  if (g >= 2 && !finished_[g - 2]) return;
  // Partial sums are read back once they have been written, into the
  // output half fold g-2's block has left.
  const FoldTransfers& p = plans_[g];
  const bool reads_back = p.reads_after_write_of != FoldTransfers::kNone;
  if (reads_back && (!written_back(p.reads_after_write_of) || first_unwritten_ + 1 < g)) return;
  reads_issued_[g] = true;
  if (reads_back && p.output_block_bytes > 0)
    buffer_.reserve(Operand::Ofmap, p.output_block_bytes, p.output_written_by, /*until_written_back=*/true);
  for (const FoldTransfers::Tile& tile : plans_[g].reads) {
    std::int64_t& next = next_address_[index(tile.operand)];
    const std::int64_t address = tile.address >= 0 ? psum_base_ + tile.address : next;
    read_transfers_[g].push_back(dram_.transfer(address, tile.bytes, /*write=*/false));
    // Partial sums read back land in the block reserved above.
    if (tile.operand != Operand::Ofmap) buffer_.reserve(tile.operand, tile.bytes, tile.held_until, false);
    if (tile.address < 0) next += tile.bytes;
    fills_[g].push_back(buffer_.write_tile(tile.operand, tile.bytes, cycle_));
    stats_.dram_read_bytes[index(tile.operand)] += tile.bytes;
  }
}

void FoldMemory::tick(std::int64_t cycle) {
  cycle_ = cycle;
  dram_.advance_to(cycle_end(cycle));
  while (!arriving_results_.empty() && arriving_results_.front().first <= cycle) {
    issue_writes(arriving_results_.front().second);
    arriving_results_.erase(arriving_results_.begin());
  }
  while (first_undelivered_ < plans_.size() && delivered(first_undelivered_)) {
    delivered_since_[first_undelivered_] = since(delivered_since_, first_undelivered_);
    ++first_undelivered_;
  }
  while (first_not_on_chip_ < plans_.size() && on_chip(first_not_on_chip_)) {
    on_chip_since_[first_not_on_chip_] = since(on_chip_since_, first_not_on_chip_);
    ++first_not_on_chip_;
  }
  for (std::size_t f = first_unwritten_; f < plans_.size() && writes_issued_[f]; ++f)
    if (dram_written_since_[f] < 0 && !dram_writing(f)) {
      dram_written_since_[f] = cycle;
      if (!write_transfers_[f].empty()) last_dram_write_cycle_ = cycle;
    }
  while (first_unwritten_ < plans_.size() && written_back(first_unwritten_)) ++first_unwritten_;
  while (first_output_not_free_ < plans_.size() && first_output_not_free_ <= first_unwritten_ + 1)
    output_free_since_[first_output_not_free_++] = cycle;
  while (first_unread_ < plans_.size() && reads_issued_[first_unread_]) ++first_unread_;
  issue_reads(first_unread_);  // when it waits for partial sums to be written
  buffer_.release_written_back_before(first_unwritten_);
}

void FoldMemory::buffer_bytes(std::uint32_t held[3]) const { buffer_.occupancy(held); }

FoldMemoryStats FoldMemory::stats() const {
  FoldMemoryStats stats = stats_;
  stats.buffer = buffer_.traffic();
  return stats;
}

std::int64_t FoldMemory::bytes_moved(std::int64_t cycle) {
  dram_.advance_to(cycle_end(cycle));
  return dram_.bytes_moved_by(cycle_end(cycle));
}

bool FoldMemory::delivered(std::size_t g) const {
  if (!reads_issued_[g]) return false;
  for (std::uint64_t id : read_transfers_[g])
    if (!dram_.done(id)) return false;
  return true;
}

bool FoldMemory::on_chip(std::size_t g) const { return delivered(g) && through_ports(fills_[g]); }

bool FoldMemory::through_ports(const std::vector<GlobalBuffer::Transfer>& transfers) const {
  for (GlobalBuffer::Transfer t : transfers)
    if (buffer_.last_cycle(t) > cycle_) return false;
  return true;
}

std::int64_t FoldMemory::since(const std::vector<std::int64_t>& cycles, std::size_t g) const {
  // A fold that reads nothing uses tiles that came with an earlier fold.
  while (cycles[g] < 0 && g > 0 && plans_[g].reads.empty()) --g;
  // Tiles that arrived this cycle are recorded at the next tick.
  return cycles[g] >= 0 ? cycles[g] : cycle_;
}

bool FoldMemory::ready(std::size_t g) const {
  if (!on_chip(g)) return false;
  // The output half fold g writes into was drained by fold g-2's write-back.
  return since(on_chip_since_, g) + noc_latency_ <= cycle_ && first_unwritten_ + 1 >= g;
}

FoldGate::Waits FoldMemory::waits(std::size_t g, std::int64_t earliest) const {
  // Without the latency the fold would have started once its tiles were on
  // chip and its output space free; without slow fills too, once DRAM had
  // delivered them.
  // Fold g-2's write-back, which frees fold g's output space, started L
  // cycles after its results left the array; with ports as fast as DRAM it
  // would have been done when DRAM had it.
  const bool after_write = g >= 2 && plans_[g - 2].write_bytes > 0;
  const std::int64_t trip = after_write ? noc_latency_ : 0;
  const std::int64_t freed = output_free_since_[g] >= 0 ? output_free_since_[g] : cycle_;
  std::int64_t freed_by_dram = freed;
  if (after_write && dram_written_since_[g - 2] >= 0) freed_by_dram = std::min(freed, dram_written_since_[g - 2]);
  const std::int64_t output_free = std::max(earliest, freed - trip);
  const std::int64_t without_latency = std::max(output_free, since(on_chip_since_, g));
  const std::int64_t without_ports =
      std::max(std::max(earliest, freed_by_dram - trip), since(delivered_since_, g));
  Waits waits;
  waits.noc_latency = std::clamp<std::int64_t>(cycle_ - without_latency, 0, noc_latency_);
  waits.buffer_ports = std::max<std::int64_t>(0, without_latency - without_ports);
  return waits;
}

bool FoldMemory::waiting_for_dram(std::size_t g) const {
  // Results crossing the NoC and ports still filling tiles or reading
  // write-backs finish with time, not with a DRAM transfer.
  if (!arriving_results_.empty()) return false;
  if (buffer_.ports_free_at() - 1 > cycle_) return false;
  if (g == plans_.size()) {
    for (std::size_t f = first_unwritten_; f < plans_.size(); ++f)
      if (dram_writing(f)) return true;
    return false;  // only the ports are left
  }
  return !delivered(g) || (first_unwritten_ + 1 < g && dram_writing(first_unwritten_));
}

bool FoldMemory::dram_writing(std::size_t g) const {
  if (!writes_issued_[g]) return false;
  for (std::uint64_t id : write_transfers_[g])
    if (!dram_.done(id)) return true;
  return false;
}

bool FoldMemory::written_back(std::size_t g) const {
  return writes_issued_[g] && !dram_writing(g) && through_ports(drains_[g]);
}

void FoldMemory::started(std::size_t g) {
  started_[g] = true;
  const FoldTransfers& p = plans_[g];
  if (p.output_block_bytes > 0 && p.reads_after_write_of == FoldTransfers::kNone)
    buffer_.reserve(Operand::Ofmap, p.output_block_bytes, p.output_written_by, /*until_written_back=*/true);
  for (int o = 0; o < kOperands; ++o) buffer_.array_reads(static_cast<Operand>(o), p.array_reads[o]);
  issue_reads(g + 1);
}

void FoldMemory::results_collected(std::int64_t values, bool accumulating) {
  buffer_.array_results(values, accumulating);
}

void FoldMemory::finished(std::size_t g) {
  finished_[g] = true;
  buffer_.release_tiles_of(g);
  // Results that stay on chip (partial sums of a K fold) hold nothing up.
  if (noc_latency_ == 0 || plans_[g].write_bytes == 0)
    issue_writes(g);
  else
    arriving_results_.emplace_back(cycle_ + noc_latency_, g);
  issue_reads(g + 2);
}

void FoldMemory::issue_writes(std::size_t g) {
  writes_issued_[g] = true;
  const FoldTransfers& p = plans_[g];
  buffer_.array_writes(Operand::Ofmap, p.tile_bytes[index(Operand::Ofmap)]);
  if (p.write_bytes > 0) {
    std::int64_t& next = next_address_[index(Operand::Ofmap)];
    const std::int64_t address = p.write_address >= 0 ? psum_base_ + p.write_address : next;
    write_transfers_[g].push_back(dram_.transfer(address, p.write_bytes, /*write=*/true));
    if (p.write_address < 0) next += p.write_bytes;
    drains_[g].push_back(buffer_.read_write_back(p.write_bytes, /*partial_sums=*/p.write_address >= 0, cycle_));
    stats_.dram_write_bytes[index(Operand::Ofmap)] += p.write_bytes;
  }
}

bool FoldMemory::drained() const { return first_unwritten_ == plans_.size(); }

}  // namespace systole
