#pragma once
// What a run measured, per layer and in total (the columns of layers.csv and
// the totals of summary.json; docs/outputs.md defines each with its unit).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/layer.hpp"

namespace systole {

enum class Verification { NotChecked, Passed, Failed };

struct LayerStats {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  GemmShape gemm;
  std::int64_t groups = 1;
  std::int64_t batch = 1;
  std::int64_t macs = 0;           // MACs the array performed (PE-cycles with valid operands)
  std::int64_t expected_macs = 0;  // groups·M·N·K from the layer's shape
  std::int64_t first_cycle = 0;
  std::int64_t cycles = 0;
  std::int64_t spatial_rows = 0, spatial_cols = 0, temporal = 0;
  std::int64_t row_folds = 0, col_folds = 0, folds = 0;
  double mapping_efficiency = 0;   // fraction, 0-1
  double utilization = 0;          // macs / (PEs × cycles), 0-1
  Verification verification = Verification::NotChecked;
  std::string verification_detail;
};

struct RunResult {
  std::vector<LayerStats> layers;
  std::int64_t total_cycles = 0;
  std::int64_t total_macs = 0;
  bool interrupted = false;
  double wall_seconds = 0;

  bool verification_failed() const {
    for (const LayerStats& l : layers)
      if (l.verification == Verification::Failed) return true;
    return false;
  }
};

std::string to_string(Verification verification);

}  // namespace systole
