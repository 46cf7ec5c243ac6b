#pragma once
// Where an array step reports the buffer addresses its edges read and write,
// cycle by cycle, when a run records demand traces (systole run --traces:
// sim/report/scalesim_traces.hpp). Addresses are in SCALE-Sim's operand
// address spaces (sim/dataflow/scalesim_addresses.hpp).

#include <cstdint>
#include <vector>

#include "models/memory/buffer_config.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

class DemandTrace {
 public:
  virtual ~DemandTrace() = default;
  // The next demands belong to layer `index` (0-based), until end_layer().
  virtual void begin_layer(int index, const Layer& layer) = 0;
  virtual void end_layer() = 0;
  // In the layer's cycle `cycle` the array read (ifmap, filter) or wrote
  // (ofmap) `lanes`, one address per lane of the edge the operand passes
  // (-1: the lane is idle, or carries a padding value that is in no memory).
  virtual void sram(Operand operand, std::int64_t cycle, const std::vector<std::int64_t>& lanes) = 0;
};

}  // namespace systole
