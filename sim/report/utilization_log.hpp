#pragma once
// utilization.csv: active PEs per cycle, or exact sums over windows of N
// cycles for long runs. Rows are streamed to the file as the run goes.
//
// Columns: cycle (first cycle of the window), cycles (window length), layer
// (index of the layer running at the window's first cycle), active_pe_cycles
// (sum over the window of PEs doing a valid MAC), utilization
// (active_pe_cycles / (PEs × cycles)), noc_left/top/out_words (words on each
// NoC bus), dram_bytes (DRAM transfers completed), dram_gb_per_s, and the
// mean space reserved in each global-buffer partition (docs/outputs.md).

#include <cstdint>
#include <memory>
#include <string>

#include "models/noc/noc.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/report/atomic_file.hpp"

namespace systole {

class UtilizationLog : public RunObserver {
 public:
  UtilizationLog(const std::string& path, std::int64_t window, long long pe_count, double clock_period_ns);

  void begin_layer(int index, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  // Writes the open window and renames the file into place.
  void commit();

 private:
  void flush_window();

  AtomicFile file_;
  std::int64_t window_;
  long long pe_count_;
  double clock_period_ns_;
  std::uint64_t window_noc_words_[kNetworks] = {0, 0, 0};
  std::uint64_t window_dram_bytes_ = 0;
  std::uint64_t window_buffer_bytes_[3] = {0, 0, 0};  // summed over the window's cycles
  int layer_ = 0;
  std::int64_t layer_first_cycle_ = 0;
  std::int64_t window_start_ = 0;
  std::int64_t window_cycles_ = 0;
  int window_layer_ = 0;
  std::uint64_t window_active_ = 0;
};

}  // namespace systole
