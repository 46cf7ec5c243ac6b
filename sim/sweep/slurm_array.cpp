#include "sim/sweep/slurm_array.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sim/config/text.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/sweep/local_pool.hpp"

namespace systole {

namespace {

struct CommandOutput {
  int exit_code = -1;
  std::string text;  // stdout and stderr together
};

CommandOutput run_command(const std::string& command) {
  CommandOutput output;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run '" + command + "'");
  char chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) output.text.append(chunk, got);
  const int status = pclose(pipe);
  output.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return output;
}

std::string jobs_file(const ResultsFolder& folder) { return folder.slurm_dir() + "/jobs"; }

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string slurm_script(const SweepFile& sweep, const ResultsFolder& folder, const std::string& executable,
                         const std::string& sweep_path, const SlurmOptions& options) {
  std::ostringstream script;
  script << "#!/bin/sh\n"
         << "# systole sweep '" << sweep.name << "' as a job array: task i runs shard i of " << options.tasks
         << ".\n"
         << "#SBATCH --job-name=systole-sweep\n"
         << "#SBATCH --array=0-" << options.tasks - 1;
  if (options.array_limit > 0) script << '%' << options.array_limit;
  script << "\n#SBATCH --output=" << folder.slurm_dir() << "/task-%A_%a.out\n"
         << "#SBATCH --ntasks=1\n#SBATCH --cpus-per-task=1\n";
  if (!options.partition.empty()) script << "#SBATCH --partition=" << options.partition << '\n';
  if (!options.time.empty()) script << "#SBATCH --time=" << options.time << '\n';
  script << "exec " << shell_quote(executable) << " sweep run " << shell_quote(sweep_path)
         << " --shard \"$SLURM_ARRAY_TASK_ID/" << options.tasks << "\"\n";
  return script.str();
}

std::string submit_slurm_array(const SweepFile& sweep, const ResultsFolder& folder, const std::string& sweep_path,
                               const SlurmOptions& options) {
  const std::string path = folder.slurm_dir() + "/sweep.sbatch";
  {
    AtomicFile script(path);
    script.stream() << slurm_script(sweep, folder, systole_executable(), sweep_path, options);
    script.commit();
  }
  const CommandOutput submitted = run_command("sbatch --parsable " + shell_quote(path));
  const std::string id = trim(submitted.text.substr(0, submitted.text.find(';')));
  if (submitted.exit_code != 0 || !parse_integer(id))
    throw std::runtime_error("sbatch refused " + path + ": " + printable(trim(submitted.text)));
  std::ofstream(jobs_file(folder), std::ios::app) << id << '\n';
  return id;
}

SlurmQueue slurm_queue(const ResultsFolder& folder) {
  SlurmQueue queue;
  std::ifstream jobs(jobs_file(folder));
  for (std::string id; std::getline(jobs, id);) {
    if (!parse_integer(trim(id))) continue;
    ++queue.jobs;
    // A job squeue no longer knows has ended.
    const CommandOutput listed = run_command("squeue --noheader --array --jobs=" + trim(id) + " --format=%T");
    if (listed.exit_code != 0) continue;
    std::istringstream states(listed.text);
    for (std::string state; states >> state;) {
      if (state == "PENDING" || state == "CONFIGURING" || state == "REQUEUED") ++queue.pending;
      else if (state == "RUNNING" || state == "COMPLETING" || state == "SUSPENDED") ++queue.running;
    }
  }
  return queue;
}

}  // namespace systole
