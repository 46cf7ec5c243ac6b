#include "models/memory/memory_controller.hpp"

#include <algorithm>
#include <limits>

namespace systole {

namespace {
int index(Operand operand) { return static_cast<int>(operand); }
}  // namespace

std::int64_t MemoryController::region_base(Operand operand, std::int64_t dram_capacity_bytes) {
  // Thirds of the address space, aligned to 1 MiB so regions start on row
  // boundaries.
  const std::int64_t third = dram_capacity_bytes / kOperands / (1 << 20) * (1 << 20);
  return index(operand) * third;
}

Operand MemoryController::operand_at(std::int64_t address, std::int64_t dram_capacity_bytes) {
  const std::int64_t third = region_base(Operand::Filter, dram_capacity_bytes);
  return static_cast<Operand>(std::min<std::int64_t>(address / third, kOperands - 1));
}

MemoryController::MemoryController(DramBackend& dram, GlobalBuffer& buffer, TilePlan plan, std::int64_t start_fs,
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
  advance_dram_to(start_fs);
  if (!plans_.empty()) issue_reads(0);
}

void MemoryController::issue_reads(std::size_t g) {
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
  transfers_issued_ = true;
  if (reads_back && p.output_block_bytes > 0)
    buffer_.reserve(Operand::Ofmap, p.output_block_bytes, p.output_written_by, /*until_written_back=*/true);
  for (const FoldTransfers::Tile& tile : plans_[g].reads) {
    std::int64_t& next = next_address_[index(tile.operand)];
    const std::int64_t address = tile.address >= 0 ? psum_base_ + tile.address : next;
    const std::int64_t moved = tile.dram_bytes >= 0 ? tile.dram_bytes : tile.bytes;
    read_transfers_[g].push_back(dram_.transfer(address, moved, /*write=*/false));
    if (tile.operand != Operand::Ofmap) add_in_flight(read_transfers_[g].back(), tile.operand);
    // Partial sums read back land in the block reserved above.
    if (tile.operand != Operand::Ofmap) buffer_.reserve(tile.operand, tile.bytes, tile.held_until, false);
    if (tile.address < 0) next += tile.bytes;
    fills_[g].push_back(buffer_.write_tile(tile.operand, tile.bytes, tile.values, cycle_));
    dram_traffic_.read_bytes[index(tile.operand)] += moved;
    dram_traffic_.uncompressed_bytes += tile.bytes;
  }
}

void MemoryController::tick(std::int64_t cycle) {
  cycle_ = cycle;
  // Transfers start only after a tick: those started at a time the DRAM
  // jumped over queue behind the stream it jumped along.
  advance_dram_through(cycle_end(cycle));
  const std::uint64_t finished_so_far = dram_.transfers_finished();
  const bool some_finished = finished_so_far != transfers_finished_seen_;
  if (!some_finished && !transfers_issued_ && !folds_changed_ && cycle < next_bookkeeping_) return;
  folds_changed_ = false;
  transfers_finished_seen_ = finished_so_far;
  for (std::size_t t = 0; some_finished && t < in_flight_.size();)
    if (dram_.done(in_flight_[t].first)) {
      ++finished_this_cycle_[in_flight_[t].second];
      --in_flight_by_partition_[in_flight_[t].second];
      in_flight_.erase(in_flight_.begin() + static_cast<std::ptrdiff_t>(t));
    } else {
      ++t;
    }
  while (!arriving_results_.empty() && arriving_results_.front().first <= cycle) {
    issue_writes(arriving_results_.front().second);
    arriving_results_.erase(arriving_results_.begin());
  }
  // What DRAM has delivered and written changes only when a transfer
  // finishes or is issued.
  if (some_finished || transfers_issued_) {
    transfers_issued_ = false;
    while (first_undelivered_ < plans_.size() && delivered(first_undelivered_)) {
      delivered_since_[first_undelivered_] = since(delivered_since_, first_undelivered_);
      ++first_undelivered_;
    }
    for (std::size_t f = first_unwritten_; f < plans_.size() && writes_issued_[f]; ++f)
      if (dram_written_since_[f] < 0 && !dram_writing(f)) {
        dram_written_since_[f] = cycle;
        if (!write_transfers_[f].empty()) last_dram_write_cycle_ = cycle;
      }
  }
  // The folds before first_undelivered_ are delivered, and it is not.
  while (first_not_on_chip_ < first_undelivered_ && through_ports(fills_[first_not_on_chip_])) {
    on_chip_since_[first_not_on_chip_] = since(on_chip_since_, first_not_on_chip_);
    ++first_not_on_chip_;
  }
  while (first_unwritten_ < plans_.size() && written_back(first_unwritten_)) ++first_unwritten_;
  while (first_output_not_free_ < plans_.size() && first_output_not_free_ <= first_unwritten_ + 1)
    output_free_since_[first_output_not_free_++] = cycle;
  while (first_unread_ < plans_.size() && reads_issued_[first_unread_]) ++first_unread_;
  // A fold's reads wait for the folds before it to start and finish, and
  // those events issue them; only partial sums read back also wait for
  // their write-back, which ends with time.
  if (first_unread_ < plans_.size() && plans_[first_unread_].reads_after_write_of != FoldTransfers::kNone)
    issue_reads(first_unread_);
  buffer_.release_written_back_before(first_unwritten_);
  next_bookkeeping_ = first_bookkeeping_cycle();
}

std::int64_t MemoryController::quiet_ticks(std::int64_t first, std::int64_t limit) const {
  if (transfers_issued_ || folds_changed_ || dram_.transfers_finished() != transfers_finished_seen_) return 0;
  return std::max<std::int64_t>(std::min(limit, next_bookkeeping_ - first), 0);
}

std::int64_t MemoryController::tick_quiet(std::int64_t first, std::int64_t count, std::int64_t* by_end) {
  // What the ticks and bytes_moved calls would do. No transfer starts
  // before the run's last cycle ends, so the DRAM may go on from one event
  // to the next, through the tails of streams too (as while a unit sleeps,
  // models/dram/dram.cpp), as far as the first transfer to finish: the
  // cycle that sees it is ticked in full.
  const std::int64_t run_end_fs = cycle_end(first + count - 1);
  std::int64_t quiet = count;
  for (std::int64_t next = dram_.next_event_fs(); next <= run_end_fs; next = dram_.next_event_fs()) {
    dram_.advance_through_tails(next, run_end_fs);
    if (dram_.transfers_finished() != transfers_finished_seen_) {
      // Cycle c sees it if it ends at or after `next`.
      quiet = std::clamp<std::int64_t>((next - start_fs_ - 1) / period_fs_ - first, 0, count);
      break;
    }
  }
  if (quiet == 0) return 0;
  cycle_ = first + quiet - 1;
  if (quiet == count)
    advance_dram_through(cycle_end(cycle_));
  else
    dram_advanced_to_fs_ = std::max(dram_advanced_to_fs_, cycle_end(cycle_));
  dram_.bytes_moved_by_each(cycle_end(first), period_fs_, quiet, by_end);
  return quiet;
}

void MemoryController::end_quiet_ticks(std::int64_t first, std::int64_t count, const std::uint32_t* results,
                                       bool accumulating) {
  buffer_.end_cycles(first, count, results, accumulating);
  for (std::uint32_t& finished : finished_this_cycle_) finished = 0;
}

std::int64_t MemoryController::first_bookkeeping_cycle() const {
  std::int64_t first = std::numeric_limits<std::int64_t>::max();
  if (!arriving_results_.empty()) first = std::min(first, arriving_results_.front().first);
  if (first_not_on_chip_ < first_undelivered_) first = std::min(first, ports_done(fills_[first_not_on_chip_]));
  // A write-back DRAM has is written back once through the ports; one it
  // has not yet waits for a transfer to finish.
  const auto write_back_through_ports = [&](std::size_t f) {
    if (writes_issued_[f] && !dram_writing(f)) first = std::min(first, ports_done(drains_[f]));
  };
  if (first_unwritten_ < plans_.size()) write_back_through_ports(first_unwritten_);
  if (first_unread_ < plans_.size() && plans_[first_unread_].reads_after_write_of != FoldTransfers::kNone)
    write_back_through_ports(plans_[first_unread_].reads_after_write_of);
  return first;
}

void MemoryController::buffer_bytes(std::uint32_t held[3]) const { buffer_.occupancy(held); }

void MemoryController::dram_transfers(std::uint32_t in_flight[3]) const {
  for (int p = 0; p < kOperands; ++p) in_flight[p] = finished_this_cycle_[p] + in_flight_by_partition_[p];
}

void MemoryController::add_in_flight(std::uint64_t transfer, Operand partition) {
  in_flight_.emplace_back(transfer, index(partition));
  ++in_flight_by_partition_[index(partition)];
}

void MemoryController::end_cycle(std::int64_t cycle) {
  buffer_.end_cycle(cycle);
  for (std::uint32_t& finished : finished_this_cycle_) finished = 0;
}

void MemoryController::end_quiet_cycles(std::int64_t first, std::int64_t last) {
  // Ports the array takes nothing of delay no transfer: each of these
  // cycles only lets go of the transfers whose ports are done by it, which
  // the last one does for all of them.
  if (last >= first) end_cycle(last);
}

void MemoryController::advance_dram_through(std::int64_t time_fs) {
  dram_.advance_through(time_fs);
  dram_advanced_to_fs_ = std::max(dram_advanced_to_fs_, time_fs);
}

void MemoryController::advance_dram_to(std::int64_t time_fs) {
  // A DRAM already there (the cycle's tick took it) has nothing to do.
  if (time_fs <= dram_advanced_to_fs_) return;
  dram_.advance_to(time_fs);
  dram_advanced_to_fs_ = time_fs;
}

std::int64_t MemoryController::bytes_moved(std::int64_t cycle) {
  advance_dram_to(cycle_end(cycle));
  return dram_.bytes_moved_by(cycle_end(cycle));
}

void MemoryController::bytes_moved_each(std::int64_t first, std::int64_t count, std::int64_t* by_end) {
  if (count <= 0) return;
  advance_dram_to(cycle_end(first + count - 1));
  dram_.bytes_moved_by_each(cycle_end(first), period_fs_, count, by_end);
}

bool MemoryController::delivered(std::size_t g) const {
  if (!reads_issued_[g]) return false;
  for (std::uint64_t id : read_transfers_[g])
    if (!dram_.done(id)) return false;
  return true;
}

bool MemoryController::on_chip(std::size_t g) const { return delivered(g) && through_ports(fills_[g]); }

bool MemoryController::through_ports(const std::vector<GlobalBuffer::Transfer>& transfers) const {
  for (GlobalBuffer::Transfer t : transfers)
    if (buffer_.last_cycle(t) > cycle_) return false;
  return true;
}

std::int64_t MemoryController::ports_done(const std::vector<GlobalBuffer::Transfer>& transfers) const {
  std::int64_t done = std::numeric_limits<std::int64_t>::min();
  for (GlobalBuffer::Transfer t : transfers) done = std::max(done, buffer_.last_cycle(t));
  return done;
}

std::int64_t MemoryController::since(const std::vector<std::int64_t>& cycles, std::size_t g) const {
  // A fold that reads nothing uses tiles that came with an earlier fold.
  while (cycles[g] < 0 && g > 0 && plans_[g].reads.empty()) --g;
  // Tiles that arrived this cycle are recorded at the next tick.
  return cycles[g] >= 0 ? cycles[g] : cycle_;
}

bool MemoryController::ready(std::size_t g) const {
  if (!on_chip(g)) return false;
  // The output half fold g writes into was drained by fold g-2's write-back.
  return since(on_chip_since_, g) + noc_latency_ <= cycle_ && first_unwritten_ + 1 >= g;
}

FoldGate::Waits MemoryController::waits(std::size_t g, std::int64_t earliest) const {
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

bool MemoryController::waiting_for_dram(std::size_t g) const {
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

bool MemoryController::dram_writing(std::size_t g) const {
  if (!writes_issued_[g]) return false;
  for (std::uint64_t id : write_transfers_[g])
    if (!dram_.done(id)) return true;
  return false;
}

bool MemoryController::written_back(std::size_t g) const {
  return writes_issued_[g] && !dram_writing(g) && through_ports(drains_[g]);
}

void MemoryController::started(std::size_t g) {
  started_[g] = true;
  const FoldTransfers& p = plans_[g];
  if (p.output_block_bytes > 0 && p.reads_after_write_of == FoldTransfers::kNone)
    buffer_.reserve(Operand::Ofmap, p.output_block_bytes, p.output_written_by, /*until_written_back=*/true);
  issue_reads(g + 1);
}

void MemoryController::results_collected(std::int64_t values, bool accumulating) {
  buffer_.array_results(values, accumulating);
}

void MemoryController::finished(std::size_t g) {
  finished_[g] = true;
  folds_changed_ = true;
  buffer_.release_tiles_of(g);
  // Results that stay on chip (partial sums of a K fold) hold nothing up.
  if (noc_latency_ == 0 || plans_[g].write_bytes == 0)
    issue_writes(g);
  else
    arriving_results_.emplace_back(cycle_ + noc_latency_, g);
  issue_reads(g + 2);
}

void MemoryController::issue_writes(std::size_t g) {
  writes_issued_[g] = true;
  transfers_issued_ = true;
  const FoldTransfers& p = plans_[g];
  if (p.write_bytes > 0) {
    std::int64_t& next = next_address_[index(Operand::Ofmap)];
    const std::int64_t address = p.write_address >= 0 ? psum_base_ + p.write_address : next;
    const std::int64_t moved = write_encoder_ ? write_encoder_(g) : p.write_bytes;
    write_transfers_[g].push_back(dram_.transfer(address, moved, /*write=*/true));
    add_in_flight(write_transfers_[g].back(), Operand::Ofmap);
    if (p.write_address < 0) next += p.write_bytes;
    drains_[g].push_back(
        buffer_.read_write_back(p.write_bytes, p.write_values, /*partial_sums=*/p.write_address >= 0, cycle_));
    dram_traffic_.write_bytes[index(Operand::Ofmap)] += moved;
    dram_traffic_.uncompressed_bytes += p.write_bytes;
  }
}

bool MemoryController::drained() const { return first_unwritten_ == plans_.size(); }

}  // namespace systole
