#pragma once
// Several layers, or parts of one, simulated at once (`systole run
// --threads N`). With ideal memory nothing carries from one step of a layer
// (a GEMM or a vector operation) to the next: each draws its operands from
// the seed and its own position, the buffer begins every step afresh, and
// utilization.csv's windows never span two steps. So a run of steps can be
// simulated alone, from cycle 0, in a worker process of its own, and its
// results, shifted to the run cycle the steps before it end at and added up
// in order, are those of a serial run, byte for byte. Workers are processes,
// not threads, because SystemC holds one simulation per process.
//
// The run is cut into parts (whole layers, long layers into runs of steps);
// workers take the next part as they become free and leave its statistics
// and utilization rows in a scratch folder; the parent merges them in order
// as soon as each part's predecessors are in, so the output streams and the
// parent holds one layer's statistics at a time. On Ctrl-C or SIGTERM the
// workers stop within one pause interval and the reports hold the layers
// finished in order, then the interrupted one, as a serial run's do.

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "sim/engine/simulator.hpp"
#include "sim/report/utilization_log.hpp"

namespace systole {

// What a worker writes a part's utilization.csv rows with: a log into
// `path` observing `simulator`, which drives `accelerator`.
using UtilizationLogFactory =
    std::function<std::unique_ptr<UtilizationLog>(Accelerator& accelerator, Simulator& simulator,
                                                  const std::string& path)>;

struct LayerPoolOptions {
  int workers = 2;
  // Where the workers leave their results (a folder is made inside and
  // removed at the end).
  std::string scratch_parent;
  // utilization.csv's rows go here, after its header, when set.
  std::ostream* utilization = nullptr;
  UtilizationLogFactory utilization_log;
};

// Why this run's layers cannot run apart (empty: they can).
std::string layer_pool_problem(const ArchConfig& arch);

// Runs `workload` as Simulator::run would, spread over `pool.workers`
// processes.
RunResult run_layer_pool(const ArchConfig& arch, const RunOptions& options, const Workload& workload,
                         const LayerPoolOptions& pool);

}  // namespace systole
