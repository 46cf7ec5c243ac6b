#pragma once
// What moves between DRAM and the global buffer for each fold of a step,
// planned before the step runs (plain C++: the tiling rules are described in
// models/memory/memory_controller.hpp, which runs the plan).

#include <array>
#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/array/array_program.hpp"
#include "models/memory/buffer_config.hpp"

namespace systole {

// What one fold moves: tiles to read before it starts, bytes to write after.
struct FoldTransfers {
  static constexpr std::size_t kNone = ~std::size_t{0};
  struct Tile {
    Operand operand;
    std::int64_t bytes;      // the values packed (operands narrower than a byte share bytes)
    std::int64_t values;
    std::size_t held_until;  // the fold whose end frees it
    std::int64_t address;    // partial sums: offset in their area; -1: next in the operand's region
    // What DRAM moves once encoded (models/memory/dram_compression.hpp);
    // -1: `bytes`, the values as they are.
    std::int64_t dram_bytes = -1;
  };
  std::vector<Tile> reads;
  std::size_t reads_after_write_of = kNone;         // partial sums read back: the fold that wrote them
  std::int64_t write_bytes = 0;                     // to the ofmap region
  std::int64_t write_values = 0;                    // in write_bytes
  std::int64_t write_address = -1;                  // as Tile::address
  std::int64_t output_block_bytes = 0;              // reserved at the start, 0 when continuing a block
  std::size_t output_written_by = 0;                // the fold whose write-back frees the block
  std::int64_t tile_bytes[kOperands] = {0, 0, 0};   // what the fold needs on chip
  // Bytes the array reads from the buffer: its operands, and the partial
  // sums its results add to.
  std::int64_t array_reads[kOperands] = {0, 0, 0};
};

// Bytes moved between DRAM and the buffer, per operand.
// With DRAM compression, the bytes DRAM moved are the encoded ones, and
// `uncompressed_bytes` what it would have moved without (reads and writes).
struct DramTraffic {
  std::int64_t read_bytes[kOperands] = {0, 0, 0};
  std::int64_t write_bytes[kOperands] = {0, 0, 0};
  std::int64_t uncompressed_bytes = 0;
  std::int64_t bytes() const;
};

// What a plan moves: its DRAM traffic, and the bytes each buffer partition
// reads and writes (the array's operands, partial sums and results; DRAM's
// tiles and write-backs), which a shared buffer's split weighs. A run
// counts the buffer's traffic as values instead (GlobalBuffer::traffic).
struct MemoryTraffic {
  DramTraffic dram;
  std::int64_t buffer_read_bytes[kOperands] = {0, 0, 0};
  std::int64_t buffer_write_bytes[kOperands] = {0, 0, 0};
};

// The bytes the busiest partition of `buffer` moves per bank: what a split
// of a shared buffer loads its ports with.
double busiest_bank_bytes(const MemoryTraffic& totals, const BufferPartition& buffer);

struct TilePlan {
  std::vector<FoldTransfers> folds;
  // Empty when every fold's tiles fit in half their partitions, else why not.
  std::string capacity_problem(const BufferPartition& buffer) const;
  // What running every fold moves (DRAM's part: a finished MemoryController's
  // dram_traffic()).
  MemoryTraffic totals() const;
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

// Operands are `operand_bits` wide, n of them packed in packed_bytes(n,
// operand_bits) (models/memory/buffer_config.hpp); partial sums
// `accumulator_bits`. Outputs leave at operand width.
TilingChoice choose_tiling(const BufferPartition& buffer, ArrayMode mode, GemmExtent extent, OperandRoles roles,
                           int operand_bits, int accumulator_bits);

TilePlan plan_tiles(TilingChoice choice, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bits, int accumulator_bits);
TilePlan plan_tiles(const BufferPartition& buffer, ArrayMode mode, const std::vector<Fold>& folds,
                                OperandRoles roles, int operand_bits, int accumulator_bits);

}  // namespace systole
