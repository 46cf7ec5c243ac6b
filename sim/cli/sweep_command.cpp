#include "sim/cli/sweep_command.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <iostream>
#include <thread>

#include <boost/program_options.hpp>
#include <spdlog/spdlog.h>

#include "sim/cli/held_log.hpp"
#include "sim/cli/option_values.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/sweep/local_pool.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/results_folder.hpp"
#include "sim/sweep/shard_worker.hpp"
#include "sim/sweep/slurm_array.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "sim/sweep/sweep_progress.hpp"
#include "sim/sweep/sweep_report.hpp"

namespace systole {

namespace po = boost::program_options;

namespace {

constexpr int kStopSignals[] = {SIGINT, SIGTERM, SIGHUP};
std::atomic<bool> g_stop{false};
std::atomic<int> g_stop_signal{0};

extern "C" void on_stop_signal(int signal) {
  g_stop_signal = signal;
  g_stop = true;
}

const char* const kSweepUsage =
    "Usage:\n"
    "  systole sweep run FILE [--jobs N]        run the sweep's runs on this machine's cores\n"
    "  systole sweep run FILE --shard i/n       run shard i of n (one Slurm array task)\n"
    "  systole sweep run FILE --slurm [--partition P --time T --array-limit K --tasks N]\n"
    "                                           submit the sweep as a Slurm job array\n"
    "  systole sweep status FILE [--wait]       runs completed, failed, left; Slurm tasks queued\n"
    "  systole sweep merge FILE                 merge the shard databases into results.db\n"
    "  systole sweep report FILE [--pareto A,B,C] [--no-plots]\n"
    "                                           CSV export, Pareto front, plots\n"
    "The sweep file's format: docs/sweeps.md.\n";

po::variables_map parse(int argc, char** argv, po::options_description& options) {
  options.add_options()("help,h", "show this help")("file", po::value<std::string>(), "the sweep file");
  po::positional_options_description positional;
  positional.add("file", 1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(options).positional(positional).run(), vm);
    po::notify(vm);
    reject_options_as_values(vm);
  } catch (const po::error& e) {
    throw InputError(e.what());
  }
  return vm;
}

void quiet_logging() {
  // Logs go to stderr (sim/cli/held_log.hpp), as they come: a worker's
  // stdout carries its finished runs.
  release_log_lines();
  spdlog::set_level(spdlog::level::warn);
}

struct LoadedSweep {
  SweepFile file;
  SweepPlan plan;
  ResultsFolder folder;
};

LoadedSweep load(const po::variables_map& vm) {
  if (!vm.count("file")) throw InputError("sweep: give the sweep file (systole sweep --help)");
  const std::string path = std::filesystem::absolute(vm["file"].as<std::string>()).lexically_normal().string();
  LoadedSweep sweep{read_sweep_file(path), {}, {}};
  sweep.plan = plan_sweep(sweep.file);
  sweep.folder.root = sweep.file.results_dir;
  return sweep;
}

struct Tally {
  std::size_t completed = 0, failed = 0, left = 0;
};
Tally tally(const SweepPlan& plan, const std::map<std::string, std::string>& statuses) {
  Tally counts;
  for (const SweepRun& run : plan.runs) {
    const auto status = statuses.find(run.hash);
    if (status == statuses.end()) ++counts.left;
    else if (status->second == "completed") ++counts.completed;
    else ++counts.failed;
  }
  return counts;
}

void install_stop_handlers() {
  for (int signal : kStopSignals) std::signal(signal, on_stop_signal);
}

// Runs what `next` gives into the writer's database.
int run_worker(const LoadedSweep& sweep, std::size_t total, const NextRun& next, const std::string& writer,
               bool notify) {
  ResultStore store(sweep.folder.shard_db(writer), true);
  Accelerator accelerator;
  PointRunner runner(accelerator, sweep.file, &g_stop);
  SweepProgress progress(total, !notify && isatty(STDERR_FILENO));
  std::size_t completed = 0, failed = 0;
  install_stop_handlers();
  const ShardOutcome outcome = run_pending(runner, next, store, g_stop, [&](const StoredRun& run) {
    ++(run.status == "completed" ? completed : failed);
    if (notify) {
      std::cout << notify_line(run.status, run.hash, run.error) << std::flush;
    } else {
      if (run.status == "failed") spdlog::warn("run {} failed: {}", run.hash, run.error);
      progress.update(completed, failed);
    }
  });
  if (!notify && total > 0) progress.finish();
  if (outcome.interrupted) return 128 + g_stop_signal.load();
  return 0;
}

// The runs the local pool hands out: positions in the plan, a line each.
NextRun runs_from_stdin(const SweepPlan& plan) {
  return [&plan]() -> const SweepRun* {
    std::string line;
    if (!std::getline(std::cin, line)) return nullptr;
    const auto index = parse_integer(line);
    if (!index || *index < 0 || static_cast<std::size_t>(*index) >= plan.runs.size())
      throw InputError("--runs-from-stdin: '" + line + "' is not a run of the sweep");
    return &plan.runs[static_cast<std::size_t>(*index)];
  };
}

int run_subcommand(int argc, char** argv) {
  po::options_description options("Options of sweep run");
  const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  options.add_options()
      ("jobs,j", po::value<std::size_t>()->default_value(cores), "worker processes on this machine (default: all cores)")
      ("shard", po::value<std::string>(), "run only shard i of n of the runs, in this process (i/n)")
      ("writer", po::value<std::string>(), "the shard's database name (default shard-i-of-n)")
      ("notify", po::bool_switch(), "print a line per finished run on stdout (for the local pool)")
      ("runs-from-stdin", po::bool_switch(), "run the runs whose positions stdin gives, a line each (for the local pool)")
      ("slurm", po::bool_switch(), "submit the sweep as a Slurm job array with sbatch")
      ("partition", po::value<std::string>(), "Slurm partition")
      ("time", po::value<std::string>(), "Slurm time limit of each task, e.g. 01:00:00")
      ("array-limit", po::value<std::size_t>()->default_value(0), "Slurm array tasks running at once (0: no limit)")
      ("tasks", po::value<std::size_t>(), "Slurm array tasks (default: one per 10 runs left, at most 1000)");
  const po::variables_map vm = parse(argc, argv, options);
  if (vm.count("help")) {
    std::cout << kSweepUsage << '\n' << options;
    return 0;
  }
  quiet_logging();
  const LoadedSweep sweep = load(vm);
  sweep.folder.create();

  const bool notify = vm["notify"].as<bool>();
  const auto writer_name = [&](const std::string& fallback) {
    const std::string writer = vm.count("writer") ? vm["writer"].as<std::string>() : fallback;
    if (writer.empty() || writer.find_first_of("/\\") != std::string::npos || writer[0] == '.')
      throw InputError("option --writer: '" + writer + "' is not a plain file name");
    return writer;
  };
  if (vm["runs-from-stdin"].as<bool>()) {
    if (vm.count("shard")) throw InputError("options --shard and --runs-from-stdin exclude each other");
    return run_worker(sweep, 0, runs_from_stdin(sweep.plan), writer_name("local"), notify);
  }
  if (vm.count("shard")) {
    const auto [index, count] = parse_shard(vm["shard"].as<std::string>());
    const std::vector<const SweepRun*> pending = pending_runs(sweep.plan, Shard{index, count}, sweep.folder.statuses());
    return run_worker(sweep, pending.size(), runs_in_order(pending),
                      writer_name("shard-" + std::to_string(index) + "-of-" + std::to_string(count)), notify);
  }

  const Tally before = tally(sweep.plan, sweep.folder.statuses());
  const std::size_t to_run = before.left + before.failed;
  std::cerr << "sweep '" << sweep.file.name << "': " << sweep.plan.points << " points ("
            << sweep.plan.pruned_points << " pruned by constraints) x " << sweep.file.workloads.size()
            << " workload(s) = " << sweep.plan.runs.size() << " runs; " << before.completed << " completed, "
            << to_run << " to run\n";

  if (vm["slurm"].as<bool>()) {
    if (to_run == 0) {
      std::cout << "nothing to submit: every run has completed\n";
      return 0;
    }
    // A task of an earlier array could write the database a new task of the
    // same shard writes: one writer per file.
    if (const SlurmQueue queue = slurm_queue(sweep.folder); queue.running + queue.pending > 0)
      throw InputError("option --slurm: the sweep's earlier job array still has " +
                       std::to_string(queue.running + queue.pending) +
                       " tasks queued or running: wait for them (systole sweep status FILE --wait) or scancel them");
    SlurmOptions slurm;
    if (vm.count("partition")) slurm.partition = vm["partition"].as<std::string>();
    if (vm.count("time")) slurm.time = vm["time"].as<std::string>();
    slurm.array_limit = vm["array-limit"].as<std::size_t>();
    slurm.tasks = vm.count("tasks") ? vm["tasks"].as<std::size_t>() : std::min<std::size_t>(1000, (to_run + 9) / 10);
    if (slurm.tasks < 1) throw InputError("option --tasks: must be at least 1");
    std::string id;
    try {
      id = submit_slurm_array(sweep.file, sweep.folder, sweep.file.path, slurm);
    } catch (const std::runtime_error& e) {
      throw InputError("option --slurm: " + std::string(e.what()));
    }
    std::cout << "submitted job array " << id << " (" << slurm.tasks << " tasks); follow it with: systole sweep status "
              << sweep.file.path << " --wait\n";
    return 0;
  }
  if (vm.count("partition") || vm.count("time") || vm.count("tasks") || !vm["array-limit"].defaulted())
    throw InputError("options --partition, --time, --tasks and --array-limit need --slurm");

  std::size_t jobs = vm["jobs"].as<std::size_t>();
  if (jobs < 1) throw InputError("option --jobs: must be at least 1");
  if (to_run == 0) {
    std::cout << "nothing to run: every run has completed\n";
    sweep.folder.merge();
    return 0;
  }
  // Never more workers than runs: a worker builds its plan and SystemC model first.
  jobs = std::min(jobs, to_run);
  install_stop_handlers();
  const std::map<std::string, std::string> statuses = sweep.folder.statuses();
  std::vector<std::size_t> pending;
  for (std::size_t r = 0; r < sweep.plan.runs.size(); ++r) {
    const auto status = statuses.find(sweep.plan.runs[r].hash);
    if (status == statuses.end() || status->second != "completed") pending.push_back(r);
  }
  const LocalOutcome outcome = run_local_pool(sweep.file.path, jobs, pending, g_stop);
  sweep.folder.merge();
  const Tally after = tally(sweep.plan, sweep.folder.statuses());
  std::cout << "sweep '" << sweep.file.name << "': " << after.completed << " of " << sweep.plan.runs.size()
            << " runs completed, " << after.failed << " failed, " << after.left << " not run; results in "
            << sweep.folder.merged_db() << "\n";
  for (std::size_t i = 0; i < outcome.failures.size() && i < 5; ++i)
    std::cout << "  failed: " << outcome.failures[i] << "\n";
  if (outcome.failures.size() > 5) std::cout << "  ... and " << outcome.failures.size() - 5 << " more\n";
  if (outcome.interrupted) return 128 + g_stop_signal.load();
  if (outcome.worker_crashed) {
    std::cerr << "systole: error: a sweep worker ended abnormally; re-run to finish the sweep\n";
    return 1;
  }
  return 0;
}

int status_subcommand(int argc, char** argv) {
  po::options_description options("Options of sweep status");
  options.add_options()
      ("wait", po::bool_switch(), "block until the sweep's Slurm jobs have ended, then merge")
      ("interval", po::value<double>()->default_value(10), "seconds between checks with --wait");
  const po::variables_map vm = parse(argc, argv, options);
  if (vm.count("help")) {
    std::cout << kSweepUsage << '\n' << options;
    return 0;
  }
  quiet_logging();
  const LoadedSweep sweep = load(vm);
  const double interval = vm["interval"].as<double>();
  if (!(interval > 0)) throw InputError("option --interval: must be positive");
  install_stop_handlers();
  for (;;) {
    const SlurmQueue queue = slurm_queue(sweep.folder);
    const Tally counts = tally(sweep.plan, sweep.folder.statuses());
    std::cout << "sweep '" << sweep.file.name << "': " << sweep.plan.runs.size() << " runs: " << counts.completed
              << " completed, " << counts.failed << " failed, " << counts.left << " not run";
    if (queue.jobs > 0)
      std::cout << "; Slurm: " << queue.running << " tasks running, " << queue.pending << " pending";
    std::cout << std::endl;
    if (!vm["wait"].as<bool>() || queue.running + queue.pending == 0) break;
    for (double slept = 0; slept < interval && !g_stop; slept += 0.1)
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (g_stop) return 128 + g_stop_signal.load();
  }
  if (vm["wait"].as<bool>()) sweep.folder.merge();
  return 0;
}

int merge_subcommand(int argc, char** argv) {
  po::options_description options("Options of sweep merge");
  const po::variables_map vm = parse(argc, argv, options);
  if (vm.count("help")) {
    std::cout << kSweepUsage << '\n' << options;
    return 0;
  }
  quiet_logging();
  const LoadedSweep sweep = load(vm);
  const std::size_t shards = sweep.folder.shard_dbs().size();
  const std::size_t changed = sweep.folder.merge();
  const ResultStore merged(sweep.folder.merged_db(), false);
  std::cout << "merged " << shards << " shard database(s) into " << sweep.folder.merged_db() << ": " << changed
            << " runs added or updated, " << merged.statuses().size() << " runs in all\n";
  return 0;
}

int report_subcommand(int argc, char** argv) {
  po::options_description options("Options of sweep report");
  options.add_options()
      ("pareto", po::value<std::string>()->default_value("totals.time,energy.total,area.total"),
       "figures of the Pareto front, comma-separated; max:FIGURE maximizes (default minimizes)")
      ("no-plots", po::bool_switch(), "write the CSV files only (plots need /usr/bin/python3 with matplotlib)");
  const po::variables_map vm = parse(argc, argv, options);
  if (vm.count("help")) {
    std::cout << kSweepUsage << '\n' << options;
    return 0;
  }
  quiet_logging();
  const std::vector<ParetoAxis> axes = parse_pareto_axes(vm["pareto"].as<std::string>());
  const LoadedSweep sweep = load(vm);
  if (!std::filesystem::exists(sweep.folder.root))
    throw InputError(sweep.file.path + ": no results yet in '" + sweep.folder.root + "' (systole sweep run)");
  sweep.folder.create();
  sweep.folder.merge();
  std::set<std::string> hashes;
  for (const SweepRun& run : sweep.plan.runs) hashes.insert(run.hash);
  const ResultStore merged(sweep.folder.merged_db(), false);
  const std::string dir = sweep.folder.report_dir();
  const ReportCounts counts = write_sweep_report(merged.load(hashes, true), hashes.size(), axes, dir);
  std::cout << "sweep '" << sweep.file.name << "': " << counts.completed << " completed, " << counts.failed
            << " failed, " << counts.missing << " not run; " << counts.on_front << " on the Pareto front";
  if (counts.without_axes > 0) std::cout << " (" << counts.without_axes << " runs lack a Pareto figure)";
  std::cout << "\nwrote " << dir << "/runs.csv, pareto.csv, layers.csv\n";
  std::cout << std::flush;
  if (vm["no-plots"].as<bool>()) return 0;
  const std::string command = "/usr/bin/python3 " + shell_quote(std::string(SYSTOLE_SCRIPT_DIR) + "/plot_sweep.py") +
                              " " + shell_quote(dir);
  const int status = std::system(command.c_str());
  if (status != 0) {
    std::cerr << "systole: error: the plots failed (" << command
              << "; they need python3-matplotlib); the CSV files are written\n";
    return 1;
  }
  return 0;
}

}  // namespace

int sweep_command(int argc, char** argv) {
  const std::string sub = argc >= 2 ? argv[1] : "";
  if (sub.empty() || sub == "--help" || sub == "-h" || sub == "help") {
    (sub.empty() ? std::cerr : std::cout) << kSweepUsage;
    return sub.empty() ? 2 : 0;
  }
  if (sub == "run") return run_subcommand(argc - 1, argv + 1);
  if (sub == "status") return status_subcommand(argc - 1, argv + 1);
  if (sub == "merge") return merge_subcommand(argc - 1, argv + 1);
  if (sub == "report") return report_subcommand(argc - 1, argv + 1);
  throw InputError("sweep: unknown subcommand '" + sub + "' (run, status, merge or report)");
}

}  // namespace systole
