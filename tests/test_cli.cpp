// The command line as a user meets it: help, errors, report files, VCD and
// Ctrl-C.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/report/vcd_writer.hpp"
#include "tests/helpers.hpp"

using namespace systole::test;
namespace fs = std::filesystem;


namespace {

struct Fixture {
  std::string dir = make_temp_dir();
  std::string arch = dir + "/arch.ini";
  std::string workload = dir + "/net.csv";
  Fixture() {
    write_file(arch, "[array]\nrows = 8\ncols = 8\ndataflow = ws\n");
    write_file(workload,
               "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
               "conv1, 12, 12, 3, 3, 3, 8, 1,\n"
               "DP_conv2, 10, 10, 3, 3, 8, 1, 2,\n"
               "fc, 1, 1, 1, 1, 32, 10, 1,\n");
  }
  std::vector<std::string> run_args(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"run", "--arch", arch, "--workload", workload, "--log-level", "warn"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }
};

}  // namespace

TEST_CASE("help and version", "[cli]") {
  const CommandResult version = run_systole({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == "systole 0.1.0\n");
  const CommandResult help = run_systole({"--help"});
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("systole run") != std::string::npos);
  const CommandResult run_help = run_systole({"run", "--help"});
  CHECK(run_help.exit_code == 0);
  CHECK(run_help.out.find("--array.rows") != std::string::npos);
  CHECK(run_systole({}).exit_code == 2);
  expect_bad_input(run_systole({"simulate"}), "unknown subcommand 'simulate'");
}

TEST_CASE("a command a test starts does not outlive the test process", "[cli]") {
  // A stand-in for the test process starts a long command and is killed,
  // as ctest kills a test that runs too long: the command dies with it.
  int report[2];
  REQUIRE(pipe(report) == 0);
  const pid_t stand_in = fork();
  REQUIRE(stand_in >= 0);
  if (stand_in == 0) {
    const pid_t started = start_command("/bin/sleep", {"60"}, "/dev/null", "/dev/null");
    [[maybe_unused]] const ssize_t written = write(report[1], &started, sizeof started);
    pause();
    _exit(0);
  }
  close(report[1]);
  pid_t command = -1;
  REQUIRE(read(report[0], &command, sizeof command) == static_cast<ssize_t>(sizeof command));
  close(report[0]);
  REQUIRE(command > 0);
  kill(stand_in, SIGKILL);
  waitpid(stand_in, nullptr, 0);
  // Orphaned, it is gone, or a zombie no one reaped, once its SIGKILL lands.
  const auto running = [command] {
    std::ifstream stat("/proc/" + std::to_string(command) + "/stat");
    std::string pid, name, state;
    return static_cast<bool>(stat >> pid >> name >> state) && state != "Z";
  };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (running() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  const bool outlived = running();
  if (outlived) kill(command, SIGKILL);
  CHECK_FALSE(outlived);
  // One that cannot start is told apart.
  CHECK(start_command("/nonexistent/systole", {}, "/dev/null", "/dev/null") == -1);
}

TEST_CASE("bad input exits 2 with one line and writes nothing", "[cli]") {
  Fixture f;
  const std::string out = f.dir + "/out";
  expect_bad_input(run_systole({"run", "--workload", f.workload}), "option --arch is required");
  expect_bad_input(run_systole(f.run_args({"--dataflow", "xs", "--out", out})),
                   "option --dataflow: unknown dataflow 'xs'");
  expect_bad_input(run_systole(f.run_args({"--array", "4by4", "--out", out})), "option --array");
  expect_bad_input(run_systole(f.run_args({"--array.rows", "-3", "--out", out})), "option --array.rows");
  expect_bad_input(run_systole(f.run_args({"--sample", "0", "--out", out})), "option --sample");
  expect_bad_input(run_systole(f.run_args({"--seed", "-1", "--out", out})), "option --seed");
  expect_bad_input(run_systole(f.run_args({"--vcd-pes", "0:1,0:1", "--out", out})), "needs --vcd");
  // Not a timeline file named --traces, and no traces.
  expect_bad_input(run_systole(f.run_args({"--timeline", "--traces", out + ".traces", "--out", out})),
                   "option --timeline: its value is missing ('--traces', the next option, was taken in its place)");
  expect_bad_input(run_systole({"sweep", "run", f.dir + "/sweep.yaml", "--writer", "--notify"}),
                   "option --writer: its value is missing ('--notify', the next option, was taken in its place)");
  expect_bad_input(run_systole(f.run_args({"--batch", "4611686018427387904", "--out", out})),
                   "option --batch 4611686018427387904: layer 'conv1': batch must be at most 68719476736");
  expect_bad_input(run_systole(f.run_args({"--vcd", out + ".vcd", "--vcd-pes", "0:9,0:1"})),
                   "outside the 8x8 array");
  expect_bad_input(run_systole({"run", "--arch", f.arch, "--workload", f.dir + "/missing.csv", "--out", out}),
                   "missing.csv: cannot open topology file");
  write_file(f.dir + "/bad.csv", "Layer, M, N, K,\ng, 4, 4, 4,\nh, 4, 0, 4,\n");
  expect_bad_input(run_systole({"run", "--arch", f.arch, "--workload", f.dir + "/bad.csv", "--out", out}),
                   "bad.csv:3: N must be positive, got 0");
  // int8: input M·K = 1e10 bytes (a GEMM is its own lowered input), weights
  // N·K = 1e5, int32 results twice M·N = 1e5: 10,000,900,000 B = 9537 MiB. Row
  // stationary cannot run it timing-only (the GEMM dataflows do:
  // tests/test_timing_only.cpp).
  write_file(f.dir + "/huge.csv", "Layer, M, N, K,\ng, 100000, 1, 100000,\n");
  expect_bad_input(run_systole({"run", "--arch", f.arch, "--dataflow", "rs", "--workload", f.dir + "/huge.csv",
                                "--out", out}),
                   "huge.csv: layer 'g' needs 9537 MiB of operand values (--compute-limit-mb 1024), and the rs "
                   "dataflow cannot run it timing-only");
  write_file(f.dir + "/bad.ini", "[array]\nrows = 8\nshape = round\n");
  expect_bad_input(run_systole({"run", "--arch", f.dir + "/bad.ini", "--workload", f.workload, "--out", out}),
                   "bad.ini:3: unknown key 'shape' in section [array]");
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".vcd"));
}

TEST_CASE("report files and their schemas", "[cli]") {
  Fixture f;
  const std::string out = f.dir + "/out";
  const CommandResult run = run_systole(f.run_args({"--out", out, "--verify"}));
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.out.find("total") != std::string::npos);

  const auto layers = read_csv(out + "/layers.csv");
  REQUIRE(layers.size() == 4);
  const std::vector<std::string> required = {"layer", "type", "macs", "cycles", "folds",
                                             "utilization", "mapping_efficiency"};
  CHECK(std::vector<std::string>(layers[0].begin(), layers[0].begin() + 7) == required);
  CHECK(layers[1][0] == "conv1");
  CHECK(layers[2][1] == "depthwise");
  // conv1: 10x10 outputs, 8 filters, window 3·3·3.
  CHECK(layers[1][2] == std::to_string(10 * 10 * 8 * 27));
  CHECK(layers[1].back() == "passed");

  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  CHECK(summary["status"] == "completed");
  CHECK(summary["systole_version"] == "0.1.0");
  CHECK(summary["config"]["array"]["rows"] == 8);
  CHECK(summary["config"]["array"]["dataflow"] == "ws");
  CHECK(summary["verification"] == "passed");
  CHECK(summary["config"]["general"]["clock_mhz"] == 1000);
  for (const auto& [name, figure] : summary["totals"].items()) {
    INFO(name);
    CHECK(figure.contains("value"));
    CHECK(figure["unit"].is_string());
  }
  std::int64_t cycles = 0;
  for (std::size_t i = 1; i < layers.size(); ++i) cycles += std::stoll(layers[i][3]);
  CHECK(summary["totals"]["cycles"]["value"] == cycles);
  for (const auto& entry : fs::directory_iterator(out))
    CHECK(entry.path().extension() != ".partial");
}

TEST_CASE("the VCD holds aggregates and a PE window, bounded by the cycle window", "[cli][vcd]") {
  Fixture f;
  const std::string small = f.dir + "/small.vcd", large = f.dir + "/large.vcd";
  const CommandResult run = run_systole(f.run_args({"--vcd", small, "--vcd-pes", "0:1,0:1", "--vcd-cycles", "0:20"}));
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.empty());
  CHECK(run.out.find("Warning") == std::string::npos);
  REQUIRE(run_systole(f.run_args({"--vcd", large, "--vcd-pes", "0:1,0:1", "--vcd-cycles", "0:2000"})).exit_code == 0);
  const std::string text = read_file(small);
  for (const char* signal : {"active_pes", "phase", "fold", "layer", "pe_1_1", "partial_sum", "stationary0",
                             "left_words", "out_words", "ifmap_bytes"})
    CHECK(text.find(signal) != std::string::npos);
  CHECK(text.find("$enddefinitions") != std::string::npos);
  // At 1000 MHz time is in nanoseconds, and cycle c's values appear at its
  // end, c + 1 ns: cycle 20 at #21. No value changes are recorded past the
  // window's last cycle.
  CHECK(text.find("$timescale\n   1 ns\n$end") != std::string::npos);
  CHECK(text.find("\n#22\n") == std::string::npos);
  CHECK(text.find("\n#21\n") != std::string::npos);
  CHECK(fs::file_size(small) < fs::file_size(large));
}

namespace {

// A VCD read back: each signal's declared width and its value at any time.
struct VcdTrace {
  std::string timescale;
  std::map<std::string, int> widths;                                     // by dotted name
  std::map<std::string, std::map<std::uint64_t, std::string>> changes;  // name -> time -> bits

  explicit VcdTrace(const std::string& text) {
    std::istringstream in(text);
    std::vector<std::string> scopes;
    std::map<std::string, std::string> names;  // code -> dotted name
    std::string token;
    std::uint64_t time = 0;
    while (in >> token) {
      if (token == "$version" || token == "$date" || token == "$comment") {
        while (token != "$end") in >> token;
      } else if (token == "$timescale") {
        std::string number, unit;
        in >> number >> unit >> token;
        timescale = number + " " + unit;
      } else if (token == "$scope") {
        std::string kind, name;
        in >> kind >> name >> token;
        scopes.push_back(name);
      } else if (token == "$upscope") {
        in >> token;
        scopes.pop_back();
      } else if (token == "$var") {
        std::string type, code, name;
        int width = 0;
        in >> type >> width >> code >> name;
        while (token != "$end") in >> token;
        std::string dotted;
        for (std::size_t s = 1; s < scopes.size(); ++s) dotted += scopes[s] + ".";
        names[code] = dotted + name;
        widths[dotted + name] = width;
      } else if (token[0] == '#') {
        time = std::stoull(token.substr(1));
      } else if (token[0] == 'b') {
        std::string code;
        in >> code;
        changes[names.at(code)][time] = token.substr(1);
      } else if (token[0] == 'r') {  // a real signal (power): its code follows
        std::string code;
        in >> code;
      } else if (token[0] == '0' || token[0] == '1') {
        changes[names.at(token.substr(1))][time] = token.substr(0, 1);
      }
    }
  }

  // The value of `name` at `time`, as a two's complement of its width or
  // as an unsigned number.
  std::int64_t signed_at(const std::string& name, std::uint64_t time) const { return value_at(name, time, true); }
  std::int64_t unsigned_at(const std::string& name, std::uint64_t time) const {
    return value_at(name, time, false);
  }
  std::int64_t value_at(const std::string& name, std::uint64_t time, bool is_signed) const {
    const auto& values = changes.at(name);
    auto at = values.upper_bound(time);
    REQUIRE(at != values.begin());
    const std::string bits = std::prev(at)->second;
    const int width = widths.at(name);
    REQUIRE(static_cast<int>(bits.size()) <= width);
    // Fewer bits than the width: the left ones are zeros.
    const std::string full = std::string(width - bits.size(), '0') + bits;
    std::int64_t value = 0;
    for (char bit : full) value = value * 2 + (bit == '1');
    if (is_signed && width < 64 && full[0] == '1') value -= std::int64_t{1} << width;
    return value;
  }
};

}  // namespace

TEST_CASE("a PE's registers in the VCD, cycle by cycle, match a hand-worked case", "[cli][vcd]") {
  // GEMM M = 3, N = 2, K = 2 on a 2x2 WS baseline array at 1000 MHz.
  //   A (M x K) = [[5, -3], [-7, 2], [4, 6]];  filter n (a row of K):
  //   filter 0 = [1, 2], filter 1 = [3, -45].
  // PE(r, c) holds filter c's weight k = r: PE(1,1) holds -45, written when
  // row 1 loads, in cycle 1 (row 0 in cycle 0). Streaming starts in cycle 2;
  // the left edge skews row r by r cycles and each PE passes its operand one
  // column on per cycle, so PE(r, c) holds A[t][r] in cycle 2 + t + r + c.
  // PE(1,1) therefore holds A[t][1] in cycles 4, 5, 6 (-3, 2, 6), valid,
  // and the partial sum A[t][0]·3 + A[t][1]·(-45):
  //   t=0: 15 + 135 = 150;  t=1: -21 - 90 = -111;  t=2: 12 - 270 = -258.
  // In every other cycle its moving registers are zero and invalid. Cycle n's
  // values are at n + 1 ns. The layer ends after cycle 6 (its last result
  // leaves PE(1,1)'s column then).
  const std::string dir = make_temp_dir();
  write_npy_int8(dir + "/a.npy", {3, 2}, {5, -3, -7, 2, 4, 6});
  write_npy_int8(dir + "/w.npy", {2, 2}, {1, 2, 3, -45});
  write_file(dir + "/net.yaml",
             "layers:\n  - {name: g, type: gemm, m: 3, n: 2, k: 2, ifmap_data: a.npy, weights_data: w.npy}\n");
  write_file(dir + "/arch.ini", "[array]\nrows = 2\ncols = 2\ndataflow = ws\n");
  const std::string vcd = dir + "/run.vcd";
  const CommandResult run = run_systole({"run", "--arch", dir + "/arch.ini", "--workload", dir + "/net.yaml",
                                         "--verify", "--vcd", vcd, "--vcd-pes", "1,1", "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const VcdTrace trace(read_file(vcd));
  CHECK(trace.timescale == "1 ns");
  CHECK(trace.widths.at("array.pe_1_1.left_operand") == 8);
  CHECK(trace.widths.at("array.pe_1_1.stationary0") == 8);
  CHECK(trace.widths.at("array.pe_1_1.partial_sum") == 32);
  CHECK(trace.widths.at("array.pe_1_1.left_valid") == 1);

  struct Expected {
    int stationary, left, valid, partial_sum;
  };
  const Expected expected[] = {{0, 0, 0, 0},     {-45, 0, 0, 0},   {-45, 0, 0, 0},     {-45, 0, 0, 0},
                               {-45, -3, 1, 150}, {-45, 2, 1, -111}, {-45, 6, 1, -258}};
  for (int cycle = 0; cycle < 7; ++cycle) {
    INFO("cycle " << cycle);
    const std::uint64_t time = static_cast<std::uint64_t>(cycle) + 1;
    CHECK(trace.signed_at("array.pe_1_1.stationary0", time) == expected[cycle].stationary);
    CHECK(trace.signed_at("array.pe_1_1.left_operand", time) == expected[cycle].left);
    CHECK(trace.unsigned_at("array.pe_1_1.left_valid", time) == expected[cycle].valid);
    CHECK(trace.signed_at("array.pe_1_1.partial_sum", time) == expected[cycle].partial_sum);
  }
  // -45 as an 8-bit register, as GTKWave shows it in hex: D3.
  CHECK(trace.changes.at("array.pe_1_1.stationary0").at(2) == "11010011");
  // The fold counter starts at fold 0, not at a negative "none".
  CHECK(trace.unsigned_at("fold", 0) == 0);
  CHECK(trace.unsigned_at("fold", 7) == 0);
}

TEST_CASE("a row-stationary PE's scratchpads in the VCD, entry by entry, match a hand-worked case", "[cli][vcd][rs]") {
  // A 3x3 filter W[r][s] = 3r + s + 1 over a 5x5 input I[y][x] = 5y + x + 1
  // (3x3 outputs), int8, on a 3x3 array as one 3x3 set, p = q = n = 1.
  // PE (0, 0) holds filter row 0 (1, 2, 3), slides over input row 0
  // (1..5) and computes output row 0's partial sums of that filter row:
  //   column f: 1·I[0][f] + 2·I[0][f+1] + 3·I[0][f+2] = 14, 20, 26.
  // The ifmap GIN (unlimited width here) sends row 0's five values as soon
  // as the scratchpad has room, and the scratchpad's 12 entries never fill,
  // so it holds all five at first; it frees a column once no later output
  // column needs it. So it holds consecutive values of row 0, oldest first,
  // five at most. Its psum scratchpad holds one partial sum (n·p = 1).
  const std::string dir = make_temp_dir();
  std::vector<int> input(25), weights(9);
  for (int i = 0; i < 25; ++i) input[static_cast<std::size_t>(i)] = i + 1;
  for (int i = 0; i < 9; ++i) weights[static_cast<std::size_t>(i)] = i + 1;
  write_npy_int8(dir + "/input.npy", {1, 5, 5, 1}, input);
  write_npy_int8(dir + "/weights.npy", {1, 3, 3, 1}, weights);
  write_file(dir + "/net.yaml",
             "layers:\n  - {name: c, type: conv, input: [5, 5, 1], kernel: 3, filters: 1, ifmap_data: input.npy, "
             "weights_data: weights.npy, rs_mapping: [3, 3, 1, 1, 1, 1]}\n");
  write_file(dir + "/arch.ini", "[array]\nrows = 3\ncols = 3\ndataflow = rs\ndata_type = int8\n");
  const std::string vcd = dir + "/run.vcd";
  const CommandResult run = run_systole({"run", "--arch", dir + "/arch.ini", "--workload", dir + "/net.yaml",
                                         "--verify", "--vcd", vcd, "--vcd-pes", "0,0", "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const VcdTrace trace(read_file(vcd));
  const std::string pe = "array.pe_0_0.";
  CHECK(trace.widths.at(pe + "filter_spad.223") == 8);
  CHECK(trace.widths.at(pe + "psum_spad.23") == 32);
  CHECK(trace.widths.at(pe + "ifmap_spad.count") == 4);  // 0..12
  CHECK(trace.widths.at(pe + "filter_spad.count") == 8);  // 0..224

  std::set<std::uint64_t> times;
  for (const auto& [name, values] : trace.changes)
    for (const auto& [time, bits] : values) times.insert(time);
  int full_filter = 0;
  std::int64_t widest_window = 0;
  std::set<std::int64_t> psums;
  for (std::uint64_t t : times) {
    INFO("time " << t);
    const auto at = [&](const std::string& signal) { return trace.signed_at(pe + signal, t); };
    CHECK(at("filter_spad.3") == 0);
    if (at("filter_spad.count") == 3) {
      ++full_filter;
      CHECK(at("filter_spad.0") == 1);
      CHECK(at("filter_spad.1") == 2);
      CHECK(at("filter_spad.2") == 3);
    }
    const std::int64_t window = at("ifmap_spad.count");
    widest_window = std::max(widest_window, window);
    for (std::int64_t e = 1; e < window; ++e)
      CHECK(at("ifmap_spad." + std::to_string(e)) == at("ifmap_spad.0") + e);
    if (at("psum_spad.count") == 1) psums.insert(at("psum_spad.0"));
    CHECK(at("psum_spad.count") <= 1);
  }
  CHECK(full_filter > 0);
  CHECK(widest_window == 5);
  for (std::int64_t sum : {14, 20, 26}) CHECK(psums.count(sum) == 1);
}

TEST_CASE("the VCD's timescale is the coarsest that keeps the clock's edges exact", "[vcd]") {
  // 1000 MHz: 1 ns; 250 MHz: 4 ns; 100 MHz: 10 ns; 700 MHz: 1,428,571 fs,
  // the whole femtoseconds SystemC runs it at, which no coarser unit divides.
  CHECK(systole::vcd_timescale(1'000'000).text == "1 ns");
  CHECK(systole::vcd_timescale(1'000'000).units_per_period == 1);
  CHECK(systole::vcd_timescale(4'000'000).text == "1 ns");
  CHECK(systole::vcd_timescale(4'000'000).units_per_period == 4);
  CHECK(systole::vcd_timescale(10'000'000).text == "10 ns");
  CHECK(systole::vcd_timescale(1'428'571).text == "1 fs");
  CHECK(systole::vcd_timescale(1'428'571).units_per_period == 1'428'571);
  CHECK(systole::vcd_timescale(1'500'000).text == "100 ps");
}

TEST_CASE("a VCD window that may exceed the size limit is refused before the run", "[cli][vcd]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/g.csv", "Layer, M, N, K,\ng, 4, 4, 4,\n");
  const std::vector<std::string> base = {"run", "--arch", "systole-32x32", "--workload", dir + "/g.csv",
                                         "--vcd", dir + "/big.vcd", "--vcd-pes", "0:31,0:31", "--out", dir + "/out"};
  // 1024 PEs x 5 registers over the default 100,000 cycles: at least
  // 1024 x (8 + 1 + 8 + 8 + 32 value bits) bytes a cycle, 5.8 GB.
  const CommandResult refused = run_systole(base);
  CHECK(refused.exit_code == 2);
  CHECK_THAT(refused.err, Catch::StartsWith("systole: error: option --vcd: a VCD of 1024 PEs over 100000 cycles may reach"));
  CHECK_THAT(refused.err, Catch::Contains("--vcd-max-mb 1000"));
  CHECK(std::count(refused.err.begin(), refused.err.end(), '\n') == 1);
  CHECK_FALSE(fs::exists(dir + "/big.vcd"));
  CHECK_FALSE(fs::exists(dir + "/out"));
  std::vector<std::string> raised = base;
  raised.insert(raised.end(), {"--vcd-max-mb", "20000"});
  CHECK(run_systole(raised).exit_code == 0);
  std::vector<std::string> narrowed = base;
  narrowed.insert(narrowed.end(), {"--vcd-cycles", "0:100"});
  CHECK(run_systole(narrowed).exit_code == 0);
  CHECK(fs::exists(dir + "/big.vcd"));
}

TEST_CASE("two runs of one configuration write byte-identical outputs, wall-clock figures aside", "[cli]") {
  // LeNet-5 on ideal memory, and on DDR4 with a narrow NoC (where the DRAM's
  // own clock and refresh interleave with the array's), each with every
  // output: layers.csv, summary.json, utilization.csv, energy.csv and a VCD.
  const std::string dir = make_temp_dir();
  const std::string lenet = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml";
  const std::vector<std::vector<std::string>> configurations = {
      {"--arch", "systole-32x32", "--array", "16x16"},
      {"--arch", "systole-32x32", "--array", "16x16", "--dataflow", "os", "--memory", "dram", "--dram", "ddr4-2400",
       "--noc.left_words", "2"}};
  int index = 0;
  for (const std::vector<std::string>& configuration : configurations) {
    INFO("configuration " << index);
    std::string outputs[2];
    for (int run = 0; run < 2; ++run) {
      const std::string out = dir + "/c" + std::to_string(index) + "_" + std::to_string(run);
      std::vector<std::string> args = {"run", "--workload", lenet, "--verify", "--sample", "7", "--out", out,
                                       "--vcd", out + ".vcd", "--vcd-pes", "0:1,0:1"};
      args.insert(args.end(), configuration.begin(), configuration.end());
      const CommandResult r = run_systole(args);
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
      REQUIRE(summary["totals"].contains("wall_time"));
      summary["totals"].erase("wall_time");
      summary["totals"].erase("simulation_rate");
      outputs[run] = read_file(out + "/layers.csv") + summary.dump(1) + read_file(out + "/utilization.csv") +
                     read_file(out + "/energy.csv") + read_file(out + ".vcd");
    }
    CHECK(outputs[0].size() > 10000);
    CHECK(outputs[0] == outputs[1]);
    ++index;
  }
}

TEST_CASE("Ctrl-C, SIGTERM and SIGHUP stop a long run, which keeps what it has", "[cli][interrupt]") {
  for (const auto& [stop, exit_code] : std::vector<std::pair<int, int>>{{SIGINT, 130}, {SIGTERM, 143}, {SIGHUP, 129}}) {
    INFO("signal " << stop);
    // GEMM M=20000, N=2048, K=2048 on 128x128 WS baseline: 16 K folds x 16
    // column folds, each 2·128 + 20000 + 128 - 2 = 20382 cycles: 5,217,792
    // cycles, 30 s of simulation on the development machine. The signal goes out
    // as soon as utilization.csv.partial holds its header and one complete row
    // on disk: the rows are written from inside the run, after its handler is
    // installed, and the file first reaches the disk when its stream's buffer
    // fills, a few hundred thousand cycles in, far from the end.
    Fixture f;
    write_file(f.workload, "Layer, M, N, K,\nhuge, 20000, 2048, 2048,\n");
    constexpr std::int64_t kUninterruptedCycles = 16 * 16 * (2 * 128 + 20000 + 128 - 2);
    const std::string out = f.dir + "/out", err = f.dir + "/stderr";
    const pid_t pid = start_command(SYSTOLE_BINARY,
                                    {"run", "--arch", f.arch, "--workload", f.workload, "--array", "128x128", "--out",
                                     out, "--sample", "1000", "--timeline", out + ".json", "--log-level", "warn"},
                                    "/dev/null", err);
    REQUIRE(pid > 0);
    // Polls until `done` or the deadline; the run is killed if it never comes.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
    int status = 0;
    bool exited = false;
    auto wait_for = [&](const std::function<bool()>& done) {
      while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) {
          kill(pid, SIGKILL);
          waitpid(pid, &status, 0);
          return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      return true;
    };
    auto complete_lines = [](const std::string& path) {
      const std::string text = read_file(path);
      return static_cast<std::int64_t>(std::count(text.begin(), text.end(), '\n'));
    };
    std::int64_t rows_before_signal = 0;
    const bool running = wait_for([&] {
      exited = waitpid(pid, &status, WNOHANG) == pid;
      rows_before_signal = complete_lines(out + "/utilization.csv.partial") - 1;
      return exited || rows_before_signal >= 1;
    });
    INFO("stderr: " << read_file(err));
    REQUIRE(running);  // else no row within two minutes
    REQUIRE_FALSE(exited);  // it must not end before it is interrupted
    kill(pid, stop);
    REQUIRE(wait_for([&] { return waitpid(pid, &status, WNOHANG) == pid; }));  // else it ignored the signal
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == exit_code);
    CHECK(read_file(err).find("interrupted after 0 of 1 layers") != std::string::npos);
    // It stopped part of the way, and the reports hold what it simulated: the
    // utilization windows cover exactly the cycles the summary counts, at
    // least those on disk before the signal.
    const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
    CHECK(summary["status"] == "interrupted");
    const std::int64_t cycles = summary["totals"]["cycles"]["value"].get<std::int64_t>();
    CHECK(cycles >= 1000 * rows_before_signal);
    CHECK(cycles < kUninterruptedCycles);
    const auto windows = read_csv(out + "/utilization.csv");
    CHECK(static_cast<std::int64_t>(windows.size()) - 1 >= rows_before_signal);
    std::int64_t window_cycles = 0;
    for (std::size_t i = 1; i < windows.size(); ++i) window_cycles += std::stoll(windows[i][1]);
    CHECK(window_cycles == cycles);
    // The interrupted layer's row holds what was simulated of it, and the
    // totals are its sums; a partial batch has no throughput.
    const auto layers = read_csv(out + "/layers.csv");
    REQUIRE(layers.size() == 2);
    CHECK(layers[1][0] == "huge");
    CHECK(layers[1].back() == "interrupted");
    CHECK(std::stoll(layers[1][3]) == cycles);
    CHECK(std::stoll(layers[1][2]) == summary["totals"]["macs"]["value"].get<std::int64_t>());
    CHECK(summary["workload"]["layers_completed"] == 0);
    CHECK_FALSE(summary["totals"].contains("throughput"));
    CHECK_FALSE(fs::exists(out + "/utilization.csv.partial"));
    // The timeline is valid JSON marked partial, its layer slice as long as
    // the cycles simulated (1 ns each at the default 1000 MHz).
    const nlohmann::json timeline = nlohmann::json::parse(read_file(out + ".json"));
    CHECK(timeline["otherData"]["interrupted"] == true);
    int layer_slices = 0;
    for (const nlohmann::json& event : timeline["traceEvents"])
      if (event["ph"] == "X" && event["name"] == "huge") {
        ++layer_slices;
        CHECK(event["dur"].get<double>() == Approx(static_cast<double>(cycles) * 1e-3).epsilon(1e-12));
      }
    CHECK(layer_slices == 1);
  }
}

TEST_CASE("systole dram reports bandwidth, latency and row-buffer statistics", "[cli][dram]") {
  const CommandResult run = run_systole({"dram", "--dram", "ddr4-2400", "--requests", "20000"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  for (const char* needle : {"GB/s", "of the 19.20 GB/s peak", "latency", "hits", "refreshes"})
    CHECK(run.out.find(needle) != std::string::npos);
  expect_bad_input(run_systole({"dram", "--dram", "ddr5"}), "option --dram: unknown DRAM preset 'ddr5'");
  expect_bad_input(run_systole({"dram", "--pattern", "zigzag"}), "option --pattern");
  expect_bad_input(run_systole({"dram", "--mapping", "ch,bg,co"}), "option --mapping");
  expect_bad_input(run_systole({"dram", "--dram", "/nonexistent/memspec.json"}), "cannot open memspec");
}

TEST_CASE("output paths that cannot be written are refused before anything runs", "[cli]") {
  // A VCD under a missing folder once died with SIGFPE inside SystemC; one
  // onto a folder, or an --out folder whose layers.csv is a folder, ran the
  // whole simulation and then failed. Each is now one line, exit 2, and
  // nothing is written.
  const std::string dir = make_temp_dir();
  const std::string lenet = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml";
  std::filesystem::create_directories(dir + "/out/layers.csv");
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--vcd", dir + "/missing/x.vcd"}, "option --vcd: cannot write '" + dir + "/missing/x.vcd': No such file or directory\n"},
      {{"--vcd", dir}, "option --vcd: '" + dir + "' is a directory\n"},
      {{"--out", dir + "/out"}, "option --out: '" + dir + "/out/layers.csv' is a directory\n"},
  };
  for (const auto& [options, error] : cases) {
    std::vector<std::string> args = {"run", "--arch", "systole-32x32", "--workload", lenet};
    args.insert(args.end(), options.begin(), options.end());
    const CommandResult r = run_systole(args);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "systole: error: " + error);
    CHECK(r.out.empty());
  }
  std::vector<std::string> left;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) left.push_back(entry.path().string());
  CHECK(left == std::vector<std::string>{dir + "/out", dir + "/out/layers.csv"});
}

TEST_CASE("options: no silent winner, no silently unused DRAM, errors name the option", "[cli]") {
  const std::string lenet = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml";
  auto run = [&](std::vector<std::string> options) {
    std::vector<std::string> args = {"run", "--arch", "systole-32x32", "--workload", lenet};
    args.insert(args.end(), options.begin(), options.end());
    return run_systole(args);
  };
  // An option and the key it stands for, both given: an error naming both.
  expect_bad_input(run({"--array", "16x16", "--array.rows", "64"}),
                   "options --array and --array.rows both set array.rows: give one of them");
  expect_bad_input(run({"--dataflow", "os", "--array.dataflow", "ws"}),
                   "options --dataflow and --array.dataflow both set array.dataflow: give one of them");
  // A value from the command line is blamed on the option, not the preset.
  expect_bad_input(run({"--array", "4096x4096"}), "option --array: array of 4096x4096 PEs is larger than 4M PEs");
  // Naming a DRAM part uses it; with ideal memory said explicitly, a warning.
  const CommandResult dram = run({"--dram", "ddr4-2400"});
  REQUIRE(dram.exit_code == 0);
  CHECK(dram.out.find("memory: ") != std::string::npos);
  const CommandResult ideal = run({"--memory", "ideal", "--noc.left_words", "4"});
  REQUIRE(ideal.exit_code == 0);
  CHECK(ideal.out.find("memory: ") == std::string::npos);
  CHECK(ideal.err.find("--noc.left_words has no effect with ideal memory") != std::string::npos);
}
