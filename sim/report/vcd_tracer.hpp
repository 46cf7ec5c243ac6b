#pragma once
// VCD waveforms through SystemC's tracing (GTKWave opens them): per-cycle
// signals (layer, fold, phase, and the aggregate figures declared in
// sim/report/figures.hpp: active PEs, bus words, DRAM bytes, buffer
// occupancy; the chip's power and each part's, when energy is priced in pJ) and the registers of a window of PEs, sampled only inside a window of cycles so the file's size is
// bounded by the window, not by the run.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "models/array/array_config.hpp"
#include "sim/energy/cycle_energy.hpp"
#include "sim/engine/run_observer.hpp"

namespace systole {

struct VcdOptions {
  std::string path;
  int row_first = 0, row_last = -1;  // PE window, inclusive; empty when last < first
  int col_first = 0, col_last = -1;
  std::int64_t cycle_first = 0, cycle_last = 99999;  // inclusive
};

class VcdTracer : public RunObserver {
 public:
  // Must be built before the simulation first starts. `registers`: those
  // traced for each PE of the window (the dataflow's).
  // `energy`: prices each cycle for the power signals (nullopt: none).
  VcdTracer(const VcdOptions& options, const ArrayConfig& array, std::vector<PeRegister> registers,
            double clock_period_ns, std::optional<CycleEnergy> energy = std::nullopt);
  ~VcdTracer() override;

  void begin_step(int layer, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  // Closes the trace and renames it into place.
  void commit();

 private:
  struct PeMirror {
    int row, col;
    sc_dt::int64 values[8];
    double reals[8];
  };
  static double read(const PeSnapshot& snap, PeRegister reg);

  VcdOptions options_;
  bool real_values_;
  std::vector<PeRegister> traced_registers_;
  sc_core::sc_trace_file* file_ = nullptr;
  std::string partial_stem_;
  std::int64_t step_first_cycle_ = 0;
  unsigned running_layer_ = 0;
  // Traced values: they change only inside the cycle window.
  unsigned layer_ = 0;
  int fold_ = -1;
  unsigned phase_ = 0;
  std::vector<unsigned> figures_;  // per cycle_figures() entry
  double clock_period_ns_;
  std::optional<CycleEnergy> energy_;
  std::vector<double> power_;  // per power_figures() entry the energy prices
  std::vector<PeMirror> pes_;
};

}  // namespace systole
