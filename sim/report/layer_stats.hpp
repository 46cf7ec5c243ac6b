#pragma once
// What a run measured, per layer and in total (the columns of layers.csv and
// the totals of summary.json; docs/outputs.md defines each with its unit).

#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/dram_controller.hpp"
#include "models/noc/noc.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

enum class Verification { NotChecked, Passed, Failed };

struct LayerStats {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  std::int64_t batch = 1;
  std::int64_t steps = 0;          // GEMMs and vector operations it lowered to
  // For layers that are one GEMM (conv, depthwise, fc, gemm); zero otherwise.
  GemmShape gemm;
  std::int64_t groups = 0;
  std::int64_t macs = 0;           // MACs the array performed (PE-cycles with valid operands)
  std::int64_t expected_macs = 0;  // groups·M·N·K from the layer's shape
  std::int64_t first_cycle = 0;
  std::int64_t cycles = 0;
  std::int64_t row_folds = 0, col_folds = 0, folds = 0;
  double fold_occupancy = 0;       // sum over folds of the fraction of PEs mapped
  double mapping_efficiency = 0;   // fold_occupancy / folds, 0-1
  std::int64_t vector_cycles = 0;  // cycles on the vector unit (the array idles)
  std::int64_t vector_operations = 0;
  // Memory (all zero with the ideal memory model). Index: models/memory/global_buffer.hpp Operand.
  std::int64_t stall_dram_cycles = 0;    // folds waiting for their tiles from DRAM
  // Streams, stationary loads and result ports slowed by NoC buses narrower
  // than a fold needs, and the NoC's latency (docs/timing-model.md) ...
  std::int64_t stall_noc_cycles = 0;
  std::int64_t stall_buffer_cycles = 0;  // ... or by the buffer's ports (bank conflicts)
  NocTraffic noc;  // words on each network, and neighbour-link hops
  std::int64_t dram_read_bytes[3] = {0, 0, 0};
  std::int64_t dram_write_bytes[3] = {0, 0, 0};
  std::int64_t buffer_reads[3] = {0, 0, 0};
  std::int64_t buffer_writes[3] = {0, 0, 0};
  std::int64_t buffer_peak_bytes[3] = {0, 0, 0};  // most space reserved in a cycle, per partition
  // Each partition's capacity while the layer ran (a shared buffer is split
  // per step; the largest over the layer's steps).
  std::int64_t buffer_capacity_bytes[3] = {0, 0, 0};
  double utilization = 0;          // macs / (PEs × cycles), 0-1
  Verification verification = Verification::NotChecked;
  std::string verification_detail;
};

struct RunResult {
  std::vector<LayerStats> layers;
  std::int64_t total_cycles = 0;
  std::int64_t total_macs = 0;
  std::int64_t batch = 1;
  bool interrupted = false;
  double wall_seconds = 0;
  std::int64_t slept_cycles = 0;  // quiet cycles the array slept through (skip-ahead)
  bool dram = false;  // the run used the DRAM memory model
  DramChannelStats dram_stats;
  double dram_tck_ns = 0;
  double dram_peak_gb_per_s = 0;

  bool verification_failed() const {
    for (const LayerStats& l : layers)
      if (l.verification == Verification::Failed) return true;
    return false;
  }
};

std::string to_string(Verification verification);

}  // namespace systole
