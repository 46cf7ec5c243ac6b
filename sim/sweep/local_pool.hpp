#pragma once
// A sweep on this machine's cores: `jobs` worker processes, each this
// executable running `sweep run FILE --runs-from-stdin` into its own
// database. The pool hands each worker one run at a time (its position in
// the sweep's plan, a line on the worker's stdin) and the next when the
// worker reports it finished (a line on its stdout: "completed HASH",
// "failed HASH REASON"), so a worker that drew short runs takes more of
// them; the reports also feed the progress line. A stop signal is passed on
// to the workers, which finish nothing half-way.

#include <atomic>
#include <cstddef>
#include <string>
#include <vector>

namespace systole {

struct LocalOutcome {
  std::size_t completed = 0;
  std::size_t failed = 0;
  std::vector<std::string> failures;  // "HASH REASON", in the order they came
  bool interrupted = false;
  bool worker_crashed = false;
};

// Runs the runs at `pending` (positions in the sweep's plan) on `jobs` workers.
LocalOutcome run_local_pool(const std::string& sweep_path, std::size_t jobs, const std::vector<std::size_t>& pending,
                            const std::atomic<bool>& interrupt);

// The path of the running executable (workers and Slurm tasks run it).
std::string systole_executable();

// The line a worker writes for a finished run.
std::string notify_line(const std::string& status, const std::string& hash, const std::string& error);

}  // namespace systole
