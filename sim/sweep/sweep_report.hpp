#pragma once
// What `systole sweep report` writes from a sweep's merged results, into
// the results folder's report/:
//   runs.csv    one row per run of the sweep file's current points: status,
//               error, every architecture key, every kept figure
//   pareto.csv  the runs on the Pareto front of each workload
//   layers.csv  one row per layer of each completed run (the roofline's data)
// The plots (scripts/plot_sweep.py) read these.

#include <cstddef>
#include <string>
#include <vector>

#include "sim/sweep/pareto.hpp"
#include "sim/sweep/result_store.hpp"

namespace systole {

struct ReportCounts {
  std::size_t runs = 0;
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::size_t missing = 0;  // runs of the sweep with no row yet
  std::size_t on_front = 0;
  std::size_t without_axes = 0;  // completed runs missing a Pareto figure
};

// `runs` are the sweep's runs found in the results; `expected` how many the
// sweep has.
ReportCounts write_sweep_report(const std::vector<StoredRun>& runs, std::size_t expected,
                                const std::vector<ParetoAxis>& axes, const std::string& dir);

}  // namespace systole
