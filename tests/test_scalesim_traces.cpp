// systole run --traces: SCALE-Sim v2's SRAM demand traces. SCALE-Sim's
// command line writes none, so the expected lines are worked out here by
// hand from the baseline schedule (docs/timing-model.md) and SCALE-Sim's
// address formulas (../shared/reference/scalesim.md §4.1), and the traces of
// SCALE-Sim's own test cases are checked against its DETAILED_ACCESS_REPORT
// and against the run's buffer counters.

#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <sstream>

#include "sim/config/arch_config.hpp"
#include "sim/config/scalesim_config.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/report/scalesim_traces.hpp"
#include "sim/workload/scalesim_topology.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

namespace {

const fs::path kCases = kScaleSimDir / "cases";
constexpr const char* kFiles[3] = {"IFMAP_SRAM_TRACE.csv", "FILTER_SRAM_TRACE.csv", "OFMAP_SRAM_TRACE.csv"};

RunResult run_traced(const ArchConfig& arch, const std::vector<Layer>& layers, const std::string& dir,
                     bool compute = true) {
  RunOptions options;
  options.compute = compute;
  options.verify = compute;
  Simulator simulator(accelerator(), arch, options);
  ScaleSimTraces traces(dir, 1'000'000'000);
  simulator.set_demand_trace(&traces);
  Workload workload;
  workload.layers = layers;
  const RunResult result = simulator.run(workload);
  REQUIRE_FALSE(traces.truncated());
  return result;
}

std::vector<std::string> lines_of(const std::string& path) {
  REQUIRE(fs::exists(path));
  std::istringstream text(read_file(path));
  std::vector<std::string> lines;
  for (std::string line; std::getline(text, line);) lines.push_back(line);
  return lines;
}

struct Trace {
  std::vector<std::int64_t> cycles;
  std::map<std::int64_t, std::int64_t> addresses;  // how often each was read or written
  std::int64_t entries = 0;                        // lanes other than -1
  std::size_t width = 0;
};

Trace parse(const std::string& path) {
  Trace trace;
  for (const std::string& line : lines_of(path)) {
    std::vector<std::int64_t> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(std::stoll(cell));
    REQUIRE(fields.size() >= 2);
    if (trace.width == 0) trace.width = fields.size() - 1;
    CHECK(fields.size() - 1 == trace.width);
    if (!trace.cycles.empty()) CHECK(fields[0] > trace.cycles.back());  // one line per cycle, in order
    trace.cycles.push_back(fields[0]);
    for (std::size_t i = 1; i < fields.size(); ++i)
      if (fields[i] != -1) {
        ++trace.addresses[fields[i]];
        ++trace.entries;
      }
  }
  return trace;
}

// A 1×2 input of 3 channels, `filters` 1×1 filters: M = 2, K = 3, N =
// filters. SCALE-Sim's addresses: ifmap (m, k) = 3m + k, filter (k, n) =
// 10000000 + 3n + k, ofmap (m, n) = 20000000 + filters·m + n.
Layer tiny_layer(std::int64_t filters) { return conv_layer(1, 2, 3, filters, 1, 1); }

void check_lines(const std::string& dir, const std::vector<std::string> (&expected)[3]) {
  for (int o = 0; o < 3; ++o) {
    INFO(kFiles[o]);
    CHECK(lines_of(dir + "/layer0/" + kFiles[o]) == expected[o]);
  }
}

// What SCALE-Sim's ifmap, filter and ofmap matrices hold for a layer of
// batch 1, one group and no dilation, each address
// counted as often as the dataflow reads (writes) it: every operand that
// streams past a spatial fold of the other dimension is read once per fold
// of that dimension (../shared/reference/scalesim.md §4.2-4.3).
std::map<std::int64_t, std::int64_t> expected_addresses(const Layer& layer, const ArchConfig& arch, int operand) {
  const ConvShape& s = layer.shape;
  const std::int64_t eh = layer.out_h(), ew = layer.out_w();
  const std::int64_t m_count = eh * ew, k_count = s.filter_h * s.filter_w * s.in_channels, n_count = s.filters;
  const auto folds = [](std::int64_t extent, int edge) { return (extent + edge - 1) / edge; };
  const std::string& df = arch.dataflow;
  const int rows = arch.array.rows, cols = arch.array.cols;
  std::map<std::int64_t, std::int64_t> counts;
  if (operand == 0) {
    // ifmap: WS and OS stream it past every column fold of N; IS holds it.
    const std::int64_t times = df == "is" ? 1 : folds(n_count, cols);
    for (std::int64_t m = 0; m < m_count; ++m)
      for (std::int64_t k = 0; k < k_count; ++k) {
        const std::int64_t r = m / ew, c = m % ew;
        const std::int64_t fr = k / (s.filter_w * s.in_channels), fc = (k / s.in_channels) % s.filter_w,
                           ch = k % s.in_channels;
        const std::int64_t y = r * s.stride_h - s.pad_top + fr, x = c * s.stride_w - s.pad_left + fc;
        if (y < 0 || y >= s.in_h || x < 0 || x >= s.in_w) continue;  // padding, or SCALE-Sim's ceil overrun: -1
        counts[((y * s.in_w) + x) * s.in_channels + ch] += times;
      }
  } else if (operand == 1) {
    // filter: WS holds it; OS streams it past every row fold of M, IS past
    // every column fold of M.
    const std::int64_t times = df == "ws" ? 1 : df == "os" ? folds(m_count, rows) : folds(m_count, cols);
    for (std::int64_t n = 0; n < n_count; ++n)
      for (std::int64_t k = 0; k < k_count; ++k) counts[10000000 + n * k_count + k] += times;
  } else {
    // ofmap: WS and IS write each partial sum once per row fold of K; OS
    // each output once.
    const std::int64_t times = df == "os" ? 1 : folds(k_count, rows);
    for (std::int64_t m = 0; m < m_count; ++m)
      for (std::int64_t n = 0; n < n_count; ++n) counts[20000000 + m * n_count + n] += times;
  }
  return counts;
}

}  // namespace

TEST_CASE("WS traces of a two-fold layer on a 2x2 array, worked by hand", "[scalesim][traces]") {
  // WS: K = 3 over R = 2 rows is two row folds (k 0-1, then k 2), N = 2
  // columns, M = 2 streamed. Baseline slot 2R + T + C - 2 = 6: fold f loads
  // row r of its filters at 6f + r, streams m into row r at 6f + 2 + m + r,
  // and column c's result for m leaves at 6f + 3 + m + c. Reads are written
  // at the cycle SCALE-Sim's SRAM serves them, one later; writes as they are.
  const std::string dir = make_temp_dir();
  const RunResult result = run_traced(array_config(2, 2, "ws"), {tiny_layer(2)}, dir);
  REQUIRE(result.layers[0][Counter::Cycles] == 12);
  const std::vector<std::string> expected[3] = {
      // ifmap, R = 2 lanes: fold 0 cycle 2 m0k0=0; 3 m1k0=3, m0k1=1; 4 m1k1=4;
      // fold 1 cycle 8 m0k2=2; 9 m1k2=5.
      {"3,0,-1", "4,3,1", "5,-1,4", "9,2,-1", "10,5,-1"},
      // filter, C = 2 lanes: row k of (n0, n1) = 10000000 + k, 10000003 + k at
      // cycles 0, 1 and 6 (fold 1's row 1 is padding, read from no memory).
      {"1,10000000,10000003", "2,10000001,10000004", "7,10000002,10000005"},
      // ofmap (m, n) = 20000000 + 2m + n: cycle 3 (0,0); 4 (1,0), (0,1); 5 (1,1),
      // and again for fold 1's partial sums from cycle 9.
      {"3,20000000,-1", "4,20000002,20000001", "5,-1,20000003", "9,20000000,-1", "10,20000002,20000001",
       "11,-1,20000003"}};
  check_lines(dir, expected);
}

TEST_CASE("OS traces of a two-fold layer on a 2x2 array, worked by hand", "[scalesim][traces]") {
  // OS: M = 2 on the rows, N = 3 over C = 2 columns is two column folds (n
  // 0-1, then n 2), K = 3 streamed. Slot T + R + C - 2 = 5: fold f feeds k
  // into row m at 5f + k + m and column c at 5f + k + c; PE (r, c)'s result
  // leaves through column c at 5f + (T - 1) + c + r.
  const std::string dir = make_temp_dir();
  const RunResult result = run_traced(array_config(2, 2, "os"), {tiny_layer(3)}, dir);
  REQUIRE(result.layers[0][Counter::Cycles] == 10);
  const std::vector<std::string> expected[3] = {
      // ifmap (m, k) = 3m + k on lanes m: cycle 0 (0,0); 1 (0,1),(1,0); 2 (0,2),(1,1);
      // 3 (1,2); fold 1 the same from cycle 5.
      {"1,0,-1", "2,1,3", "3,2,4", "4,-1,5", "6,0,-1", "7,1,3", "8,2,4", "9,-1,5"},
      // filter (k, n) = 10000000 + 3n + k on lanes n - n0: fold 1 uses one column.
      {"1,10000000,-1", "2,10000001,10000003", "3,10000002,10000004", "4,-1,10000005", "6,10000006,-1",
       "7,10000007,-1", "8,10000008,-1"},
      // ofmap (m, n) = 20000000 + 3m + n: cycle 2 (0,0); 3 (1,0) on lane 0, (0,1)
      // on lane 1; 4 (1,1); fold 1: 7 (0,2); 8 (1,2).
      {"2,20000000,-1", "3,20000003,20000001", "4,-1,20000004", "7,20000002,-1", "8,20000005,-1"}};
  check_lines(dir, expected);
}

TEST_CASE("IS traces of a two-fold layer on a 2x2 array, worked by hand", "[scalesim][traces]") {
  // IS: K = 3 over R = 2 rows (two row folds), M = 2 on the columns, N = 2
  // streamed: the ifmap is stationary, filters enter the left edge, and
  // column c (output pixel m = c) sends its result for filter n at
  // 6f + 3 + n + c.
  const std::string dir = make_temp_dir();
  const RunResult result = run_traced(array_config(2, 2, "is"), {tiny_layer(2)}, dir);
  REQUIRE(result.layers[0][Counter::Cycles] == 12);
  const std::vector<std::string> expected[3] = {
      // ifmap, C = 2 lanes (m = 0, 1): row k = (k, 3 + k) at cycles 0, 1, then 6.
      {"1,0,3", "2,1,4", "7,2,5"},
      // filter (k, n) = 10000000 + 3n + k on lanes k - k0: cycle 2 (k0,n0); 3
      // (k0,n1), (k1,n0); 4 (k1,n1); fold 1: 8 (k2,n0); 9 (k2,n1).
      {"3,10000000,-1", "4,10000003,10000001", "5,-1,10000004", "9,10000002,-1", "10,10000005,-1"},
      // ofmap (m, n) = 20000000 + 2m + n on lanes m.
      {"3,20000000,-1", "4,20000001,20000002", "5,-1,20000003", "9,20000000,-1", "10,20000001,20000002",
       "11,-1,20000003"}};
  check_lines(dir, expected);
}

TEST_CASE("traces of SCALE-Sim's test cases agree with its access report and the buffer counters",
          "[scalesim][traces][golden]") {
  SYSTOLE_REQUIRE_TEST_DATA(kCases, kScaleSimHowToGet);
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    if (entry.path().filename().string().find("_test_valid_") == std::string::npos) continue;
    fs::path topology;
    for (const auto& file : fs::directory_iterator(entry.path()))
      if (file.path().extension() == ".csv") topology = file.path();
    const ArchConfig arch = load_arch_config((entry.path() / "config.cfg").string());
    const Workload workload = load_scalesim_topology(topology.string());
    const std::string dir = make_temp_dir();
    const RunResult result = run_traced(arch, workload.layers, dir);
    const auto report = read_csv((entry.path() / "expected" / "DETAILED_ACCESS_REPORT.csv").string());
    REQUIRE(report.size() == workload.layers.size() + 1);
    for (std::size_t i = 0; i < workload.layers.size(); ++i) {
      INFO(entry.path().filename().string() << " layer " << i);
      const LayerStats& layer = result.layers[i];
      const auto& row = report[i + 1];
      const std::string layer_dir = dir + "/layer" + std::to_string(i) + "/";
      const Counter counters[3] = {Counter::BufferIfmapReads, Counter::BufferFilterReads,
                                   Counter::BufferOfmapWrites};
      for (int o = 0; o < 3; ++o) {
        INFO(kFiles[o]);
        const Trace trace = parse(layer_dir + kFiles[o]);
        CHECK(trace.entries == layer[counters[o]]);
        CHECK(trace.addresses == expected_addresses(workload.layers[i], arch, o));
        // SCALE-Sim's reads and writes (its OS ofmap count adds R + C per
        // fold that no value makes: tests/test_scalesim_golden.cpp).
        const std::int64_t scalesim_count = std::stoll(row[3 + 3 * o]);
        if (o == 2 && arch.dataflow == "os")
          CHECK(trace.entries + (arch.array.rows + arch.array.cols) * layer[Counter::Folds] == scalesim_count);
        else
          CHECK(trace.entries == scalesim_count);
        // The first and last cycles SCALE-Sim reports for the partition.
        CHECK(trace.cycles.front() == static_cast<std::int64_t>(std::stod(row[1 + 3 * o])));
        CHECK(trace.cycles.back() == static_cast<std::int64_t>(std::stod(row[2 + 3 * o])));
        // Lanes: the edge the operand passes.
        const bool left = (o == 0 && arch.dataflow != "is") || (o == 1 && arch.dataflow == "is");
        CHECK(trace.width == static_cast<std::size_t>(left ? arch.array.rows : arch.array.cols));
      }
    }
    ++cases;
  }
  CHECK(cases == 12);
}

TEST_CASE("traces of a strided multi-channel conv hold every im2col read, in every dataflow", "[scalesim][traces]") {
  // 9x9 input of 3 channels, 5 filters of 3x3 at stride 2: a 4x4 output,
  // M = 16, K = 27, N = 5, on a 4x4 array several folds each way; input
  // pixels shared by neighbouring windows are read once per window.
  const Layer layer = conv_layer(9, 9, 3, 5, 3, 3, /*stride=*/2);
  for (const char* dataflow : {"ws", "os", "is"}) {
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined}) {
      INFO(dataflow << (microarch == Microarch::Baseline ? " baseline" : " pipelined"));
      const ArchConfig arch = array_config(4, 4, dataflow, microarch);
      const std::string dir = make_temp_dir();
      const RunResult result = run_traced(arch, {layer}, dir);
      const Counter counters[3] = {Counter::BufferIfmapReads, Counter::BufferFilterReads,
                                   Counter::BufferOfmapWrites};
      for (int o = 0; o < 3; ++o) {
        INFO(kFiles[o]);
        const Trace trace = parse(dir + "/layer0/" + kFiles[o]);
        CHECK(trace.entries == result.layers[0][counters[o]]);
        CHECK(trace.addresses == expected_addresses(layer, arch, o));
        CHECK(trace.cycles.back() < result.layers[0][Counter::Cycles] + 1);
      }
    }
  }
}

TEST_CASE("with the DRAM model the traces still hold every read and write the buffer counts", "[scalesim][traces]") {
  // A small ifmap partition cuts the stream into chunks, each rerunning the
  // folds (and the OS ofmap partial sums accumulate across chunks).
  const Layer layer = conv_layer(9, 9, 3, 5, 3, 3, /*stride=*/2);
  for (const char* dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    ArchConfig arch = with_dram(array_config(4, 4, dataflow, Microarch::Pipelined), "ddr4-2400");
    arch.buffer.ifmap_bytes = 64;
    arch.buffer.filter_bytes = 1024;
    arch.buffer.ofmap_bytes = 1024;
    const std::string dir = make_temp_dir();
    const RunResult result = run_traced(arch, {layer}, dir);
    const Counter counters[3] = {Counter::BufferIfmapReads, Counter::BufferFilterReads,
                                 Counter::BufferOfmapWrites};
    for (int o = 0; o < 3; ++o) {
      INFO(kFiles[o]);
      const Trace trace = parse(dir + "/layer0/" + kFiles[o]);
      CHECK(trace.entries == result.layers[0][counters[o]]);
      CHECK(trace.cycles.back() <= result.layers[0][Counter::Cycles]);
    }
    if (std::string(dataflow) != "is") CHECK(result.layers[0][Counter::StreamChunks] > 1);
  }
}

TEST_CASE("window positions in the padding are -1 in the ifmap trace", "[scalesim][traces]") {
  // 5x5 input of 2 channels, 3 filters of 3x3, padding 1: a 5x5 output.
  // The array reads every window position, a zero where it falls in the
  // padding; the trace shows those as -1: 56 of the 225 positions (4 sides
  // of 5 pixels with 3 outside each, 60, less the 4 corners' overlap), 112
  // values with the 2 channels.
  const Layer layer = conv_layer(5, 5, 2, 3, 3, 3, /*stride=*/1, /*pad=*/1);
  std::int64_t outside = 0;
  for (int p = 0; p < 5; ++p)
    for (int q = 0; q < 5; ++q)
      for (int fr = 0; fr < 3; ++fr)
        for (int fc = 0; fc < 3; ++fc)
          if (p - 1 + fr < 0 || p - 1 + fr >= 5 || q - 1 + fc < 0 || q - 1 + fc >= 5) outside += 2;  // channels
  REQUIRE(outside == 112);
  for (const char* dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    const ArchConfig arch = array_config(4, 4, dataflow);
    const std::string dir = make_temp_dir();
    const RunResult result = run_traced(arch, {layer}, dir);
    const Trace trace = parse(dir + "/layer0/IFMAP_SRAM_TRACE.csv");
    // N = 3 fits one column fold: each window position is read once.
    CHECK(trace.entries == result.layers[0][Counter::BufferIfmapReads] - outside);
    CHECK(trace.addresses == expected_addresses(layer, arch, 0));
  }
}

TEST_CASE("an interrupted run keeps the traces of what it simulated", "[scalesim][traces]") {
  const std::atomic<bool> interrupt{true};
  RunOptions options;
  options.interrupt = &interrupt;
  options.pause_interval = 10;  // stops at the first pause
  Simulator simulator(accelerator(), array_config(4, 4, "ws"), options);
  const std::string dir = make_temp_dir();
  ScaleSimTraces traces(dir, 1'000'000'000);
  simulator.set_demand_trace(&traces);
  Workload workload;
  workload.layers = {conv_layer(9, 9, 3, 5, 3, 3, 2)};
  const RunResult result = simulator.run(workload);
  REQUIRE(result.interrupted);
  const std::int64_t cycles = result.layers[0][Counter::Cycles];
  REQUIRE(cycles > 0);
  const Trace trace = parse(dir + "/layer0/IFMAP_SRAM_TRACE.csv");
  CHECK(trace.entries == result.layers[0][Counter::BufferIfmapReads]);
  CHECK(trace.cycles.back() <= cycles);
  CHECK_FALSE(fs::exists(dir + "/layer0/IFMAP_SRAM_TRACE.csv.partial"));
}

TEST_CASE("traces that reach their limit during a run stop at a whole line", "[scalesim][traces]") {
  // The WS case worked by hand above: the layer's ifmap, filter and ofmap
  // lines interleave by cycle; a 100-byte limit takes the lines written
  // before the one that would pass it, and no later layer gets files.
  Simulator simulator(accelerator(), array_config(2, 2, "ws"), RunOptions{});
  const std::string dir = make_temp_dir();
  ScaleSimTraces traces(dir, 100);
  simulator.set_demand_trace(&traces);
  Workload workload;
  workload.layers = {tiny_layer(2), tiny_layer(2)};
  simulator.run(workload);
  REQUIRE(traces.truncated());
  CHECK(traces.truncated_layer() == 0);
  std::uint64_t bytes = 0;
  for (const char* file : kFiles) bytes += read_file(dir + "/layer0/" + file).size();
  CHECK(bytes == traces.bytes_written());
  CHECK(bytes <= 100);
  // Written in the array's cycle order (a read's line carries the next
  // cycle): "1,10000000,10000003" and "2,10000001,10000004" (20 bytes each
  // with the newline), "3,0,-1" (7), "4,3,1" (6), "3,20000000,-1" (14),
  // "5,-1,4" (7), "4,20000002,20000001" (20): 94 bytes; "5,-1,20000003" (14)
  // would pass 100.
  CHECK(bytes == 94);
  CHECK(traces.truncated_cycle() == 5);
  CHECK_FALSE(fs::exists(dir + "/layer1"));
}

TEST_CASE("traces are the same with and without operand values", "[scalesim][traces]") {
  const std::vector<Layer> layers = {conv_layer(9, 9, 3, 5, 3, 3, 2), tiny_layer(3)};
  for (const char* dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    const ArchConfig arch = array_config(4, 4, dataflow, Microarch::Pipelined);
    const std::string on = make_temp_dir(), off = make_temp_dir();
    run_traced(arch, layers, on, true);
    run_traced(arch, layers, off, false);
    for (int layer = 0; layer < 2; ++layer)
      for (const char* file : kFiles) {
        const std::string path = "/layer" + std::to_string(layer) + "/" + file;
        INFO(path);
        CHECK_FALSE(read_file(on + path).empty());
        CHECK(read_file(on + path) == read_file(off + path));
      }
  }
}

TEST_CASE("systole run --traces writes each array layer's traces, and refuses bad options", "[cli][traces]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string traces = dir + "/traces";
  const CommandResult run = run_systole(
      {"run", "--arch", "systole-32x32", "--array", "4x4", "--workload", dir + "/net.yaml", "--traces", traces});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("no DRAM traces") != std::string::npos);  // ideal memory
  // Layers 0 and 2 run on the array; the pool (layer 1) on the vector unit.
  for (const char* layer : {"/layer0/", "/layer2/"})
    for (const char* file : kFiles) CHECK_FALSE(read_file(traces + layer + file).empty());
  CHECK_FALSE(fs::exists(traces + "/layer1"));
  for (const auto& entry : fs::recursive_directory_iterator(traces))
    CHECK(entry.path().extension() != ".partial");

  // A directory that cannot be made: nothing simulated, nothing written.
  write_file(dir + "/file", "x");
  expect_bad_input(run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/net.yaml", "--traces",
                                dir + "/file/sub"}),
                   "option --traces: ");
  // Over the size limit: refused with the estimate before anything runs.
  const std::string big = dir + "/big";
  write_file(dir + "/big.yaml", "layers:\n  - {name: g, type: gemm, m: 512, n: 512, k: 512}\n");
  const CommandResult refused = run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/big.yaml",
                                             "--traces", big, "--traces-max-mb", "1"});
  expect_bad_input(refused, "option --traces: the demand traces of this run may reach ");
  CHECK(refused.err.find(" MB, above --traces-max-mb 1") != std::string::npos);
  CHECK_FALSE(fs::exists(big));
  expect_bad_input(run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/net.yaml",
                                "--traces-max-mb", "5"}),
                   "option --traces-max-mb needs --traces DIR");
}

TEST_CASE("a traces limit of 0 MB writes SCALE-Sim's reports and no trace file", "[cli][traces]") {
  // A layer whose traces would pass any limit still gets its reports.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\nhuge, 20000, 2048, 2048,\n");
  const std::string traces = dir + "/traces";
  const std::vector<std::string> run = {"run", "--arch", "systole-32x32", "--workload", dir + "/net.csv",
                                        "--compute", "off", "--traces", traces, "--log-level", "warn"};
  std::vector<std::string> limited = run;
  limited.insert(limited.end(), {"--traces-max-mb", "1000"});
  CHECK(run_systole(limited).exit_code == 2);
  std::vector<std::string> reports_only = run;
  reports_only.insert(reports_only.end(), {"--traces-max-mb", "0"});
  const CommandResult result = run_systole(reports_only);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<std::string> written;
  for (const auto& entry : fs::directory_iterator(traces)) written.push_back(entry.path().filename().string());
  std::sort(written.begin(), written.end());
  CHECK(written == std::vector<std::string>{"BANDWIDTH_REPORT.csv", "COMPUTE_REPORT.csv", "DETAILED_ACCESS_REPORT.csv"});
  CHECK(read_csv(traces + "/COMPUTE_REPORT.csv").size() == 2);
}

TEST_CASE("a SCALE-Sim cfg's IfmapOffset, FilterOffset and OfmapOffset shift every address of its traces",
          "[scalesim][traces]") {
  // The same layer traced with SCALE-Sim's shipped offsets (a cfg without
  // them: 0, 10000000, 20000000) and with a cfg's own: every line keeps its
  // cycle and its -1 lanes, and each address moves by exactly the
  // difference of its operand's offsets.
  const std::string dir = make_temp_dir();
  const std::string presets = "[architecture_presets]\nArrayHeight: 4\nArrayWidth: 4\nDataflow: os\n";
  write_file(dir + "/shipped.cfg", presets);
  write_file(dir + "/own.cfg", presets + "IfmapOffset: 5\nFilterOffset: 123456\nOfmapOffset: 7000000\n");
  const ArchConfig shipped = load_scalesim_config(dir + "/shipped.cfg");
  const ArchConfig own = load_scalesim_config(dir + "/own.cfg");
  CHECK(own.scalesim_offsets.ifmap == 5);
  CHECK(own.scalesim_offsets.filter == 123456);
  CHECK(own.scalesim_offsets.ofmap == 7000000);
  const Layer layer = conv_layer(6, 6, 3, 5, 3, 3, /*stride=*/1, /*pad=*/1);
  run_traced(shipped, {layer}, dir + "/shipped");
  run_traced(own, {layer}, dir + "/own");
  const std::int64_t shift[3] = {5 - 0, 123456 - 10000000, 7000000 - 20000000};
  for (int o = 0; o < 3; ++o) {
    INFO(kFiles[o]);
    const std::vector<std::string> before = lines_of(dir + "/shipped/layer0/" + kFiles[o]);
    const std::vector<std::string> after = lines_of(dir + "/own/layer0/" + kFiles[o]);
    REQUIRE(before.size() == after.size());
    REQUIRE_FALSE(before.empty());
    std::int64_t addresses = 0, idle = 0;
    for (std::size_t l = 0; l < before.size(); ++l) {
      std::istringstream a(before[l]), b(after[l]);
      std::string x, y;
      for (int field = 0; std::getline(a, x, ',') && std::getline(b, y, ','); ++field) {
        const std::int64_t old_value = std::stoll(x), new_value = std::stoll(y);
        if (field == 0 || old_value == -1) {
          CHECK(new_value == old_value);
          idle += field > 0;
        } else {
          CHECK(new_value == old_value + shift[o]);
          ++addresses;
        }
      }
    }
    CHECK(addresses > 0);
    if (o == 0) CHECK(idle > 0);  // the padding's -1 lanes stay -1
  }
  // An offset that is no address is refused, naming the file and line.
  write_file(dir + "/bad.cfg", presets + "FilterOffset: -3\n");
  write_file(dir + "/net.csv", "Layer, M, N, K,\ng, 4, 4, 4,\n");
  expect_bad_input(run_systole({"run", "--arch", dir + "/bad.cfg", "--workload", dir + "/net.csv"}),
                   dir + "/bad.cfg:5: filteroffset: expected a word address from 0 to 2^48, got '-3'");
}
