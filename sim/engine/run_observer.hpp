#pragma once
// Something that follows a run cycle by cycle and needs to know where in the
// run it is (statistics files, waveforms): each step of each layer is
// announced with the run cycle it starts at, since the cycles an execution
// reports count from its own start.

#include <cstdint>

#include "models/clocked_unit.hpp"

namespace systole {

class RunObserver : public CycleObserver {
 public:
  // The next cycles belong to layer `layer`, and the execution's cycle 0 is
  // the run's cycle `first_cycle`.
  virtual void begin_step(int layer, std::int64_t first_cycle) = 0;
};

}  // namespace systole
