#pragma once
// A hardware unit as a SystemC module: one clocked process advances the work
// it runs (an Execution) by one cycle per rising edge. Observers see every
// cycle's activity; they implement statistics and tracing without touching
// the hot path.

#include <cstdint>
#include <vector>

#include <systemc>

#include "models/execution.hpp"

namespace systole {

class CycleObserver {
 public:
  virtual ~CycleObserver() = default;
  virtual void on_cycle(const CycleActivity& activity, const Execution& execution) = 0;
};

class ClockedUnit : public sc_core::sc_module {
 public:
  sc_core::sc_in<bool> clk;

  SC_HAS_PROCESS(ClockedUnit);
  explicit ClockedUnit(const sc_core::sc_module_name& name);

  // Runs `execution` from the next rising edge. The simulation pauses when it
  // finishes and every `pause_interval` cycles, so the caller can report
  // progress or stop.
  void start(Execution& execution, std::int64_t pause_interval);
  // Detaches the running execution (after an interrupt).
  void stop() { execution_ = nullptr; }

  void add_observer(CycleObserver& observer) { observers_.push_back(&observer); }
  void remove_observer(CycleObserver& observer);

 private:
  void on_rising_edge();

  Execution* execution_ = nullptr;
  std::int64_t pause_interval_ = 0;
  std::int64_t cycles_since_pause_ = 0;
  std::vector<CycleObserver*> observers_;
};

}  // namespace systole
