#pragma once
// utilization.csv: the activity of every cycle, or exact sums over windows
// of N cycles for long runs (each step of a layer, a GEMM or a vector
// operation, opens a new window); its columns are declared in
// sim/report/figures.hpp (utilization_columns). Rows are streamed to the
// file as the run goes.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "sim/energy/cycle_energy.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/report/figures.hpp"

namespace systole {

class UtilizationLog : public RunObserver {
 public:
  // `energy` prices each window for its power columns (nullopt: energy off,
  // or a table not in pJ).
  UtilizationLog(const std::string& path, std::int64_t window, long long pe_count, double clock_period_ns,
                 std::optional<CycleEnergy> energy = std::nullopt);

  // The header line, the columns' names.
  static void write_header(std::ostream& out);

  void begin_step(int layer, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  void on_cycles(const CycleActivity& activity, std::int64_t count, const Execution& execution) override;
  void on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                   const Execution& execution) override;
  // Up to the open window's end: its energy reads the buffer's counts then;
  // and, reading the DRAM's, up to the next DRAM read.
  std::int64_t max_run() const override { return std::min(window_, next_dram_read_) - open_.cycles; }
  // on_sequence reads the first cycle and the totals.
  bool reads_each_alike_cycle() const override { return false; }
  // Writes the open window and renames the file into place.
  void commit();

 private:
  // Inlined into on_cycle with a count of one: called once per cycle.
  void add_cycles(const CycleActivity& activity, std::int64_t count);
  void flush_window();

  AtomicFile file_;
  std::int64_t window_;
  long long pe_count_;
  double clock_period_ns_;
  int layer_ = 0;
  std::int64_t step_first_cycle_ = 0;
  std::optional<CycleEnergy> energy_;
  GroupEnergy window_energy_;
  CycleWindow open_;  // the window being summed
  // A window's energy reads the DRAM's commands every kDramReadEvery
  // cycles, at these cycles of the window: the DRAM keeps a history of
  // them for its readers only as far back as the last read.
  static constexpr std::int64_t kDramReadEvery = 4096;
  std::int64_t first_dram_read() const { return energy_ && energy_->reads_dram() ? kDramReadEvery : window_; }
  std::int64_t next_dram_read_;
  void read_dram_when_due();
};

}  // namespace systole
