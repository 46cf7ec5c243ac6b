#pragma once
// The memory controller behind the array: it moves each fold's operand tiles
// from DRAM into the global buffer before the fold may start, and the fold's
// results back to DRAM when they leave the buffer (models/fold_gate.hpp).
//
// Tiling, per GEMM, in the array's fold order:
//  - the stream is cut into chunks that fit (sim/mapping.hpp), the outer loop;
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
//    into chunks (the outer loop, sim/mapping.hpp) and each chunk's results
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
// issued (models/global_buffer.hpp keeps their timelines). A tile is on
// chip once DRAM has delivered it and the ports have written it; a
// write-back is done once DRAM has it and the ports have read it. (Ports that wait for late DRAM data are not modelled: a
// transfer is never later than the later of the two.)
//
// Buffer occupancy is the space reserved in each partition: a tile's from
// the moment its read is issued until the last fold that uses it finishes;
// an output block's (a fold's results, or a column block's partial sums
// across its K folds) from its first fold's start until its write-back has
// reached DRAM.

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "models/array_config.hpp"
#include "models/array_program.hpp"
#include "models/dram_system.hpp"
#include "models/fold_gate.hpp"
#include "models/global_buffer.hpp"

namespace systole {

// Which operand plays which role in an array program.
struct OperandRoles {
  Operand left = Operand::Ifmap;
  Operand top = Operand::Filter;
};
OperandRoles operand_roles(Dataflow dataflow);

// What one fold moves: tiles to read before it starts, bytes to write after.
struct FoldTransfers {
  static constexpr std::size_t kNone = ~std::size_t{0};
  struct Tile {
    Operand operand;
    std::int64_t bytes;
    std::size_t held_until;  // the fold whose end frees it
    std::int64_t address;    // partial sums: offset in their area; -1: next in the operand's region
  };
  std::vector<Tile> reads;
  std::size_t reads_after_write_of = kNone;         // partial sums read back: the fold that wrote them
  std::int64_t write_bytes = 0;                     // to the ofmap region
  std::int64_t write_address = -1;                  // as Tile::address
  std::int64_t output_block_bytes = 0;              // reserved at the start, 0 when continuing a block
  std::size_t output_written_by = 0;                // the fold whose write-back frees the block
  std::int64_t tile_bytes[kOperands] = {0, 0, 0};   // what the fold needs on chip
  std::int64_t array_reads[kOperands] = {0, 0, 0};  // bytes the array pulls from the buffer
};

struct FoldMemoryStats {
  std::int64_t dram_read_bytes[kOperands] = {0, 0, 0};
  std::int64_t dram_write_bytes[kOperands] = {0, 0, 0};
  GlobalBufferTraffic buffer;
  std::int64_t dram_bytes() const;
};

struct FoldMemoryPlan {
  std::vector<FoldTransfers> folds;
  // Empty when every fold's tiles fit in half their partitions, else why not.
  std::string capacity_problem(const BufferPartition& buffer) const;
  // What running every fold moves (a finished FoldMemory's stats()).
  FoldMemoryStats totals() const;
  // The largest tile each partition must hold for one fold.
  std::array<std::int64_t, kOperands> largest_tiles() const;
};

// What the plan keeps on chip, decided from the partitions' capacities.
struct TilingChoice {
  // The operand's whole matrix fits in half its partition: fetched once, it
  // stays (ifmap and filter).
  std::array<bool, kOperands> resident = {false, false, false};
  // OS with reduction chunks: every block's partial sums do not fit half the
  // ofmap partition, so they wait for the next chunk in DRAM.
  bool spill = false;
  bool operator<(const TilingChoice& other) const {
    return std::tie(resident, spill) < std::tie(other.resident, other.spill);
  }
};

// The folds' GEMM: rows and columns of the fold grid, and the stream length
// (every group has the same).
struct GemmExtent {
  std::int64_t rows = 0, cols = 0, stream = 0;
};
GemmExtent gemm_extent(const std::vector<Fold>& folds);

TilingChoice choose_tiling(const BufferPartition& buffer, ArrayMode mode, GemmExtent extent, OperandRoles roles,
                           int operand_bytes, int accumulator_bytes);

FoldMemoryPlan plan_fold_memory(TilingChoice choice, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bytes, int accumulator_bytes);
FoldMemoryPlan plan_fold_memory(const BufferPartition& buffer, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bytes, int accumulator_bytes);

class FoldMemory final : public FoldGate {
 public:
  static std::int64_t region_base(Operand operand, std::int64_t dram_capacity_bytes);

  // The program's cycle c ends at start_fs + (c + 1)·period_fs in the DRAM's
  // time.
  // `buffer` has begun the step (GlobalBuffer::begin_step).
  FoldMemory(DramSystem& dram, GlobalBuffer& buffer, FoldMemoryPlan plan, std::int64_t start_fs,
             std::int64_t period_fs, int noc_latency = 0);

  void tick(std::int64_t cycle) override;
  bool ready(std::size_t fold) const override;
  bool waiting_for_dram(std::size_t fold) const override;
  Waits waits(std::size_t fold, std::int64_t earliest) const override;
  void started(std::size_t fold) override;
  void results_collected(std::int64_t values, bool accumulating) override;
  void finished(std::size_t fold) override;
  bool drained() const override;
  std::int64_t bytes_moved(std::int64_t cycle) override;
  void buffer_bytes(std::uint32_t held[3]) const override;

  FoldMemoryStats stats() const;
  // The last cycle in which DRAM finished a write-back (-1 if none): the
  // program would end then if the ports read write-backs as fast.
  std::int64_t last_dram_write_cycle() const { return last_dram_write_cycle_; }

 private:
  std::int64_t cycle_end(std::int64_t cycle) const { return start_fs_ + (cycle + 1) * period_fs_; }
  void issue_reads(std::size_t fold);
  void issue_writes(std::size_t fold);
  bool delivered(std::size_t fold) const;  // by DRAM
  bool on_chip(std::size_t fold) const;    // delivered and written into the buffer
  bool through_ports(const std::vector<GlobalBuffer::Transfer>& transfers) const;  // by this cycle
  bool written_back(std::size_t fold) const;
  bool dram_writing(std::size_t fold) const;  // its write-back issued and not all in DRAM
  // The cycle since which `fold`'s tiles have been delivered (on chip):
  // recorded in `cycles`, an earlier fold's when it reads nothing, or this
  // cycle.
  std::int64_t since(const std::vector<std::int64_t>& cycles, std::size_t fold) const;

  DramSystem& dram_;
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
  FoldMemoryStats stats_;  // DRAM traffic; the buffer counts its own
};

}  // namespace systole
