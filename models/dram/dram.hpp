#pragma once
// The DRAM as a SystemC module: one process on the DRAM's own clock that
// runs the DRAM backend attached for a run (models/dram/dram_backend.hpp)
// while a unit sleeps waiting on memory (models/clocked_unit.hpp), and wakes
// it when a transfer completes.
//
// Whoever reads the DRAM's state advances it to its own time first (the
// memory controller at each accelerator edge), so while the units are awake
// this process has nothing to do and does not run. While one sleeps, no
// transfer can start before it wakes: the process runs the DRAM ahead of
// SystemC's time, from one DRAM cycle in which something can happen (a
// command may issue, data ends, a refresh is due) to the next, and over
// whole periods of a steady stream of bursts at once, in one activation,
// until a transfer completes or the sleeper's deadline comes, and wakes the
// sleeper at the end of the DRAM cycle in which the transfer completed.
//
// The attached system's time 0 is the moment it is attached; times are
// SystemC time values, which count femtoseconds (models/accelerator.hpp).

#include <cstdint>

#include <systemc>

#include "models/clocked_unit.hpp"
#include "models/dram/dram_backend.hpp"

namespace systole {

class Dram : public sc_core::sc_module, public MemoryWakeup {
 public:
  SC_HAS_PROCESS(Dram);
  explicit Dram(const sc_core::sc_module_name& name);

  void attach(DramBackend& system);
  void detach(const DramBackend& system);  // if it is the one attached
  // The attached system's time now, in femtoseconds.
  std::int64_t time_fs() const;
  // Fires at the end of the DRAM cycle in which a transfer completed while
  // a unit slept.
  const sc_core::sc_event& sleep_until(const sc_core::sc_time& deadline) override;

 private:
  void on_clock();

  DramBackend* system_ = nullptr;
  sc_core::sc_time origin_;
  // The sleeper's deadline, as a time of the attached system; none (-1)
  // while no unit sleeps.
  std::int64_t sleeper_deadline_fs_ = -1;
  // The time the DRAM has run ahead to: a transfer started before it would
  // enter the DRAM's past.
  std::int64_t ahead_to_fs_ = 0;
  sc_core::sc_event sleeper_;  // a unit started to sleep
  sc_core::sc_event transfer_finished_;
};

}  // namespace systole
