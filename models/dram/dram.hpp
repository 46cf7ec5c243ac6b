#pragma once
// The DRAM as a SystemC module: one process on the DRAM's own clock that
// runs the DRAM backend attached for a run
// (models/dram/dram_backend.hpp). It wakes only at the ends of DRAM cycles in which
// something can happen (a command may issue, data ends, a refresh is due) or
// when a transfer is started, and notifies `transfer_finished` when
// transfers complete: an array waiting on memory sleeps until then
// (models/clocked_unit.hpp).
//
// The attached system's time 0 is the moment it is attached; times are
// SystemC time values, which count femtoseconds (models/accelerator.hpp).

#include <cstdint>

#include <systemc>

#include "models/dram/dram_backend.hpp"

namespace systole {

class Dram : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Dram);
  explicit Dram(const sc_core::sc_module_name& name);

  void attach(DramBackend& system);
  void detach(const DramBackend& system);  // if it is the one attached
  // The attached system's time now, in femtoseconds.
  std::int64_t time_fs() const;
  const sc_core::sc_event& transfer_finished() const { return transfer_finished_; }

 private:
  void on_clock();

  DramBackend* system_ = nullptr;
  sc_core::sc_time origin_;
  sc_core::sc_event replan_;  // a system attached or a transfer started
  sc_core::sc_event transfer_finished_;
};

}  // namespace systole
