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
  // An array step of the layer begins: its cycle 0 is the layer's cycle
  // `first_cycle`, and with the DRAM model the DRAM's time `dram_start_fs`
  // (the memory controller's start, models/memory/memory_controller.hpp).
  virtual void begin_step(std::int64_t first_cycle, std::int64_t dram_start_fs) {
    (void)first_cycle;
    (void)dram_start_fs;
  }
  // In the layer's cycle `cycle` the array read (ifmap, filter) or wrote
  // (ofmap) `lanes`, one address per lane of the edge the operand passes
  // (-1: the lane is idle, or carries a padding value that is in no memory).
  virtual void sram(Operand operand, std::int64_t cycle, const std::vector<std::int64_t>& lanes) = 0;
};

}  // namespace systole
