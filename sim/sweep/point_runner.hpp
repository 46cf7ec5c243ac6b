#pragma once
// Runs a sweep's runs one after another in this process, on the one
// Accelerator the process has (SystemC elaborates once per process), and
// turns each into the rows the result store keeps. A run that cannot run
// (a bad combination of keys, a tile that does not fit) becomes a failed
// row with its one-line reason.

#include <atomic>
#include <map>
#include <optional>
#include <string>

#include "models/accelerator.hpp"
#include "sim/energy/energy_table.hpp"
#include "sim/sweep/result_store.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/workload/workload.hpp"

namespace systole {

class PointRunner {
 public:
  // `interrupt`, when set, stops the run in progress.
  PointRunner(Accelerator& accelerator, const SweepFile& sweep, const std::atomic<bool>* interrupt);

  // The run's rows; nothing when it was interrupted (it then leaves no row).
  std::optional<StoredRun> run(const SweepRun& run);
  // Wall-clock seconds the simulations themselves took, summed over runs.
  double simulation_seconds() const { return simulation_seconds_; }

 private:
  const Workload& workload(std::size_t index);
  const EnergyTable& table(const std::string& name);

  Accelerator& accelerator_;
  const SweepFile& sweep_;
  const std::atomic<bool>* interrupt_;
  std::map<std::size_t, Workload> workloads_;
  std::map<std::string, EnergyTable> tables_;
  double simulation_seconds_ = 0;
};

// The figures of a summary.json, by name ("totals.cycles"), each
// {value, unit}: those `keep` names (all when it is empty).
std::vector<std::pair<std::string, nlohmann::json>> summary_figure_values(const nlohmann::json& summary,
                                                                          const std::vector<std::string>& keep);

}  // namespace systole
