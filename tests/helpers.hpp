#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <sys/types.h>

#include <nlohmann/json_fwd.hpp>

#include "models/accelerator.hpp"
#include "models/dram/dram_controller.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/dataflow/dataflow.hpp"
#include "sim/report/layer_stats.hpp"
#include "sim/workload/workload.hpp"

namespace systole::test {

// SCALE-Sim's input files and its own reports for a set of runs
// (../shared/README.md), and what to say when they are missing.
inline const std::filesystem::path kScaleSimDir = std::filesystem::path(SYSTOLE_SHARED_DIR) / "scalesim";
inline constexpr const char* kScaleSimHowToGet =
    "the shared reference data (SCALE-Sim's files) belongs in ../shared beside the repository";

ArchConfig array_config(int rows, int cols, const std::string& dataflow,
                        Microarch microarch = Microarch::Baseline,
                        DataType data_type = DataType::Int8);

// The architecture with the DRAM memory model.
ArchConfig with_dram(ArchConfig arch, const std::string& dram, int channels = 1);

// The process's accelerator, built on first use (SystemC elaborates once
// per process; every test's runs share it).
Accelerator& accelerator();

// Runs the layers with verification on.
RunResult simulate(const ArchConfig& arch, const std::vector<Layer>& layers, std::uint64_t seed = 1);
// The same on the operand values `values` gives.
RunResult simulate(const ArchConfig& arch, const std::vector<Layer>& layers, const OperandValues& values);

Layer conv_layer(std::int64_t in_h, std::int64_t in_w, std::int64_t channels, std::int64_t filters,
                 std::int64_t filter_h, std::int64_t filter_w, std::int64_t stride = 1,
                 std::int64_t pad = 0, std::int64_t groups = 1);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  long peak_rss_kb = 0;  // the command's largest resident set (getrusage's ru_maxrss)
};
// Runs `program` (a path) with `args`.
CommandResult run_command(const std::string& program, const std::vector<std::string>& args);
// Starts `program` with `args` and returns at once with its process id (-1
// if it could not start); its stdout and stderr go to the files named.
pid_t start_command(const std::string& program, const std::vector<std::string>& args, const std::string& out_path,
                    const std::string& err_path);
// Runs the systole binary with `args`.
CommandResult run_systole(const std::vector<std::string>& args);

// A run that must be refused as bad input: exit 2 and one stderr line
// holding `needle`.
void expect_bad_input(const CommandResult& result, const std::string& needle);

// Every cycle's activity, and where each step began. With `takes_runs` it
// takes runs of repeated cycles (CycleObserver::on_cycles) and records each
// cycle of them; without, the unit hands it every cycle on its own.
class CycleRecorder : public RunObserver {
 public:
  // Unless `reads_alike_slept`, it does not ask for the slept cycles alike
  // to the one before (ClockedUnit leaves them unwritten) nor record them.
  explicit CycleRecorder(bool takes_runs, bool reads_alike_slept = true)
      : takes_runs_(takes_runs), reads_alike_slept_(reads_alike_slept) {}
  void begin_step(int layer, std::int64_t first_cycle) override { steps.push_back({layer, first_cycle}); }
  void on_cycle(const CycleActivity& activity, const Execution&) override { cycles.push_back(activity); }
  void on_cycles(const CycleActivity& activity, std::int64_t count, const Execution&) override {
    ++runs;
    CycleActivity cycle = activity;
    for (std::int64_t c = 0; c < count; ++c, ++cycle.cycle) cycles.push_back(cycle);
  }
  std::int64_t max_run() const override { return takes_runs_ ? std::numeric_limits<std::int64_t>::max() : 1; }
  // Records them, and checks that those said to be alike are.
  void on_slept(const CycleActivity* slept, std::int64_t count, std::int64_t alike_from, const CycleTotals& totals,
                const Execution& execution) override;
  bool reads_each_alike_cycle() const override { return reads_alike_slept_; }

  std::vector<std::pair<int, std::int64_t>> steps;
  std::vector<CycleActivity> cycles;
  std::int64_t runs = 0;  // on_cycles calls
  // Slept cycles said to be the one before but for their cycle and DRAM
  // bytes, and the first field in which one of them was not (empty if none).
  std::int64_t alike_slept_cycles = 0;
  std::string unalike_slept_field;

 private:
  bool takes_runs_;
  bool reads_alike_slept_;
};

// The first field of CycleActivity that differs between `a` and `b`
// (gated_macs, which only operand values decide, when `gated`); empty when
// none does.
std::string first_difference(const CycleActivity& a, const CycleActivity& b, bool gated = true);

// Checks a verified layer's counters against hand-derived values.
using Expected = std::vector<std::pair<Counter, std::int64_t>>;
void check_counts(const LayerStats& layer, const Expected& expected);

// Whether a test may pass without its input data: only when
// SYSTOLE_ALLOW_MISSING_TEST_DATA=1 and not in CI (CI set, as CI=true).
bool missing_test_data_allowed();

// A YAML workload of a conv, a pool (on the vector unit) and an FC layer:
// a few hundred cycles on a 4x4 array, with steps of both units.
inline constexpr const char* kConvPoolFcYaml =
    "layers:\n"
    "  - {name: c1, type: conv, input: [9, 9, 4], kernel: 3, filters: 6}\n"
    "  - {name: p, type: pool, op: max, input: [7, 7, 6], kernel: 2, stride: 2}\n"
    "  - {name: f, type: fc, inputs: 54, outputs: 10}\n";

// A fresh directory under /tmp, removed with all it holds when the test
// process exits (unless SYSTOLE_KEEP_TEST_DIRS=1).
std::string make_temp_dir();
void write_file(const std::string& path, const std::string& text);
// A version-1 .npy file's bytes: its header's dictionary (padded as numpy
// pads it), then `data`.
std::string npy_bytes(const std::string& dictionary, const std::string& data);
// A version-1 .npy file of int8 values with `shape`, as numpy.save writes it.
void write_npy_int8(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<int>& values);
std::string read_file(const std::string& path);
// summary.json without its wall-clock figures (totals.wall_time and
// totals.simulation_rate): what two runs of the same work write alike.
nlohmann::json summary_without_wall_clock(const std::string& path);
// A workload of every layer kind, with vector steps between array steps,
// partial folds on an 8x8 array and sums over several folds: conv with
// groups and dilation, depthwise, fc, gemm, pool, eltwise, a 2-layer
// bidirectional LSTM, GRU, attention with a KV cache, a decoder. Runs in
// about a second; for tests that compare whole runs.
extern const char* const kEveryLayerKindYaml;
std::vector<std::vector<std::string>> read_csv(const std::string& path);

// Every field of two DRAM statistics, each checked on its own.
void check_stats_equal(const DramChannelStats& a, const DramChannelStats& b);
// Whether every field is equal, for a check asked of every cycle.
bool stats_equal(const DramChannelStats& a, const DramChannelStats& b);

}  // namespace systole::test

// Data a test reads from outside the repository (../shared, Debian's
// libonnx-testdata, the model scripts/fetch_test_models.sh fetches) must be
// there: when `data_path` does not exist the test case fails, naming the path and
// `how_to_get` it. Only where missing_test_data_allowed() does it warn and
// end the test case instead, with one passed assertion so that the check for
// test cases without assertions (tests/main.cpp) lets it pass.
#define SYSTOLE_REQUIRE_TEST_DATA(data_path, how_to_get)                                            \
  do {                                                                                           \
    const std::filesystem::path systole_test_data_ = (data_path);                                \
    if (!std::filesystem::exists(systole_test_data_)) {                                          \
      if (!::systole::test::missing_test_data_allowed())                                         \
        FAIL("test data " << systole_test_data_ << " not found: " << how_to_get                  \
                          << " (elsewhere than CI, SYSTOLE_ALLOW_MISSING_TEST_DATA=1 skips it)"); \
      WARN("skipped (SYSTOLE_ALLOW_MISSING_TEST_DATA=1): test data " << systole_test_data_       \
                                                                      << " not found: " << how_to_get); \
      SUCCEED("skipped for lack of test data");                                                  \
      return;                                                                                    \
    }                                                                                            \
  } while (false)
