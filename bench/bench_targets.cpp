// Issue 14's targets measured side by side in one run, on the real `systole`
// binary as a user runs it: each run is a child process, and its user + sys
// CPU seconds, wall seconds and peak resident memory come from wait4's
// rusage.
//
//   zoo       every workloads/*.yaml network but the LLM decoder on
//             systole-128x128 (WS, ideal memory): computing, timing-only
//             (--compute off) and DDR4-2400, the three alternating round by
//             round; targets: each < 2 s wall, the whole zoo < 10 s, DRAM
//             within 3x of ideal memory (the median of the rounds' ratios).
//   scalesim  the SCALE-Sim cases at 32x32 and 128x128 (their exact config
//             and topology): Systole's CPU seconds against SCALE-Sim v2's
//             (read from ../shared/scalesim/TIMINGS.md); target >= 100x.
//             Before them, the start of an empty SystemC program: a miss
//             that would need a run shorter than it is marked MISS*.
//   big       four large SCALE-Sim topologies on systole-128x128: wall and
//             peak memory; targets < 60 s and < 2 GB.
//   llm       workloads/llama7b_decoder.yaml on 256x256, timing-only;
//             target < 60 s.
//
// Figures are medians over --repeat runs (peak memory: the largest). The
// machine may be shared: wall seconds then include waiting for a core, CPU
// seconds do not.

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

extern char** environ;

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kExitBadInput = 2;
constexpr double kTermGraceSeconds = 10;
// Issue 14's targets.
constexpr double kNetworkWallTarget = 2;
constexpr double kZooWallTarget = 10;
constexpr double kDramRatioTarget = 3;
constexpr double kScaleSimSpeedupTarget = 100;
constexpr double kBigWallTarget = 60;
constexpr double kBigRssTargetBytes = 2e9;
constexpr double kLlmWallTarget = 60;
constexpr int kStartRuns = 11;
constexpr double kStartTimeoutSeconds = 10;

const char* const kUsage =
    "usage: systole_bench_targets [--only zoo,scalesim,big,llm] [--quick] [--repeat N] [--cases REGEX]\n"
    "                             [--timeout S] [--compute-limit-mb MB] [--threads N] [--csv FILE] [--systole PATH]\n"
    "                             [--shared DIR]\n";

const char* const kHelp =
    "Measures issue 14's targets with the systole binary, each run a child process:\n"
    "  zoo       workloads/*.yaml (all but llama7b_decoder) on systole-128x128: computing, --compute off,\n"
    "            --memory dram --dram ddr4-2400; each < 2 s wall, zoo < 10 s, DRAM <= 3x ideal\n"
    "  scalesim  SCALE-Sim cases 32x32_* and 128x128_* with --threads N: SCALE-Sim v2's CPU s (TIMINGS.md)\n"
    "            against Systole's wall s, and against its CPU s (user + sys, all processes); >= 100x on wall;\n"
    "            MISS* where 100x needs a run shorter than an empty SystemC program's start (timed first)\n"
    "  big       unet2d, UNet_2d, Resnet50_4k_no_pool, DeepBench_DenseMatrixMultiplication on 128x128:\n"
    "            < 60 s wall and < 2 GB (2e9 bytes) peak RSS\n"
    "  llm       llama7b_decoder.yaml on 256x256 with --compute off and --threads N: < 60 s wall\n"
    "The zoo's targets are on one core and the big topologies' memory is one process's: they run serially.\n"
    "Options:\n"
    "  --only LIST            sections to run, comma separated (default: all)\n"
    "  --quick                one run each, SCALE-Sim alexnet and Resnet18 at both sizes only, timeout 60 s\n"
    "  --repeat N             runs per measurement, medians reported (default 3; --quick: 1)\n"
    "  --cases REGEX          SCALE-Sim cases whose name matches (default: all 32x32_* and 128x128_*)\n"
    "  --timeout S            a run still going after S seconds is stopped and reported as timeout (default 120)\n"
    "  --compute-limit-mb MB  passed to the big topologies' runs (default 1024)\n"
    "  --threads N            passed to the SCALE-Sim and LLM runs (default 2: this machine's two cores)\n"
    "  --csv FILE             also write every measurement as CSV\n"
    "  --systole PATH         the systole binary (default: the one built beside this benchmark)\n"
    "  --shared DIR           the shared reference folder holding scalesim/ (default: ../shared beside the source)\n";

const std::vector<std::string> kSections = {"zoo", "scalesim", "big", "llm"};
const char* const kQuickCases = "^(32x32|128x128)_os_(alexnet|Resnet18)$";
const std::vector<std::string> kBigTopologies = {
    "GEMM_mnk/unet2d.csv", "conv_nets/UNet_2d.csv", "conv_nets/Resnet50_4k_no_pool.csv",
    "CSV/DeepBench_DenseMatrixMultiplication.csv"};

struct Options {
  std::set<std::string> sections{kSections.begin(), kSections.end()};
  bool quick = false;
  std::optional<int> repeat;
  std::optional<std::string> cases;
  std::optional<double> timeout;
  long compute_limit_mb = 1024;
  long threads = 2;
  std::string csv;
  fs::path systole;
  fs::path shared = SYSTOLE_SHARED_DIR;
  fs::path workloads = fs::path(SYSTOLE_SOURCE_DIR) / "workloads";

  int runs() const { return repeat.value_or(quick ? 1 : 3); }
  double timeout_seconds() const { return timeout.value_or(quick ? 60 : 120); }
};

[[noreturn]] void bad_input(const std::string& message) {
  std::fprintf(stderr, "systole_bench_targets: %s\n", message.c_str());
  std::exit(kExitBadInput);
}

long positive_integer(const std::string& option, const std::string& text) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || value < 1)
    bad_input(option + ": '" + text + "' is not a positive integer");
  return value;
}

// The systole built with this benchmark; else one beside it (build/ or
// build/bench/).
fs::path default_systole(const char* argv0) {
  if (fs::exists(SYSTOLE_BINARY)) return SYSTOLE_BINARY;
  std::error_code error;
  const fs::path self = fs::canonical("/proc/self/exe", error);
  const fs::path here = error ? fs::path(argv0).parent_path() : self.parent_path();
  for (const fs::path& candidate : {here / "systole", here.parent_path() / "systole"})
    if (fs::exists(candidate)) return candidate;
  return SYSTOLE_BINARY;
}

Options parse_options(int argc, char** argv) {
  Options options;
  options.systole = default_systole(argv[0]);
  for (int i = 1; i < argc; ++i) {
    const std::string option = argv[i];
    if (option == "--help" || option == "-h") {
      std::printf("%s\n%s", kUsage, kHelp);
      std::exit(0);
    }
    if (option == "--quick") {
      options.quick = true;
      continue;
    }
    const bool takes_value = option == "--only" || option == "--repeat" || option == "--cases" ||
                             option == "--timeout" || option == "--compute-limit-mb" || option == "--threads" || option == "--csv" ||
                             option == "--systole" || option == "--shared";
    if (!takes_value) bad_input("unknown option '" + option + "' (--help lists them)");
    if (i + 1 >= argc) bad_input(option + " needs a value");
    const std::string value = argv[++i];
    if (option == "--only") {
      options.sections.clear();
      std::stringstream list(value);
      for (std::string section; std::getline(list, section, ',');) {
        if (std::find(kSections.begin(), kSections.end(), section) == kSections.end())
          bad_input("--only: unknown section '" + section + "' (zoo, scalesim, big or llm)");
        options.sections.insert(section);
      }
      if (options.sections.empty()) bad_input("--only: no section given");
    } else if (option == "--repeat") {
      options.repeat = static_cast<int>(positive_integer(option, value));
    } else if (option == "--cases") {
      try {
        std::regex check(value);
      } catch (const std::regex_error& error) {
        bad_input("--cases: '" + value + "' is not a regular expression (" + error.what() + ")");
      }
      options.cases = value;
    } else if (option == "--timeout") {
      options.timeout = static_cast<double>(positive_integer(option, value));
    } else if (option == "--compute-limit-mb") {
      options.compute_limit_mb = positive_integer(option, value);
    } else if (option == "--threads") {
      options.threads = positive_integer(option, value);
    } else if (option == "--csv") {
      options.csv = value;
    } else if (option == "--systole") {
      options.systole = value;
    } else {
      options.shared = value;
    }
  }
  if (!fs::is_regular_file(options.systole) || access(options.systole.c_str(), X_OK) != 0)
    bad_input("the systole binary '" + options.systole.string() + "' is not there or not executable (--systole PATH)");
  return options;
}

// --- Child processes -------------------------------------------------------

// Set by SIGINT, SIGTERM or SIGHUP to the benchmark: the running child is
// stopped, what was measured is printed, and the benchmark exits.
volatile sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop(int signal) { g_stop_signal = signal; }

struct Run {
  double wall = 0;
  double cpu = 0;  // user + sys
  long rss_kb = 0;
  int exit_code = 0;
  bool timed_out = false;
  std::string last_error;  // the last line the run wrote to stderr
  nlohmann::json summary;  // summary.json, when the run wrote one
};

double seconds(const timeval& time) { return static_cast<double>(time.tv_sec) + 1e-6 * static_cast<double>(time.tv_usec); }

std::string last_line(const fs::path& file) {
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  return last;
}

// Waits for the child until `deadline`; true once it has been reaped.
// A stop signal to the benchmark ends the wait early unless `whatever_comes`.
bool reap_before(pid_t pid, Clock::time_point deadline, int& status, rusage& usage, bool whatever_comes = false) {
  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  for (;;) {
    if (wait4(pid, &status, WNOHANG, &usage) == pid) return true;
    const auto left = deadline - Clock::now();
    if (left <= Clock::duration::zero() || (g_stop_signal && !whatever_comes)) return false;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec wait{static_cast<time_t>(ns / 1000000000), static_cast<long>(ns % 1000000000)};
    sigtimedwait(&child, nullptr, &wait);
  }
}

// Runs `command` with its output in `dir`, stopping it (SIGTERM, then
// SIGKILL) after `timeout` seconds.
Run run_child(std::vector<std::string> command, const fs::path& dir, double timeout) {
  std::vector<char*> argv;
  for (std::string& word : command) argv.push_back(word.data());
  argv.push_back(nullptr);

  const std::string out_path = (dir / "stdout.txt").string(), err_path = (dir / "stderr.txt").string();
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  // The benchmark blocks SIGCHLD to wait for it; the child starts with no
  // signal blocked.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK);

  Run run;
  const auto start = Clock::now();
  pid_t pid = 0;
  const int spawn_error = posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  if (spawn_error != 0) {
    run.exit_code = 127;
    run.last_error = std::string("cannot start ") + argv[0] + ": " + std::strerror(spawn_error);
    return run;
  }
  int status = 0;
  rusage usage{};
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(timeout));
  if (!reap_before(pid, deadline, status, usage)) {
    run.timed_out = !g_stop_signal;
    kill(pid, SIGTERM);
    const auto grace = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                          std::chrono::duration<double>(kTermGraceSeconds));
    if (!reap_before(pid, grace, status, usage, true)) {
      kill(pid, SIGKILL);
      wait4(pid, &status, 0, &usage);
    }
  }
  run.wall = std::chrono::duration<double>(Clock::now() - start).count();
  run.cpu = seconds(usage.ru_utime) + seconds(usage.ru_stime);
  run.rss_kb = usage.ru_maxrss;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (run.exit_code != 0) run.last_error = last_line(err_path);
  return run;
}

// Runs `systole args... --out DIR` in a fresh folder under `scratch`.
Run run_systole(const Options& options, const std::vector<std::string>& args, const fs::path& scratch,
                double timeout) {
  static int counter = 0;
  const fs::path dir = scratch / ("run-" + std::to_string(++counter));
  fs::create_directories(dir);
  std::vector<std::string> command = {options.systole.string()};
  command.insert(command.end(), args.begin(), args.end());
  command.push_back("--out");
  command.push_back((dir / "out").string());
  Run run = run_child(std::move(command), dir, timeout);
  std::ifstream summary(dir / "out" / "summary.json");
  if (summary) run.summary = nlohmann::json::parse(summary, nullptr, false);
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return run;
}

// --- Measurements ----------------------------------------------------------

// A measurement: the median over its runs, or why it has none.
struct Measured {
  int runs = 0;
  double wall = 0;  // median, s
  double cpu = 0;   // median, s
  long rss_kb = 0;  // largest
  bool timed_out = false;
  std::string failure;  // non-empty: the run failed (exit code and its last error)
  nlohmann::json summary;  // the last run's summary.json
  std::vector<double> walls, cpus;  // each run's, in order

  bool ok() const { return runs > 0 && !timed_out && failure.empty(); }
  bool stopped() const { return timed_out || !failure.empty(); }
  std::string status() const { return timed_out ? "timeout" : !failure.empty() ? "error" : runs ? "ok" : "not run"; }
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Runs it once more, as run `r` of `repeat`, unless a run of it failed or
// timed out (the next ones would too).
// Adds one run to `measured`.
void record(const std::string& label, Run run, Measured& measured) {
  measured.walls.push_back(run.wall);
  measured.cpus.push_back(run.cpu);
  measured.rss_kb = std::max(measured.rss_kb, run.rss_kb);
  measured.summary = std::move(run.summary);
  ++measured.runs;
  measured.wall = median(measured.walls);
  measured.cpu = median(measured.cpus);
  if (run.timed_out) {
    measured.timed_out = true;
  } else if (run.exit_code != 0) {
    measured.failure = "exit " + std::to_string(run.exit_code) + ": " + run.last_error;
    std::fprintf(stderr, "  %s failed: %s\n", label.c_str(), measured.failure.c_str());
  }
}

void measure_once(const Options& options, const std::string& label, const std::vector<std::string>& args,
                  const fs::path& scratch, int r, int repeat, double timeout, Measured& measured) {
  if (measured.stopped() || g_stop_signal) return;
  std::fprintf(stderr, "  running %s (%d/%d)...\n", label.c_str(), r + 1, repeat);
  Run run = run_systole(options, args, scratch, timeout);
  if (g_stop_signal) return;
  record(label, std::move(run), measured);
}

Measured measure(const Options& options, const std::string& label, const std::vector<std::string>& args,
                 const fs::path& scratch, int repeat, double timeout) {
  Measured measured;
  for (int r = 0; r < repeat; ++r) measure_once(options, label, args, scratch, r, repeat, timeout, measured);
  return measured;
}

// The median of the runs' ratios b/a, run by run: the modes alternate, so
// each pair saw the machine alike.
std::optional<double> median_ratio(const Measured& a, const Measured& b) {
  if (!a.ok() || !b.ok()) return std::nullopt;
  std::vector<double> ratios;
  for (std::size_t r = 0; r < std::min(a.walls.size(), b.walls.size()); ++r)
    if (a.walls[r] > 0) ratios.push_back(b.walls[r] / a.walls[r]);
  if (ratios.empty()) return std::nullopt;
  return median(ratios);
}

long long summary_value(const nlohmann::json& summary, const char* section, const char* key) {
  if (!summary.is_object() || !summary.contains(section)) return -1;
  const nlohmann::json& value = summary[section].value(key, nlohmann::json());
  if (value.is_number()) return value.get<long long>();
  if (value.is_object() && value.contains("value") && value["value"].is_number()) return value["value"].get<long long>();
  return -1;
}

std::string format(const char* pattern, double value) {
  char text[64];
  std::snprintf(text, sizeof text, pattern, value);
  return text;
}

// Seconds as a table shows them: the median, or why there is none (or,
// with `lower_bound`, what a run that timed out took until it was stopped).
std::string seconds_cell(const Measured& m, bool cpu = false, bool lower_bound = false) {
  if (m.timed_out) return lower_bound ? format(">%.1f", cpu ? m.cpu : m.wall) : "timeout";
  if (!m.failure.empty()) return "error";
  if (!m.runs) return "-";
  return format("%.2f", cpu ? m.cpu : m.wall);
}

const char* verdict(bool pass) { return pass ? "PASS" : "MISS"; }

// Every measurement as a CSV row, written as it is made.
class CsvFile {
 public:
  explicit CsvFile(const std::string& path) {
    if (path.empty()) return;
    out_.open(path);
    if (!out_) bad_input("--csv: cannot write '" + path + "'");
    out_ << "section,item,mode,status,runs,wall_s,cpu_s,peak_rss_mb,timing_only_layers,layers,"
            "reference,reference_value,ratio,target,verdict\n";
  }
  struct Row {
    std::string section, item, mode;
    const Measured* measured = nullptr;
    std::string reference;
    std::optional<double> reference_value, ratio;
    std::string target, verdict;
  };
  void write(const Row& row) {
    if (!out_.is_open()) return;
    const Measured empty;
    const Measured& m = row.measured ? *row.measured : empty;
    auto number = [](std::optional<double> value) { return value ? format("%.6g", *value) : std::string(); };
    auto count = [](long long value) { return value >= 0 ? std::to_string(value) : std::string(); };
    out_ << row.section << ',' << row.item << ',' << row.mode << ',' << (row.measured ? m.status() : "") << ','
         << (row.measured ? std::to_string(m.runs) : "") << ','
         << (m.runs ? number(m.wall) : "") << ',' << (m.runs ? number(m.cpu) : "") << ','
         << (m.runs ? number(m.rss_kb / 1024.0) : "") << ','
         << count(summary_value(m.summary, "totals", "timing_only_layers")) << ','
         << count(summary_value(m.summary, "workload", "layers")) << ',' << row.reference << ','
         << number(row.reference_value) << ',' << number(row.ratio) << ',' << row.target << ',' << row.verdict
         << '\n';
    out_.flush();
  }

 private:
  std::ofstream out_;
};

// --- Sections --------------------------------------------------------------

void zoo(const Options& options, const fs::path& scratch, CsvFile& csv) {
  std::vector<fs::path> networks;
  for (const auto& entry : fs::directory_iterator(options.workloads))
    if (entry.path().extension() == ".yaml" && entry.path().filename() != "llama7b_decoder.yaml")
      networks.push_back(entry.path());
  std::sort(networks.begin(), networks.end());
  std::printf("\n== Zoo on systole-128x128 (WS, ideal memory), median wall s of %d run(s) ==\n", options.runs());
  std::printf("%-16s %9s %9s %12s %9s %9s  %-8s %-8s\n", "network", "ideal s", "CPU s", "timing-only", "DRAM s",
              "DRAM/id", "ideal<2s", "DRAM<=3x");
  std::fflush(stdout);
  double totals[3] = {0, 0, 0};
  bool totals_complete[3] = {true, true, true};
  const char* const modes[3] = {"ideal", "timing_only", "dram"};
  const std::vector<std::string> extra[3] = {{}, {"--compute", "off"}, {"--memory", "dram", "--dram", "ddr4-2400"}};
  bool all_networks_pass = true, all_dram_pass = true;
  for (const fs::path& network : networks) {
    const std::string name = network.stem().string();
    Measured m[3];
    // Round by round, each mode once: a machine whose speed drifts (shared,
    // throttled) slows the modes of a round alike.
    for (int r = 0; r < options.runs(); ++r)
      for (int mode = 0; mode < 3; ++mode) {
        std::vector<std::string> args = {"run", "--arch", "systole-128x128", "--workload", network.string()};
        args.insert(args.end(), extra[mode].begin(), extra[mode].end());
        measure_once(options, name + " " + modes[mode], args, scratch, r, options.runs(), options.timeout_seconds(),
                     m[mode]);
      }
    if (g_stop_signal) return;
    for (int mode = 0; mode < 3; ++mode) {
      // A run that timed out adds its time so far: the total is then a lower bound.
      totals[mode] += m[mode].wall;
      totals_complete[mode] &= m[mode].ok();
    }
    const bool network_pass = m[0].ok() && m[0].wall < kNetworkWallTarget;
    const std::optional<double> ratio = median_ratio(m[0], m[2]);
    const bool dram_pass = ratio && *ratio <= kDramRatioTarget;
    all_networks_pass &= network_pass;
    all_dram_pass &= dram_pass;
    std::printf("%-16s %9s %9s %12s %9s %9s  %-8s %-8s\n", name.c_str(), seconds_cell(m[0]).c_str(),
                seconds_cell(m[0], true).c_str(), seconds_cell(m[1]).c_str(), seconds_cell(m[2]).c_str(),
                ratio ? format("%.2fx", *ratio).c_str() : "-", verdict(network_pass), verdict(dram_pass));
    std::fflush(stdout);
    csv.write({"zoo", name, "ideal", &m[0], "", {}, {}, "wall < 2 s", verdict(network_pass)});
    csv.write({"zoo", name, "timing_only", &m[1], "", {}, {}, "", ""});
    csv.write({"zoo", name, "dram", &m[2], "ideal wall s", m[0].ok() ? std::optional<double>(m[0].wall) : std::nullopt,
               ratio, "dram / ideal <= 3", verdict(dram_pass)});
  }
  auto total_cell = [&](int mode) { return (totals_complete[mode] ? "" : ">") + format("%.2f", totals[mode]); };
  const bool zoo_pass = totals_complete[0] && totals[0] < kZooWallTarget;
  std::printf("%-16s %9s %9s %12s %9s %9s\n", "zoo total", total_cell(0).c_str(), "", total_cell(1).c_str(),
              total_cell(2).c_str(),
              totals_complete[0] && totals_complete[2] ? format("%.2fx", totals[2] / totals[0]).c_str() : "-");
  std::printf("(>: at least; a run that timed out counts its time until it was stopped; DRAM/id: the median of\n"
              " each round's DRAM/ideal, the modes alternating; zoo total: of the medians)\n");
  std::printf("targets: every network < %.0f s: %s; whole zoo < %.0f s: %s; DRAM within %.0fx of ideal: %s\n",
              kNetworkWallTarget, verdict(all_networks_pass), kZooWallTarget, verdict(zoo_pass), kDramRatioTarget,
              verdict(all_dram_pass));
  for (int mode = 0; mode < 3; ++mode) {
    Measured total;
    total.runs = options.runs();
    total.wall = totals[mode];
    if (!totals_complete[mode]) total.failure = "lower bound: a network's run timed out or failed";
    csv.write({"zoo", "total", modes[mode], &total, "", {}, {}, mode == 0 ? "wall < 10 s" : "",
               mode == 0 ? verdict(zoo_pass) : ""});
  }
}

// SCALE-Sim v2's CPU seconds per case, from TIMINGS.md's table
// (| run | layers | CPU s (user + sys) | peak RSS MB |).
std::map<std::string, double> read_scalesim_timings(const fs::path& file) {
  std::ifstream in(file);
  if (!in) bad_input("cannot read SCALE-Sim's timings '" + file.string() + "' (--shared DIR)");
  std::map<std::string, double> timings;
  int cpu_column = -1;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind('|', 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    for (std::string cell; std::getline(row, cell, '|');) {
      cell.erase(0, cell.find_first_not_of(' '));
      cell.erase(cell.find_last_not_of(' ') + 1);
      cells.push_back(cell);
    }
    if (cpu_column < 0) {
      for (std::size_t c = 0; c < cells.size(); ++c)
        if (cells[c].rfind("CPU s", 0) == 0) cpu_column = static_cast<int>(c);
      continue;
    }
    if (static_cast<int>(cells.size()) <= cpu_column || cells[0].empty() || cells[0][0] == '-') continue;
    char* end = nullptr;
    const double cpu = std::strtod(cells[cpu_column].c_str(), &end);
    if (end != cells[cpu_column].c_str()) timings[cells[0]] = cpu;
  }
  if (timings.empty()) bad_input("'" + file.string() + "' holds no table with a 'CPU s' column");
  return timings;
}

// How long starting a process takes here, the least any run costs: a
// program that loads SystemC and returns at once (an empty sc_main, built
// beside this benchmark), and `systole --version`. A SCALE-Sim case whose
// CPU s / 100 is below the first cannot reach 100x, whatever a SystemC
// simulator does once started.
struct StartFloor {
  Measured systemc, systole;
};

StartFloor measure_start_floor(const Options& options, const fs::path& scratch) {
  StartFloor floor;
  const fs::path dir = scratch / "start";
  fs::create_directories(dir);
  const std::vector<std::string> empty_systemc = {SYSTOLE_START_FLOOR};
  const std::vector<std::string> version = {options.systole.string(), "--version"};
  if (!fs::exists(empty_systemc.front())) floor.systemc.failure = "not built: " + empty_systemc.front();
  std::fprintf(stderr, "  timing process starts (%d runs each)...\n", kStartRuns);
  for (int r = 0; r < kStartRuns && !g_stop_signal; ++r) {
    for (auto [command, measured] : {std::pair{&empty_systemc, &floor.systemc}, std::pair{&version, &floor.systole}}) {
      if (measured->stopped()) continue;
      Run run = run_child(*command, dir, kStartTimeoutSeconds);
      if (g_stop_signal) break;
      record(fs::path(command->front()).filename().string(), std::move(run), *measured);
    }
  }
  return floor;
}

void scalesim(const Options& options, const fs::path& scratch, CsvFile& csv) {
  const fs::path root = options.shared / "scalesim";
  const std::map<std::string, double> reference = read_scalesim_timings(root / "TIMINGS.md");
  const std::regex sizes("^(32x32|128x128)_");
  const std::regex chosen(options.cases.value_or(options.quick ? kQuickCases : ".*"));
  std::vector<fs::path> cases;
  for (const auto& entry : fs::directory_iterator(root / "cases")) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && std::regex_search(name, sizes) && std::regex_search(name, chosen))
      cases.push_back(entry.path());
  }
  std::sort(cases.begin(), cases.end());
  const StartFloor floor = measure_start_floor(options, scratch);
  if (g_stop_signal) return;
  std::printf("\n== SCALE-Sim cases, --threads %ld: SCALE-Sim v2's CPU s against Systole's wall s (and CPU s, user + "
              "sys), Systole's median of %d run(s) ==\n",
              options.threads, options.runs());
  if (floor.systemc.ok() && floor.systole.ok())
    std::printf("process start, median wall of %d: an empty SystemC program %.4f s, systole --version %.4f s\n",
                kStartRuns, floor.systemc.wall, floor.systole.wall);
  else
    std::printf("process start not measured: %s\n",
                (floor.systemc.ok() ? floor.systole : floor.systemc).failure.c_str());
  csv.write({"scalesim", "start_empty_systemc_program", "", &floor.systemc, "", std::nullopt, std::nullopt, "", ""});
  csv.write({"scalesim", "start_systole_version", "", &floor.systole, "", std::nullopt, std::nullopt, "", ""});
  if (cases.empty()) std::printf("no case matches --cases\n");
  std::printf("%-32s %6s %11s %9s %12s %9s %9s  %-8s\n", "case", "layers", "Systole CPU", "wall s", "SCALE-Sim CPU",
              "/ wall", "/ CPU", ">=100x");
  std::fflush(stdout);
  int passed = 0, compared = 0, missed_below_start = 0;
  for (const fs::path& dir : cases) {
    const std::string name = dir.filename().string();
    fs::path topology;
    for (const auto& file : fs::directory_iterator(dir))
      if (file.path().extension() == ".csv") topology = file.path();
    const Measured m = measure(options, name,
                               {"run", "--arch", (dir / "config.cfg").string(), "--workload", topology.string(),
                                "--threads", std::to_string(options.threads)},
                               scratch, options.runs(), options.timeout_seconds());
    if (g_stop_signal) return;
    const auto found = reference.find(name);
    std::optional<double> theirs, ratio, cpu_ratio;
    if (found != reference.end()) theirs = found->second;
    if (theirs && m.ok() && m.wall > 0) ratio = *theirs / m.wall;
    if (theirs && m.ok() && m.cpu > 0) cpu_ratio = *theirs / m.cpu;
    const bool pass = ratio && *ratio >= kScaleSimSpeedupTarget;
    const bool below_start = !pass && theirs && floor.systemc.ok() &&
                             *theirs / kScaleSimSpeedupTarget < floor.systemc.wall;
    compared += theirs.has_value();
    passed += pass;
    missed_below_start += below_start;
    const std::string case_verdict = theirs ? std::string(verdict(pass)) + (below_start ? "*" : "") : "n/a";
    const long long layers = summary_value(m.summary, "workload", "layers");
    std::printf("%-32s %6s %11s %9s %12s %9s %9s  %-8s\n", name.c_str(),
                layers >= 0 ? std::to_string(layers).c_str() : "-", seconds_cell(m, true).c_str(),
                seconds_cell(m).c_str(), theirs ? format("%.1f", *theirs).c_str() : "none",
                ratio ? format("%.1fx", *ratio).c_str() : "-", cpu_ratio ? format("%.1fx", *cpu_ratio).c_str() : "-",
                case_verdict.c_str());
    std::fflush(stdout);
    csv.write({"scalesim", name, "threads_" + std::to_string(options.threads), &m, "SCALE-Sim v2 CPU s", theirs,
               ratio, "SCALE-Sim CPU / wall >= 100", case_verdict});
  }
  std::printf("target >= %.0fx: %d of %d cases with a SCALE-Sim figure pass\n", kScaleSimSpeedupTarget, passed,
              compared);
  if (missed_below_start > 0)
    std::printf("* %d of the misses would need a run shorter than an empty SystemC program's start here\n",
                missed_below_start);
}

// A long run's row: wall, CPU, peak memory, layers timing-only.
void print_long_run(const std::string& name, const Measured& m, bool wall_pass, const std::string& rss_verdict) {
  const long long layers = summary_value(m.summary, "workload", "layers");
  const long long completed = summary_value(m.summary, "workload", "layers_completed");
  const long long timing_only = summary_value(m.summary, "totals", "timing_only_layers");
  std::string layer_cell = "-";
  if (layers >= 0) layer_cell = std::to_string(completed) + "/" + std::to_string(layers);
  std::string rss_cell = m.runs ? format("%.0f", m.rss_kb / 1024.0) : "-";
  if (m.timed_out) rss_cell = ">" + rss_cell;
  std::printf("%-44s %-8s %9s %9s %9s %9s %12s  %-6s %s\n", name.c_str(), m.status().c_str(),
              seconds_cell(m, false, true).c_str(), seconds_cell(m, true, true).c_str(), rss_cell.c_str(),
              layer_cell.c_str(),
              timing_only >= 0 ? std::to_string(timing_only).c_str() : "-", verdict(wall_pass), rss_verdict.c_str());
  if (!m.failure.empty()) std::printf("  %s\n", m.failure.c_str());
  std::fflush(stdout);
}

void print_long_run_header(const char* rss_target) {
  std::printf("%-44s %-8s %9s %9s %9s %9s %12s  %-6s %s\n", "run", "status", "wall s", "CPU s", "peak MB", "layers",
              "timing-only", "<60s", rss_target);
}

void big(const Options& options, const fs::path& scratch, CsvFile& csv) {
  std::printf("\n== Big SCALE-Sim topologies on systole-128x128 (WS, ideal memory), --compute-limit-mb %ld, "
              "timeout %.0f s, median of %d run(s) ==\n",
              options.compute_limit_mb, options.timeout_seconds(), options.runs());
  print_long_run_header("<2GB");
  std::fflush(stdout);
  for (const std::string& relative : kBigTopologies) {
    const fs::path topology = options.shared / "scalesim" / "topologies" / relative;
    Measured m;
    if (!fs::exists(topology)) m.failure = "missing: " + topology.string();
    else
      m = measure(options, relative,
                  {"run", "--arch", "systole-128x128", "--workload", topology.string(), "--compute-limit-mb",
                   std::to_string(options.compute_limit_mb)},
                  scratch, options.runs(), options.timeout_seconds());
    if (g_stop_signal) return;
    const bool wall_pass = m.ok() && m.wall < kBigWallTarget;
    // A run stopped early has not reached its peak: only a finished run passes.
    const bool rss_pass = m.ok() && m.rss_kb * 1024.0 < kBigRssTargetBytes;
    print_long_run(relative, m, wall_pass, verdict(rss_pass));
    csv.write({"big", relative, "wall", &m, "", {}, {}, "wall < 60 s", verdict(wall_pass)});
    csv.write({"big", relative, "peak_rss", &m, "", {}, {}, "peak RSS < 2e9 bytes", verdict(rss_pass)});
  }
}

void llm(const Options& options, const fs::path& scratch, CsvFile& csv) {
  std::printf("\n== LLM decoder on 256x256 (WS, ideal memory), --compute off, --threads %ld, timeout %.0f s, median of "
              "%d run(s) ==\n",
              options.threads, options.timeout_seconds(), options.runs());
  print_long_run_header("");
  std::fflush(stdout);
  const fs::path workload = options.workloads / "llama7b_decoder.yaml";
  const Measured m = measure(options, "llama7b_decoder",
                             {"run", "--arch", "systole-128x128", "--array", "256x256", "--workload",
                              workload.string(), "--compute", "off", "--threads", std::to_string(options.threads)},
                             scratch, options.runs(), options.timeout_seconds());
  if (g_stop_signal) return;
  const bool pass = m.ok() && m.wall < kLlmWallTarget;
  print_long_run("llama7b_decoder.yaml", m, pass, "");
  csv.write({"llm", "llama7b_decoder", "timing_only", &m, "", {}, {}, "wall < 60 s", verdict(pass)});
}

// --- The machine -----------------------------------------------------------

std::string command_output(const std::string& command) {
  std::string text;
  if (FILE* pipe = popen(command.c_str(), "r")) {
    char buffer[256];
    while (std::fgets(buffer, sizeof buffer, pipe)) text += buffer;
    pclose(pipe);
  }
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text.empty() ? "unknown" : text;
}

std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);)
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  return "unknown";
}

void print_machine(const Options& options) {
  std::printf("systole_bench_targets: issue 14's targets\n");
  std::printf("machine: %ld CPUs online (nproc), %s\n", sysconf(_SC_NPROCESSORS_ONLN), cpu_model().c_str());
  std::printf("load average: %s\n", command_output("cut -d' ' -f1-3 /proc/loadavg").c_str());
  std::printf("source: git %s\n",
              command_output("git -C '" + std::string(SYSTOLE_SOURCE_DIR) + "' describe --always --dirty 2>/dev/null")
                  .c_str());
  std::printf("binary: %s (%s)\n", options.systole.c_str(),
              command_output("'" + options.systole.string() + "' --version 2>&1").c_str());
  std::printf("runs per figure: %d (medians), timeout %.0f s; wall s include waiting for a core on a shared "
              "machine, CPU s (user + sys) do not\n",
              options.runs(), options.timeout_seconds());
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse_options(argc, argv);
  CsvFile csv(options.csv);

  sigset_t child;
  sigemptyset(&child);
  sigaddset(&child, SIGCHLD);
  sigprocmask(SIG_BLOCK, &child, nullptr);
  struct sigaction stop {};
  stop.sa_handler = on_stop;
  for (int signal : {SIGINT, SIGTERM, SIGHUP}) sigaction(signal, &stop, nullptr);

  char pattern[] = "/tmp/systole-bench-targets-XXXXXX";
  if (!mkdtemp(pattern)) bad_input(std::string("cannot create a scratch folder in /tmp: ") + std::strerror(errno));
  const fs::path scratch = pattern;

  print_machine(options);
  const auto start = Clock::now();
  if (options.sections.count("zoo")) zoo(options, scratch, csv);
  if (options.sections.count("scalesim") && !g_stop_signal) scalesim(options, scratch, csv);
  if (options.sections.count("big") && !g_stop_signal) big(options, scratch, csv);
  if (options.sections.count("llm") && !g_stop_signal) llm(options, scratch, csv);

  std::error_code ignored;
  fs::remove_all(scratch, ignored);
  if (g_stop_signal) {
    std::printf("\nstopped by signal %d: the rows above are what was measured\n", static_cast<int>(g_stop_signal));
    return 128 + g_stop_signal;
  }
  std::printf("\nbenchmark took %.0f s\n", std::chrono::duration<double>(Clock::now() - start).count());
  return 0;
}
