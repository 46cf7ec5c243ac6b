#pragma once
// The memory controller behind the array: it moves each fold's operand tiles
// from DRAM into the global buffer before the fold may start, and the fold's
// results back to DRAM when they leave the buffer (models/memory/fold_gate.hpp).
//
// Tiling, per GEMM, in the array's fold order:
//  - the stream is cut into chunks that fit (sim/dataflow/gemm_dataflow.hpp), the outer loop;
//  - an operand whose whole matrix fits in half its partition is fetched once,
//    with the first fold that needs it, and stays; otherwise each fold
//    fetches its own tile (the stationary tile and the streamed slice in
//    WS/IS, once per stream chunk; the row block and column block in OS);
//  - fold g's reads start when fold g-1 has started and fold g-2 has
//    finished, the moment the buffer half fold g will use is free (double
//    buffering); fold g starts once they have all arrived and the writes of
//    fold g-2 are done;
//  - WS/IS partial sums stay in the ofmap partition across the K folds of a
//    column block (the stream chunk is sized so they fit in half of it) and
//    are written once, as final outputs (operand width), after the last K
//    fold: with K folds innermost, partial sums never travel to DRAM;
//  - OS outputs are written when their fold finishes. When a fold's row and
//    column blocks over all of K do not fit half their partitions, K is cut
//    into chunks (the outer loop, sim/dataflow/gemm_dataflow.hpp) and each chunk's results
//    add to the block's partial sums: those stay in the ofmap partition when
//    every block's fit half of it; otherwise each block's are written to
//    DRAM after a chunk and read back (once the write is done) before the
//    block's next chunk.
// The partial sums a chunk adds to are combined on the way out of the array
// (a read-modify-write at the output port): they cost buffer and DRAM
// traffic, and a stall when late, but no array cycles.
// Tiles are laid out contiguously in DRAM, each operand in its own third of
// the address space (region_base).
// The network-on-chip between the buffer and the array takes `noc_latency`
// cycles each way: a fold may start that long after its tiles are in the
// buffer, and its results reach the buffer (and their write-back starts)
// that long after they leave the array.
// Each partition's write ports take the tiles DRAM delivers, one tile after
// another from the moment its read is issued, and the ofmap partition's read
// ports give DRAM the write-backs, one after another from the moment each is
// issued (models/memory/global_buffer.hpp keeps their timelines). A tile is on
// chip once DRAM has delivered it and the ports have written it; a
// write-back is done once DRAM has it and the ports have read it. (Ports that wait for late DRAM data are not modelled: a
// transfer is never later than the later of the two.)
//
// Buffer occupancy is the space reserved in each partition: a tile's from
// the moment its read is issued until the last fold that uses it finishes;
// an output block's (a fold's results, or a column block's partial sums
// across its K folds) from its first fold's start until its write-back has
// reached DRAM.

#include <cstdint>
#include <functional>
#include <utility>
#include <vector>

#include "models/dram/dram_backend.hpp"
#include "models/memory/fold_gate.hpp"
#include "models/memory/global_buffer.hpp"
#include "models/memory/tile_plan.hpp"

namespace systole {

class MemoryController final : public FoldGate {
 public:
  static std::int64_t region_base(Operand operand, std::int64_t dram_capacity_bytes);
  // The operand whose region holds `address`.
  static Operand operand_at(std::int64_t address, std::int64_t dram_capacity_bytes);

  // The program's cycle c ends at start_fs + (c + 1)·period_fs in the DRAM's
  // time.
  // `buffer` has begun the step (GlobalBuffer::begin_step).
  MemoryController(DramBackend& dram, GlobalBuffer& buffer, TilePlan plan, std::int64_t start_fs,
             std::int64_t period_fs, int noc_latency = 0);

  // With DRAM compression: the bytes fold g's write-back takes once
  // encoded, asked when it starts (its values are known then, not when the
  // plan is made). The buffer's ports read the values as they are.
  using WriteEncoder = std::function<std::int64_t(std::size_t fold)>;
  void encode_write_backs(WriteEncoder encoder) { write_encoder_ = std::move(encoder); }

  void tick(std::int64_t cycle) override;
  std::int64_t quiet_ticks(std::int64_t first, std::int64_t limit) const override;
  std::int64_t tick_quiet(std::int64_t first, std::int64_t count, std::int64_t* by_end) override;
  void end_quiet_ticks(std::int64_t first, std::int64_t count, const std::uint32_t* results,
                       bool accumulating) override;
  bool ready(std::size_t fold) const override;
  bool waiting_for_dram(std::size_t fold) const override;
  Waits waits(std::size_t fold, std::int64_t earliest) const override;
  void started(std::size_t fold) override;
  void results_collected(std::int64_t values, bool accumulating) override;
  void finished(std::size_t fold) override;
  void end_cycle(std::int64_t cycle) override;
  void end_quiet_cycles(std::int64_t first, std::int64_t last) override;
  bool drained() const override;
  std::int64_t bytes_moved(std::int64_t cycle) override;
  void bytes_moved_each(std::int64_t first, std::int64_t count, std::int64_t* by_end) override;
  void buffer_bytes(std::uint32_t held[3]) const override;
  // Those not seen finished by the last tick, and those it saw finish.
  void dram_transfers(std::uint32_t in_flight[3]) const override;

  // Bytes this step moved between DRAM and the buffer (the buffer counts
  // its own traffic: GlobalBuffer::traffic).
  const DramTraffic& dram_traffic() const { return dram_traffic_; }
  // The last cycle in which DRAM finished a write-back (-1 if none): the
  // program would end then if the ports read write-backs as fast.
  std::int64_t last_dram_write_cycle() const { return last_dram_write_cycle_; }

 private:
  std::int64_t cycle_end(std::int64_t cycle) const { return start_fs_ + (cycle + 1) * period_fs_; }
  // The DRAM, advanced by this controller; a time it has been advanced
  // through or to before costs nothing.
  void advance_dram_through(std::int64_t time_fs);
  void advance_dram_to(std::int64_t time_fs);
  std::int64_t dram_advanced_to_fs_ = -1;
  void issue_reads(std::size_t fold);
  void issue_writes(std::size_t fold);
  bool delivered(std::size_t fold) const;  // by DRAM
  bool on_chip(std::size_t fold) const;    // delivered and written into the buffer
  bool through_ports(const std::vector<GlobalBuffer::Transfer>& transfers) const;  // by this cycle
  // The cycle by which `transfers` are through the buffer's ports, as far
  // as is known now: a port a transfer shares with the array's results can
  // only put it off.
  std::int64_t ports_done(const std::vector<GlobalBuffer::Transfer>& transfers) const;
  bool written_back(std::size_t fold) const;
  bool dram_writing(std::size_t fold) const;  // its write-back issued and not all in DRAM
  // The cycle since which `fold`'s tiles have been delivered (on chip):
  // recorded in `cycles`, an earlier fold's when it reads nothing, or this
  // cycle.
  std::int64_t since(const std::vector<std::int64_t>& cycles, std::size_t fold) const;

  DramBackend& dram_;
  GlobalBuffer& buffer_;
  std::int64_t start_fs_, period_fs_;
  int noc_latency_;
  std::int64_t cycle_ = 0;  // the last cycle ticked
  std::vector<FoldTransfers> plans_;
  std::vector<std::vector<std::uint64_t>> read_transfers_;
  std::vector<std::vector<std::uint64_t>> write_transfers_;
  std::vector<bool> reads_issued_, started_, finished_, writes_issued_;
  // Each fold's tiles written into the buffer by its ports, and its
  // write-back read out of it.
  std::vector<std::vector<GlobalBuffer::Transfer>> fills_, drains_;
  // Since when DRAM has had each fold's write-back (-1 until then).
  std::vector<std::int64_t> dram_written_since_;
  std::int64_t last_dram_write_cycle_ = -1;
  // Cycles since which each fold's tiles have been delivered by DRAM, on
  // chip, and its output space free (fold g-2 written back); -1 until then.
  std::vector<std::int64_t> delivered_since_, on_chip_since_, output_free_since_;
  std::size_t first_undelivered_ = 0;
  std::size_t first_not_on_chip_ = 0;
  std::size_t first_output_not_free_ = 0;
  // Results on their way to the buffer: (cycle their write-back starts, fold).
  std::vector<std::pair<std::int64_t, std::size_t>> arriving_results_;
  std::size_t first_unwritten_ = 0;  // folds before it are finished and written back
  std::size_t first_unread_ = 0;     // folds before it have issued their reads
  std::int64_t psum_base_ = 0;
  std::int64_t next_address_[kOperands];
  DramTraffic dram_traffic_;
  WriteEncoder write_encoder_;
  // DRAM transfers not yet seen finished (id, partition) and their count by
  // partition (read every cycle), and per partition those the current
  // cycle's tick saw finish.
  std::vector<std::pair<std::uint64_t, int>> in_flight_;
  std::uint32_t in_flight_by_partition_[kOperands] = {0, 0, 0};
  // DramBackend::transfers_finished() when in_flight_ was last checked.
  std::uint64_t transfers_finished_seen_ = 0;
  // Reads or writes issued since the last tick.
  bool transfers_issued_ = false;
  // The tick's bookkeeping changes only when a DRAM transfer finishes, a
  // transfer is issued, a fold finishes, results reach the buffer, or a
  // transfer the bookkeeping waits on gets through the ports: until the
  // first cycle the last two may happen (next_bookkeeping_), and while
  // nothing else does, a tick only advances the DRAM. (A fold starting
  // issues the reads it allows itself, and reserves output space no
  // write-back can have freed yet.)
  bool folds_changed_ = true;  // a fold finished since the last tick
  std::int64_t next_bookkeeping_ = 0;
  std::int64_t first_bookkeeping_cycle() const;
  void add_in_flight(std::uint64_t transfer, Operand partition);
  std::uint32_t finished_this_cycle_[kOperands] = {0, 0, 0};
};

}  // namespace systole
