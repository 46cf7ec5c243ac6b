#pragma once
// A sweep as a Slurm job array: a script whose task i runs
// `systole sweep run FILE --shard i/n`, submitted with sbatch; the IDs of
// the submitted jobs are kept in the results folder (slurm/jobs) for
// `systole sweep status`, which asks squeue how many tasks are left.

#include <cstddef>
#include <string>

#include "sim/sweep/results_folder.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace systole {

struct SlurmOptions {
  std::string partition;  // empty: the cluster's default
  std::string time;       // a task's limit, e.g. 01:00:00; empty: the partition's
  std::size_t array_limit = 0;  // tasks running at once; 0: no limit
  std::size_t tasks = 1;
};

// The job script for `executable` running the sweep at `sweep_path`.
std::string slurm_script(const SweepFile& sweep, const ResultsFolder& folder, const std::string& executable,
                         const std::string& sweep_path, const SlurmOptions& options);

// Writes the script into the results folder and submits it; returns the job
// ID. Throws std::runtime_error with sbatch's message when it refuses.
std::string submit_slurm_array(const SweepFile& sweep, const ResultsFolder& folder, const std::string& sweep_path,
                               const SlurmOptions& options);

struct SlurmQueue {
  std::size_t pending = 0;  // array tasks waiting
  std::size_t running = 0;  // array tasks running (or finishing)
  std::size_t jobs = 0;     // jobs submitted for this sweep
};
// The tasks of the sweep's jobs that are still queued.
SlurmQueue slurm_queue(const ResultsFolder& folder);

// `text` quoted for a POSIX shell.
std::string shell_quote(const std::string& text);

}  // namespace systole
