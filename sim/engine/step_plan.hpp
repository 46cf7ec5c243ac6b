#pragma once
// How one GEMM step (sim/workload/lowering.hpp) runs: the global-buffer partition it
// gets, its mapping onto the array and, with the DRAM memory model, the rates
// of its edge paths and what moves between DRAM and the buffer.
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
//     in OS, its results' drain; sim/engine/edge_rates.hpp);
//  2. the fewest bytes between DRAM and the buffer;
//  3. the fewest bytes per bank in its busiest partition;
//  4. the most ifmap banks, then filter banks.

#include <array>
#include <string>
#include <vector>

#include "models/memory/memory_controller.hpp"
#include "models/memory/global_buffer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/engine/edge_rates.hpp"
#include "sim/workload/layer.hpp"
#include "sim/engine/mapping.hpp"

namespace systole {

struct StepPlan {
  BufferPartition buffer;
  Mapping mapping;
  std::vector<FoldRateLimits> limits;  // per fold; DRAM model only
  TilePlan memory;               // DRAM model only
  // Why the step cannot run with this buffer; empty when it can.
  std::string problem;
};

// `dram_gb_per_s`: the DRAM's peak bandwidth, all channels (used to split
// a shared buffer).
StepPlan plan_step(const ArchConfig& arch, const Layer& gemm, double dram_gb_per_s);

}  // namespace systole
