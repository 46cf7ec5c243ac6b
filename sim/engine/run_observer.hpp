#pragma once
// Something that follows a run cycle by cycle and needs to know where each
// layer begins (statistics files, waveforms).

#include <cstdint>

#include "models/array/systolic_array.hpp"

namespace systole {

class RunObserver : public CycleObserver {
 public:
  virtual void begin_layer(int index, std::int64_t first_cycle) = 0;
};

}  // namespace systole
