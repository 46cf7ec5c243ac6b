#pragma once
// How a GEMM dataflow plans one array step (sim/workload/lowering.hpp): the
// global-buffer partition it gets, its mapping onto the array and, with the
// DRAM memory model, the rates of its edge paths and what moves between DRAM
// and the buffer.
//
// With the DRAM model a stationary fold streams at most as many rows as half
// the streamed operand's partition holds across the array (and half the
// ofmap partition holds as partial sums); in OS a reduction chunk's row and
// column blocks must fit half their partitions.
//
// A shared buffer (models/memory/global_buffer.hpp) is split anew for every step,
// in whole banks, at least one per partition. Among the splits that hold two
// of every tile, the chosen one has, in this order of precedence:
//  1. the lowest bound on the step's cycles: the larger of its DRAM bytes at
//     the DRAM's peak rate and the cycles its edge paths need (every stream
//     element at its fold's spacing, plus every fold's stationary load or,
//     in OS, its results' drain; sim/dataflow/edge_rates.hpp);
//  2. the fewest bytes between DRAM and the buffer;
//  3. the fewest bytes per bank in its busiest partition;
//  4. the most ifmap banks, then filter banks.

#include <array>
#include <string>
#include <vector>

#include "models/memory/buffer_config.hpp"
#include "models/memory/tile_plan.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/dataflow/edge_rates.hpp"
#include "sim/dataflow/gemm_dataflow.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

struct GemmStepPlan {
  BufferPartition buffer;
  Mapping mapping;
  std::vector<FoldRateLimits> limits;  // per fold; DRAM model only
  TilePlan memory;               // DRAM model only
  // Why the step cannot run with this buffer; empty when it can.
  std::string problem;
};

// `dram_gb_per_s`: the DRAM's peak bandwidth, all channels (used to split
// a shared buffer).
GemmStepPlan plan_gemm_step(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& gemm,
                            double dram_gb_per_s);

// Sets every fold's stream, load and drain spacings for a step that runs
// with `buffer`; returns, per fold, what sets them.
std::vector<FoldRateLimits> apply_edge_rates(const GemmDataflow& dataflow, const ArchConfig& arch,
                                             const BufferPartition& buffer, Mapping& mapping);

}  // namespace systole
