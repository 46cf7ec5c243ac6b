#pragma once
// A hardware unit as a SystemC module: one clocked process advances the work
// it runs (an Execution) by one cycle per clock edge. Observers see every
// cycle's activity; they implement statistics and tracing without touching
// the hot path.
//
// The clock is the process's own timing (an edge every period, from the
// start of the work), so each run sets its clock frequency. When the work
// waits on memory with nothing in flight, the process sleeps until memory
// reports a finished transfer and then catches up on the quiet cycles it
// slept through, cheaply and in runs, so observers still see every cycle.
//
// While the work is awake nothing outside it can change its coming cycles
// (with ideal memory nothing else runs; the DRAM's process runs only while
// a unit sleeps, models/dram/dram.hpp), so the process steps them all in
// one activation, ahead of SystemC's time (temporal decoupling), until the
// work finishes, sleeps on memory or a pause is due, and then lets
// SystemC's time catch up with the last cycle stepped before it sleeps,
// pauses or carries on. A kernel activation per cycle costs more than a
// cycle of a sparse array, or of one waiting on DRAM. Also, a run of cycles
// that the work proves identical to the one just stepped (a stationary
// load with nothing else in the array, an idle wait) is handed to the
// observers in one call, as long as every observer takes such runs, and
// so are the cycles the work knows without stepping them (a baseline
// fold's slot like one it has stepped before), in as few calls as the
// observers' runs allow.

#include <chrono>
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/cycle_totals.hpp"
#include "models/execution.hpp"

namespace systole {

class CycleObserver {
 public:
  virtual ~CycleObserver() = default;
  virtual void on_cycle(const CycleActivity& activity, const Execution& execution) = 0;
  // `count` consecutive cycles that each did what `activity` says (its
  // cycle is the first's), with count <= max_run(). By default, one
  // on_cycle per cycle.
  virtual void on_cycles(const CycleActivity& activity, std::int64_t count, const Execution& execution);
  // The longest run of cycles on_cycles takes from the next cycle on: by
  // default 1 (cycle by cycle). An observer whose figures are read by
  // another at some cycle (a window's end) ends its runs there, so that
  // every observer has counted exactly up to it.
  virtual std::int64_t max_run() const { return 1; }
  // `count` consecutive cycles (count <= max_run()), each its own activity,
  // and their totals. By default, one on_cycle per cycle.
  virtual void on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                           const Execution& execution);
  // The same, of cycles slept through, each from cycles[alike_from] on the
  // one before it but for its cycle and DRAM bytes
  // (Execution::step_quiet_run). By default, on_sequence.
  virtual void on_slept(const CycleActivity* cycles, std::int64_t count, std::int64_t alike_from,
                        const CycleTotals& totals, const Execution& execution);
  // Whether on_slept reads the cycles after cycles[alike_from], as by
  // default it does. Where no observer does, they are left unwritten.
  virtual bool reads_each_alike_cycle() const { return true; }
};

// What a unit waiting on memory sleeps on (the DRAM: models/dram/dram.hpp).
class MemoryWakeup {
 public:
  virtual ~MemoryWakeup() = default;
  // A unit sleeps from now until the returned event fires or `deadline`,
  // whichever comes first, and promises to start no transfer before it
  // wakes: the memory may run ahead of SystemC's time until then.
  virtual const sc_core::sc_event& sleep_until(const sc_core::sc_time& deadline) = 0;
};

class ClockedUnit : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(ClockedUnit);
  explicit ClockedUnit(const sc_core::sc_module_name& name);

  // Runs `execution` from the next edge, one period from now. The simulation
  // pauses when it finishes, every `pause_interval` cycles, and once
  // `pause_after` of wall-clock time has passed since the last pause (a
  // large array's cycles are slow), so the caller can report progress or
  // stop. With `memory`, quiet cycles spent waiting on memory are slept
  // through until it wakes the unit.
  void start(Execution& execution, const sc_core::sc_time& period, std::int64_t pause_interval,
             std::chrono::milliseconds pause_after, MemoryWakeup* memory = nullptr);
  // After a pause: carries on from the next edge.
  void resume() {
    paused_at_ = std::chrono::steady_clock::now();
    started_.notify(period_);
  }
  // Detaches the running execution (after an interrupt).
  void stop() { execution_ = nullptr; }

  // Quiet cycles slept through since construction.
  std::int64_t slept_cycles() const { return slept_cycles_; }
  // Cycles stepped as repeats of the one before them, in runs, since
  // construction (Execution::skip_repeats).
  std::int64_t repeated_cycles() const { return repeated_cycles_; }
  // Cycles the work replayed instead of stepping them, since construction
  // (Execution::replay).
  std::int64_t replayed_cycles() const { return replayed_cycles_; }

  void add_observer(CycleObserver& observer) { observers_.push_back(&observer); }
  void remove_observer(CycleObserver& observer);

 private:
  void on_edge();
  void step();
  // The quiet cycles slept through, handed to the observers in runs.
  void step_slept(std::int64_t count);
  // Whether the wall clock asks for a pause (read every 256 cycles or so).
  bool overdue();
  // The longest run of repeated cycles the observers take after this one.
  std::int64_t observers_max_run() const;
  // Whether the work now waits on memory with nothing in flight, so the
  // unit sleeps until the memory wakes it.
  bool sleeps() const { return memory_ != nullptr && execution_->waiting_on_memory(); }

  Execution* execution_ = nullptr;
  sc_core::sc_time period_;
  sc_core::sc_time last_edge_;  // when the last cycle was stepped
  MemoryWakeup* memory_ = nullptr;
  bool caught_up_pending_ = false;  // SystemC's time is catching up with last_edge_
  sc_core::sc_event started_;  // started or resumed: the process waits on nothing else while paused
  std::int64_t pause_interval_ = 0;
  std::chrono::milliseconds pause_after_{0};
  std::chrono::steady_clock::time_point paused_at_;
  std::int64_t cycles_since_pause_ = 0;
  std::int64_t clock_read_at_ = -256;  // the cycle since the pause the wall clock was last read in
  std::int64_t slept_cycles_ = 0;
  std::int64_t repeated_cycles_ = 0;
  std::int64_t replayed_cycles_ = 0;
  std::vector<CycleObserver*> observers_;
  std::vector<CycleActivity> slept_;  // the activities of a run of slept cycles
};

}  // namespace systole
