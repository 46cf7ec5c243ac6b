#pragma once
// The systolic array as a SystemC module: one clocked process advances the
// whole PE grid by one cycle per rising edge (models/pe_array.hpp holds the
// registers, models/array_controller.hpp the sequencing). Observers see every
// cycle's activity; they implement statistics and tracing without touching
// the hot path.

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/array_execution.hpp"

namespace systole {

class CycleObserver {
 public:
  virtual ~CycleObserver() = default;
  virtual void on_cycle(const CycleActivity& activity, const ArrayExecution& execution) = 0;
};

class SystolicArray : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;

  SC_HAS_PROCESS(SystolicArray);
  explicit SystolicArray(const sc_core::sc_module_name& name);

  // Runs `execution` from the next rising edge. The simulation pauses when it
  // finishes and every `pause_interval` cycles, so the caller can report
  // progress or stop.
  void start(ArrayExecution& execution, std::int64_t pause_interval);
  // Detaches the running execution (after an interrupt).
  void stop() { execution_ = nullptr; }
  bool busy() const { return execution_ != nullptr; }

  void add_observer(CycleObserver& observer) { observers_.push_back(&observer); }
  void remove_observer(CycleObserver& observer);

 private:
  void on_rising_edge();

  ArrayExecution* execution_ = nullptr;
  std::int64_t pause_interval_ = 0;
  std::int64_t cycles_since_pause_ = 0;
  std::vector<CycleObserver*> observers_;
};

}  // namespace systole
