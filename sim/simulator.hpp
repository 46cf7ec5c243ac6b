#pragma once
// The run loop: for each layer of a workload, map it onto the array, build its
// data and program, clock the SystemC model until the layer's last result has
// left the array, check the results against the reference when asked, and
// collect the layer's statistics.

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "models/systolic_array.hpp"
#include "sim/arch_config.hpp"
#include "sim/layer_stats.hpp"
#include "sim/progress.hpp"
#include "sim/run_observer.hpp"
#include "sim/workload.hpp"

namespace systole {

struct RunOptions {
  std::uint64_t seed = 1;
  bool verify = false;
  bool show_progress = false;
  // Cycles between returns to the run loop (progress, Ctrl-C).
  std::int64_t pause_interval = 1 << 16;
  const std::atomic<bool>* interrupt = nullptr;
};

class Simulator : private CycleObserver {
 public:
  Simulator(ArchConfig arch, RunOptions options);
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void add_observer(RunObserver& observer);
  RunResult run(const Workload& workload);

 private:
  template <class Op, class Acc>
  void run_layers(const Workload& workload, RunResult& result);
  template <class Op, class Acc>
  bool run_layer(const Layer& layer, int index, RunResult& result, ProgressLine& progress);
  void on_cycle(const CycleActivity& activity, const ArrayExecution& execution) override;

  ArchConfig arch_;
  RunOptions options_;
  std::vector<RunObserver*> observers_;
  std::int64_t layer_macs_ = 0;
};

}  // namespace systole
