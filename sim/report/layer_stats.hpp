#pragma once
// What a run measured, per layer and in total (the columns of layers.csv and
// the totals of summary.json; docs/outputs.md defines each with its unit).

#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/dram_controller.hpp"
#include "sim/report/counters.hpp"
#include "models/stall_span.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

// Interrupted: the layer did not finish (Ctrl-C, SIGTERM); its row holds
// what was simulated of it.
// TimingOnly: the layer ran without operand values (RunOptions::compute),
// so there was nothing to check.
enum class Verification { NotChecked, Passed, Failed, Interrupted, TimingOnly };

struct LayerStats {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  std::int64_t batch = 1;
  std::int64_t steps = 0;          // GEMMs and vector operations it lowered to
  // For layers that are one GEMM (conv, depthwise, fc, gemm); zero otherwise.
  GemmShape gemm;
  std::int64_t groups = 0;
  std::int64_t row_folds = 0, col_folds = 0;
  std::int64_t expected_macs = 0;  // groups·M·N·K from the layer's shape
  std::int64_t first_cycle = 0;
  // Everything counted while the layer ran (sim/report/counters.hpp); with
  // the ideal memory model the memory counters are all zero.
  Counters counters;
  // Each fold's (or row-stationary pass's) fraction of the PEs mapped, in
  // the order they ran: summed in that order when the layer ends, so a layer
  // simulated in parts (sim/engine/layer_pool.hpp) sums them as a whole one.
  std::vector<double> fold_shares;
  double mapping_efficiency = 0;   // sum of fold_shares / folds, 0-1
  double utilization = 0;          // macs / (PEs × cycles), 0-1
  // The mapping in the dataflow's own terms, when it reports one (row
  // stationary: sim/dataflow/row_stationary.hpp), and the most PEs one of
  // the layer's passes used.
  std::string mapping;
  std::int64_t active_pes = 0;
  Verification verification = Verification::NotChecked;
  std::string verification_detail;

  // Where its stall cycles were lost, in run cycles, in the order its
  // steps found them; each cause's spans add up to its stall column.
  std::vector<StallSpan> stall_spans;

  std::int64_t& operator[](Counter counter) { return counters[counter]; }
  std::int64_t operator[](Counter counter) const { return counters[counter]; }
  bool timing_only() const { return verification == Verification::TimingOnly; }
  std::int64_t stall_cycles() const {
    return counters[Counter::StallDramCycles] + counters[Counter::StallNocCycles] +
           counters[Counter::StallBufferCycles];
  }
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

  // Layers that ran to the end (an interrupted run's last row is partial).
  std::size_t completed_layers() const { return layers.size() - (interrupted && !layers.empty() ? 1 : 0); }
  bool verification_failed() const {
    for (const LayerStats& l : layers)
      if (l.verification == Verification::Failed) return true;
    return false;
  }
};

std::string to_string(Verification verification);

}  // namespace systole
