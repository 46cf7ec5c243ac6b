#pragma once
// VCD waveforms (GTKWave opens them): per-cycle signals (layer, fold, phase,
// and the aggregate figures declared in sim/report/figures.hpp: active PEs,
// bus words, DRAM bytes, buffer occupancy; the chip's power and each
// part's when energy is priced in pJ) and the registers of a window of
// PEs, each at its real width (operands at the data type's width, partial
// sums and accumulators at the accumulator's, two's complement; fp32 as
// reals), and their scratchpads entry by entry (`<name>.<address>`, with
// `<name>.count` the entries holding a value; an entry past them reads 0),
// recorded only inside a window of cycles so that the file's size is
// bounded by the window, not by the run. The timescale is the coarsest that
// keeps the clock's edges exact (sim/report/vcd_writer.hpp).

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "models/array/array_config.hpp"
#include "sim/energy/cycle_energy.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/report/vcd_writer.hpp"

namespace systole {

struct VcdOptions {
  std::string path;
  int row_first = 0, row_last = -1;  // PE window, inclusive; empty when last < first
  int col_first = 0, col_last = -1;
  std::int64_t cycle_first = 0, cycle_last = 99999;  // inclusive
  std::uint64_t max_bytes = 1'000'000'000;           // a window that may exceed it is refused
};

// What a trace with `options` declares: its signals (power signals for the
// parts `power` prices; none when null), and an upper bound of its file's
// size (every signal changing in every cycle of the window, power included).
std::vector<VcdSignal> vcd_signals(const VcdOptions& options, const ArrayConfig& array, const PeTraceLayout& pe,
                                   const PricedGroups* power);
std::uint64_t vcd_size_bound(const VcdOptions& options, const ArrayConfig& array, std::uint64_t clock_period_fs,
                             const PeTraceLayout& pe);

class VcdTracer : public RunObserver {
 public:
  // `pe`: what is traced of each PE of the window (the dataflow's).
  // `energy` prices each cycle for the power signals (nullopt: none).
  VcdTracer(const VcdOptions& options, const ArrayConfig& array, std::uint64_t clock_period_fs, PeTraceLayout pe,
            std::optional<CycleEnergy> energy = std::nullopt);

  void begin_step(int layer, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  // Closes the trace and renames it into place.
  void commit();

 private:
  struct TracedPe {
    int row, col;
    std::size_t first_signal;
  };

  VcdOptions options_;
  bool real_values_;
  PeTraceLayout traced_;
  std::vector<ScratchpadSnapshot> scratchpads_;  // the probed PE's, reused
  VcdTimescale timescale_;
  AtomicFile file_;
  std::optional<VcdWriter> writer_;
  std::int64_t step_first_cycle_ = 0;
  int running_layer_ = 0;
  std::vector<TracedPe> pes_;
  std::optional<CycleEnergy> energy_;
  double clock_period_ns_;
  // The power figures traced (power_figures() indices) and their signals.
  std::vector<std::pair<std::size_t, std::size_t>> power_signals_;
};

}  // namespace systole
