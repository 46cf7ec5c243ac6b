#include "tests/helpers.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/prctl.h>
#endif

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "sim/engine/simulator.hpp"
#include "sim/config/text.hpp"

namespace systole::test {

ArchConfig array_config(int rows, int cols, const std::string& dataflow, Microarch microarch,
                        DataType data_type) {
  ArchConfig arch;
  arch.array.rows = rows;
  arch.array.cols = cols;
  arch.dataflow = dataflow;
  arch.array.microarch = microarch;
  arch.array.data_type = data_type;
  return arch;
}

ArchConfig with_dram(ArchConfig arch, const std::string& dram, int channels) {
  arch.memory_model = MemoryModel::Dram;
  arch.dram = dram;
  arch.dram_channels = channels;
  return arch;
}

Accelerator& accelerator() {
  // One per process, never destroyed: the process's runs all use it, and
  // SystemC's kernel outlives the test cases.
  static Accelerator* accelerator = new Accelerator;
  return *accelerator;
}

namespace {
RunResult run_layers(const ArchConfig& arch, const std::vector<Layer>& layers, const RunOptions& options) {
  Simulator simulator(accelerator(), arch, options);
  Workload workload;
  workload.name = "test";
  workload.layers = layers;
  return simulator.run(workload);
}
}  // namespace

void CycleRecorder::on_slept(const CycleActivity* slept, std::int64_t count, std::int64_t alike_from,
                             const CycleTotals& totals, const Execution& execution) {
  if (!reads_alike_slept_) {
    for (std::int64_t c = 0; c < std::min(count, alike_from + 1); ++c) on_cycle(slept[c], execution);
    alike_slept_cycles += std::max<std::int64_t>(0, count - alike_from - 1);
    return;
  }
  for (std::int64_t c = alike_from + 1; c < count; ++c) {
    CycleActivity expected = slept[c - 1];
    expected.cycle = slept[c].cycle;
    expected.dram_bytes = slept[c].dram_bytes;
    if (unalike_slept_field.empty()) unalike_slept_field = first_difference(expected, slept[c]);
    ++alike_slept_cycles;
  }
  RunObserver::on_slept(slept, count, alike_from, totals, execution);
}

std::string first_difference(const CycleActivity& a, const CycleActivity& b, bool gated) {
  if (a.cycle != b.cycle) return "cycle";
  if (a.fold != b.fold) return "fold";
  if (a.phase != b.phase) return "phase";
  if (a.active_pes != b.active_pes) return "active_pes";
  if (gated && a.gated_macs != b.gated_macs) return "gated_macs";
  if (a.vector_operations != b.vector_operations) return "vector_operations";
  for (int f = 0; f < kRegisterFiles; ++f)
    if (a.register_reads[f] != b.register_reads[f] || a.register_writes[f] != b.register_writes[f])
      return "register accesses of file " + std::to_string(f);
  for (int n = 0; n < kNetworks; ++n)
    if (a.noc_words[n] != b.noc_words[n]) return "noc_words of network " + std::to_string(n);
  for (int d = 0; d < kLinkDirections; ++d)
    if (a.link_hops[d] != b.link_hops[d]) return "link_hops in direction " + std::to_string(d);
  if (a.noc_deliveries != b.noc_deliveries) return "noc_deliveries";
  if (a.dram_bytes != b.dram_bytes) return "dram_bytes";
  for (int o = 0; o < kOperands; ++o)
    if (a.buffer_bytes[o] != b.buffer_bytes[o] || a.buffer_reads[o] != b.buffer_reads[o] ||
        a.buffer_writes[o] != b.buffer_writes[o] || a.dram_transfers[o] != b.dram_transfers[o])
      return "buffer traffic of operand " + std::to_string(o);
  return {};
}

RunResult simulate(const ArchConfig& arch, const std::vector<Layer>& layers, std::uint64_t seed) {
  RunOptions options;
  options.verify = true;
  options.seed = seed;
  return run_layers(arch, layers, options);
}

RunResult simulate(const ArchConfig& arch, const std::vector<Layer>& layers, const OperandValues& values) {
  RunOptions options;
  options.verify = true;
  options.operand_values = values;
  return run_layers(arch, layers, options);
}

Layer conv_layer(std::int64_t in_h, std::int64_t in_w, std::int64_t channels, std::int64_t filters,
                 std::int64_t filter_h, std::int64_t filter_w, std::int64_t stride, std::int64_t pad,
                 std::int64_t groups) {
  Layer layer;
  layer.name = "conv";
  layer.kind = groups == channels && groups > 1 ? LayerKind::Depthwise : LayerKind::Conv;
  ConvShape& s = layer.shape;
  s.in_h = in_h;
  s.in_w = in_w;
  s.in_channels = channels;
  s.filters = filters;
  s.filter_h = filter_h;
  s.filter_w = filter_w;
  s.stride_h = s.stride_w = stride;
  s.pad_top = s.pad_bottom = s.pad_left = s.pad_right = pad;
  s.groups = groups;
  return layer;
}

bool missing_test_data_allowed() {
  const char* ci = std::getenv("CI");
  if (ci != nullptr && *ci != '\0' && std::string(ci) != "false" && std::string(ci) != "0") return false;
  const char* allow = std::getenv("SYSTOLE_ALLOW_MISSING_TEST_DATA");
  return allow != nullptr && std::string(allow) == "1";
}

namespace {

// The directories this test process made, removed when it exits: the suite
// runs thousands of commands and some write hundreds of megabytes of traces,
// which would otherwise pile up in /tmp run after run. SYSTOLE_KEEP_TEST_DIRS=1
// keeps them for a look at what a failing test wrote.
class TestDirectories {
 public:
  TestDirectories(const TestDirectories&) = delete;
  TestDirectories& operator=(const TestDirectories&) = delete;
  static TestDirectories& instance() {
    static TestDirectories directories;
    return directories;
  }
  void add(const std::string& dir) { dirs_.push_back(dir); }
  ~TestDirectories() {
    const char* keep = std::getenv("SYSTOLE_KEEP_TEST_DIRS");
    if (keep != nullptr && std::string(keep) == "1") return;
    for (const std::string& dir : dirs_) {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    }
  }

 private:
  TestDirectories() = default;
  std::vector<std::string> dirs_;
};

}  // namespace

std::string make_temp_dir() {
  char pattern[] = "/tmp/systole-test-XXXXXX";
  const char* dir = mkdtemp(pattern);
  if (dir == nullptr) return "";
  TestDirectories::instance().add(dir);
  return dir;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string npy_bytes(const std::string& dictionary, const std::string& data) {
  std::string header = dictionary;
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = "\x93NUMPY";
  bytes += '\x01';
  bytes += '\x00';
  bytes += static_cast<char>(header.size() & 0xFF);
  bytes += static_cast<char>(header.size() >> 8);
  return bytes + header + data;
}

void write_npy_int8(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<int>& values) {
  std::string dims;
  for (std::int64_t d : shape) dims += std::to_string(d) + ", ";
  std::string data;
  for (int v : values) data += static_cast<char>(static_cast<std::int8_t>(v));
  write_file(path, npy_bytes("{'descr': '|i1', 'fortran_order': False, 'shape': (" + dims + "), }", data));
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::vector<std::vector<std::string>> read_csv(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) rows.push_back(split(line, ','));
  return rows;
}

pid_t start_command(const std::string& program, const std::vector<std::string>& args, const std::string& out_path,
                    const std::string& err_path) {
  std::vector<std::string> argv_storage = {program};
  argv_storage.insert(argv_storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  // The child tells the parent through this pipe why it could not start;
  // a successful exec closes it with nothing written.
  int failure[2];
  if (pipe2(failure, O_CLOEXEC) != 0) return -1;
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    // Killed with the test process that started it (ctest stops a test
    // that runs too long with SIGKILL), so no run outlives its test.
    // Between fork and exec only async-signal-safe calls.
#if defined(__linux__)
    prctl(PR_SET_PDEATHSIG, SIGKILL);
#endif
    if (getppid() != parent) _exit(127);
    const int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out >= 0 && err >= 0 && dup2(out, STDOUT_FILENO) >= 0 && dup2(err, STDERR_FILENO) >= 0)
      execv(program.c_str(), argv.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t written = write(failure[1], &error, sizeof error);
    _exit(127);
  }
  close(failure[1]);
  int error = 0;
  const ssize_t got = pid > 0 ? read(failure[0], &error, sizeof error) : 0;
  close(failure[0]);
  if (pid > 0 && got > 0) {
    waitpid(pid, nullptr, 0);
    return -1;
  }
  return pid;
}

CommandResult run_command(const std::string& program, const std::vector<std::string>& args) {
  const std::string dir = make_temp_dir();
  const std::string out_path = dir + "/stdout", err_path = dir + "/stderr";
  CommandResult result;
  const pid_t pid = start_command(program, args, out_path, err_path);
  if (pid > 0) {
    int status = 0;
    rusage usage{};
    wait4(pid, &status, 0, &usage);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    result.peak_rss_kb = usage.ru_maxrss;
  }
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

CommandResult run_systole(const std::vector<std::string>& args) { return run_command(SYSTOLE_BINARY, args); }

void expect_bad_input(const CommandResult& result, const std::string& needle) {
  INFO("stderr: " << result.err);
  CHECK(result.exit_code == 2);
  CHECK(result.err.find(needle) != std::string::npos);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

void check_counts(const LayerStats& layer, const Expected& expected) {
  CHECK(layer.verification == Verification::Passed);
  for (const auto& [counter, value] : expected) {
    INFO(info(counter).name);
    CHECK(layer[counter] == value);
  }
}

nlohmann::json summary_without_wall_clock(const std::string& path) {
  nlohmann::json summary = nlohmann::json::parse(read_file(path));
  summary["totals"].erase("wall_time");
  summary["totals"].erase("simulation_rate");
  return summary;
}

const char* const kEveryLayerKindYaml = R"(name: every_layer_kind
batch: 2
layers:
  - {name: conv, type: conv, input: [9, 9, 4], filters: 20, kernel: [3, 2], stride: [2, 1], padding: [1, 0, 1, 1], dilation: 2, groups: 2}
  - {name: dw, type: depthwise, input: [8, 8, 4], kernel: 3, stride: 1, padding: 1, multiplier: 2}
  - {name: fc, type: fc, inputs: 64, outputs: 10}
  - {name: mm, type: gemm, m: 5, n: 19, k: 21}
  - {name: pool, type: pool, op: avg, input: [8, 8, 4], kernel: 2, stride: 2, padding: 0}
  - {name: add, type: eltwise, shape: [4, 4, 8]}
  - {name: lstm, type: lstm, input_size: 8, hidden_size: 6, sequence_length: 3, layers: 2, bidirectional: true}
  - {name: gru, type: gru, input_size: 8, hidden_size: 6, sequence_length: 3, linear_before_reset: false}
  - {name: attn, type: attention, sequence_length: 4, heads: 2, model_dim: 16, cached_tokens: 3}
  - {name: dec, type: decoder, model_dim: 16, heads: 2, mlp_dim: 32, mlp: gelu, prompt_tokens: 3, decode_steps: 2}
)";

bool stats_equal(const DramChannelStats& a, const DramChannelStats& b) {
  const auto fields = [](const DramChannelStats& s) {
    return std::tie(s.activates, s.precharges, s.reads, s.writes, s.refreshes, s.active_standby_cycles,
                    s.precharge_standby_cycles, s.row_hits, s.row_misses, s.row_conflicts, s.latency_sum,
                    s.latency_max, s.data_bus_cycles);
  };
  return fields(a) == fields(b);
}

void check_stats_equal(const DramChannelStats& a, const DramChannelStats& b) {
  CHECK(a.activates == b.activates);
  CHECK(a.precharges == b.precharges);
  CHECK(a.reads == b.reads);
  CHECK(a.writes == b.writes);
  CHECK(a.refreshes == b.refreshes);
  CHECK(a.active_standby_cycles == b.active_standby_cycles);
  CHECK(a.precharge_standby_cycles == b.precharge_standby_cycles);
  CHECK(a.row_hits == b.row_hits);
  CHECK(a.row_misses == b.row_misses);
  CHECK(a.row_conflicts == b.row_conflicts);
  CHECK(a.latency_sum == b.latency_sum);
  CHECK(a.latency_max == b.latency_max);
  CHECK(a.data_bus_cycles == b.data_bus_cycles);
}

}  // namespace systole::test
