#pragma once
// What each row-stationary pass moves between DRAM and the global buffer:
// one FoldTransfers per pass (models/memory/tile_plan.hpp), run by the
// memory controller (models/memory/memory_controller.hpp) like a GEMM's
// folds: a pass's tiles are read while the previous pass runs (double
// buffering in half partitions) and it starts once they are on chip.
//
// Per pass, in values (bytes: packed at operand width, partial sums at
// accumulator width):
//  - filters: its units' weights, filters × its filter rows × its channels ×
//    S. When the layer's whole filter tensor fits half the filter partition,
//    it is read once, with the first pass, and stays (as the GEMM plan's
//    `resident` operands). Otherwise, when one block of units' weights (its
//    filters × every channel × R × S) fits half the partition, they are read
//    with the block's first pass and stay until its last: the block's passes
//    are consecutive and cover all its output blocks (images × output rows),
//    which would otherwise each read them again.
//  - ifmap: for each group among its units (replicas of one group share
//    their rows), images × channels × the input rows its sets read × the
//    input columns the 1-D convolutions read, both inside the image (padding
//    is made on chip, never fetched). The whole ifmap once when it fits half
//    the ifmap partition.
//  - partial sums: the passes over one output block (its units' filters ×
//    its images × its output rows) are consecutive, channel blocks and filter
//    row blocks innermost (rs_passes). The block's partial sums are reserved
//    in the ofmap partition by its first pass, stay there while the next
//    passes add to them, and leave once, after its last pass, as outputs at
//    operand width. They never go to DRAM, so nothing is read back: spilling
//    them would only add traffic, since no other block's passes come in
//    between. (The mapper's buffer check requires a block's partial sums to
//    fit half the ofmap partition.)
// Passes of different output blocks reuse no tile of the previous pass
// except the resident ones and a kept block of units' weights: a pass's filter tile and ifmap tile differ from
// the previous pass's in channels or rows whenever the block is the same.

#include <cstdint>
#include <vector>

#include "models/memory/buffer_config.hpp"
#include "models/memory/tile_plan.hpp"
#include "models/row_stationary/rs_program.hpp"

namespace systole {

// The groups of a pass's units, each once, in order.
std::vector<int> rs_pass_groups(const RsPass& pass);
// The input rows inside the image that a pass's sets read, ascending.
std::vector<int> rs_pass_input_rows(const RsConv& conv, const RsPass& pass);
// The input columns inside the image that the 1-D convolutions read, ascending.
std::vector<int> rs_input_columns(const RsConv& conv);

// The layer's whole tensors, in values.
std::int64_t rs_filter_values(const RsConv& conv);
std::int64_t rs_ifmap_values(const RsConv& conv);

// What a plan keeps on chip: whole tensors, as the GEMM plans do
// (`whole.resident`, filters and ifmap), and otherwise a block of units'
// weights (`unit_block_filters`).
struct RsTiling {
  TilingChoice whole;
  bool unit_block_filters = false;
  bool operator<(const RsTiling& other) const {
    return std::tie(whole, unit_block_filters) < std::tie(other.whole, other.unit_block_filters);
  }
};

// The weights (values) of the largest block of units, when the passes of
// some block of units cover more than one output block; 0 when none does,
// since keeping a block's weights then saves nothing.
std::int64_t rs_reused_unit_block_values(const RsConv& conv, const std::vector<RsPass>& passes);

RsTiling rs_tiling(const BufferPartition& buffer, const RsConv& conv, std::int64_t reused_unit_block_values,
                   int operand_bits);

TilePlan plan_rs_tiles(const RsConv& conv, const std::vector<RsPass>& passes, RsTiling tiling, int operand_bits,
                       int accumulator_bits);

}  // namespace systole
