// systole run --traces with --memory dram: SCALE-Sim-layout DRAM traces
// made from the DRAM model's burst records. Checked against a small case
// worked by hand, against layers.csv's DRAM byte columns, the layers'
// cycles and the operands' DRAM regions, and with --timeline in the same
// run (both read the DRAM's records).

#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "models/dram/dram_spec.hpp"
#include "models/dram/dram_system.hpp"
#include "models/memory/memory_controller.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/engine/simulator.hpp"
#include "sim/report/dram_transfer_log.hpp"
#include "sim/report/scalesim_traces.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDramFiles[4] = {"IFMAP_DRAM_TRACE.csv", "FILTER_DRAM_TRACE.csv", "OFMAP_DRAM_TRACE.csv",
                                       "OFMAP_READ_DRAM_TRACE.csv"};
// Each file's DRAM region (MemoryController::region_base) and layers.csv column.
constexpr Operand kRegion[4] = {Operand::Ifmap, Operand::Filter, Operand::Ofmap, Operand::Ofmap};
constexpr Counter kBytes[4] = {Counter::DramIfmapReadBytes, Counter::DramFilterReadBytes,
                               Counter::DramOfmapWriteBytes, Counter::DramOfmapReadBytes};
constexpr const char* kColumns[4] = {"dram_ifmap_read_bytes", "dram_filter_read_bytes", "dram_ofmap_write_bytes",
                                     "dram_ofmap_read_bytes"};

struct DramTrace {
  std::vector<std::vector<std::int64_t>> lines;  // cycle, then lanes
  std::int64_t bytes = 0;                        // lanes other than -1
};

DramTrace parse(const std::string& path) {
  REQUIRE(fs::exists(path));
  DramTrace trace;
  std::istringstream text(read_file(path));
  for (std::string line; std::getline(text, line);) {
    std::vector<std::int64_t> fields;
    std::istringstream cells(line);
    for (std::string cell; std::getline(cells, cell, ',');) fields.push_back(std::stoll(cell));
    REQUIRE(fields.size() >= 2);
    for (std::size_t i = 1; i < fields.size(); ++i) trace.bytes += fields[i] != -1;
    trace.lines.push_back(std::move(fields));
  }
  return trace;
}

// Every line `lanes` wide, one line per cycle in increasing order, every
// cycle within the layer's [0, cycles), every address within the file's
// operand region, the idle lanes at the line's end.
void check_shape(const DramTrace& trace, std::int64_t lanes, std::int64_t cycles, Operand region,
                 std::int64_t capacity) {
  const std::int64_t base = MemoryController::region_base(region, capacity);
  const std::int64_t end = region == Operand::Ofmap ? capacity : base + MemoryController::region_base(Operand::Filter, capacity);
  for (std::size_t l = 0; l < trace.lines.size(); ++l) {
    const std::vector<std::int64_t>& line = trace.lines[l];
    INFO("line " << l << ", cycle " << line[0]);
    CHECK(static_cast<std::int64_t>(line.size()) - 1 == lanes);
    CHECK(line[0] >= 0);
    CHECK(line[0] < cycles);
    if (l > 0) CHECK(line[0] > trace.lines[l - 1][0]);
    bool idle_seen = false;
    for (std::size_t i = 1; i < line.size(); ++i) {
      if (line[i] == -1) {
        idle_seen = true;
        continue;
      }
      CHECK_FALSE(idle_seen);  // the idle lanes pad the line's end
      CHECK(line[i] >= base);
      CHECK(line[i] < end);
    }
  }
}

struct DramRun {
  RunResult result;
  std::uint64_t bytes_written = 0;
};

DramRun run_dram_traced(const ArchConfig& arch, const std::vector<Layer>& layers, const std::string& dir) {
  RunOptions options;
  Simulator simulator(accelerator(), arch, options);
  REQUIRE(simulator.dram_backend() != nullptr);
  DramTransferLog log(*simulator.dram_backend());
  const auto period_fs = static_cast<std::int64_t>(arch.clock_period_fs());
  const DramTraceSource source{&log, simulator.dram_backend()->capacity_bytes(),
                               ScaleSimTraces::dram_trace_lanes(dram_preset(arch.dram), arch.dram_channels, period_fs),
                               period_fs};
  ScaleSimTraces traces(dir, 1'000'000'000, source);
  simulator.set_demand_trace(&traces);
  Workload workload;
  workload.layers = layers;
  DramRun run{simulator.run(workload), 0};
  REQUIRE_FALSE(traces.truncated());
  run.bytes_written = traces.bytes_written();
  return run;
}

std::int64_t ddr4_capacity(int channels) { return DramSystem(dram_preset("ddr4-2400"), channels).capacity_bytes(); }

std::vector<std::int64_t> line_of(std::int64_t cycle, std::int64_t first, std::int64_t count, std::int64_t lanes) {
  std::vector<std::int64_t> line{cycle};
  for (std::int64_t i = 0; i < count; ++i) line.push_back(first + i);
  while (static_cast<std::int64_t>(line.size()) - 1 < lanes) line.push_back(-1);
  return line;
}

}  // namespace

TEST_CASE("DRAM traces of a tiny WS layer on a 2x2 array with DDR4-2400, worked by hand", "[scalesim][traces][dram]") {
  // A 1×4 input of 20 channels and two 1×1 filters: M = 4, K = 20, N = 2,
  // int8. Each operand's whole matrix fits in half its partition, so each is
  // fetched once, as one tile at the start of its DRAM region: ifmap 4·20 =
  // 80 bytes, filter 20·2 = 40 bytes; the outputs, 4·2 = 8 bytes, are
  // written once after the last K fold (WS keeps partial sums on chip).
  // DDR4-2400: tCK = 0.833 ns, 64-byte bursts of BURST = 4 cycles (3.33 ns)
  // on the one channel's data bus; at 1 GHz at most ceil(1 / 3.33) = 1
  // burst ends per array cycle: lines of 64 lanes.
  //  - ifmap: bytes 0-63 in one burst, 64-79 in a second (its other 48
  //    bytes are not the tile's): 2 lines, at least 3 cycles apart (the
  //    bursts end >= 3.33 ns apart on one data bus), in the order the
  //    DRAM's FR-FCFS scheduler served them.
  //  - filter: one burst, 40 bytes from the filter region's base: 1 line.
  //  - ofmap: one burst, 8 bytes from the ofmap region's base: 1 line, after
  //    the reads (the outputs need both operands).
  //  - no partial sums read back: no line.
  const ArchConfig arch = with_dram(array_config(2, 2, "ws"), "ddr4-2400");
  REQUIRE(arch.clock_mhz == 1000);
  const std::string dir = make_temp_dir();
  const DramRun run = run_dram_traced(arch, {conv_layer(1, 4, 20, 2, 1, 1)}, dir);
  const LayerStats& layer = run.result.layers.at(0);
  REQUIRE(layer[Counter::DramIfmapReadBytes] == 80);
  REQUIRE(layer[Counter::DramFilterReadBytes] == 40);
  REQUIRE(layer[Counter::DramOfmapWriteBytes] == 8);
  REQUIRE(layer[Counter::DramOfmapReadBytes] == 0);
  CHECK(ScaleSimTraces::dram_trace_lanes(dram_preset("ddr4-2400"), 1, 1'000'000) == 64);

  const std::int64_t capacity = ddr4_capacity(1);
  const DramTrace ifmap = parse(dir + "/layer0/IFMAP_DRAM_TRACE.csv");
  const DramTrace filter = parse(dir + "/layer0/FILTER_DRAM_TRACE.csv");
  const DramTrace ofmap = parse(dir + "/layer0/OFMAP_DRAM_TRACE.csv");
  CHECK(parse(dir + "/layer0/OFMAP_READ_DRAM_TRACE.csv").lines.empty());
  REQUIRE(ifmap.lines.size() == 2);
  REQUIRE(filter.lines.size() == 1);
  REQUIRE(ofmap.lines.size() == 1);
  const std::int64_t filter_base = MemoryController::region_base(Operand::Filter, capacity);
  const std::int64_t ofmap_base = MemoryController::region_base(Operand::Ofmap, capacity);
  const bool first_burst_first = ifmap.lines[0][1] == 0;
  const std::vector<std::int64_t>& whole = ifmap.lines[first_burst_first ? 0 : 1];
  const std::vector<std::int64_t>& part = ifmap.lines[first_burst_first ? 1 : 0];
  CHECK(whole == line_of(whole[0], 0, 64, 64));
  CHECK(part == line_of(part[0], 64, 16, 64));
  CHECK(ifmap.lines[1][0] >= ifmap.lines[0][0] + 3);
  CHECK(filter.lines[0] == line_of(filter.lines[0][0], filter_base, 40, 64));
  CHECK(ofmap.lines[0] == line_of(ofmap.lines[0][0], ofmap_base, 8, 64));
  CHECK(ofmap.lines[0][0] > std::max(ifmap.lines[1][0], filter.lines[0][0]));
  CHECK(ofmap.lines[0][0] < layer[Counter::Cycles]);
}

TEST_CASE("DRAM traces of partial sums read back, and of streams cut into chunks, hold every DRAM byte",
          "[scalesim][traces][dram]") {
  // Small partitions cut the stream into chunks and K into chunks whose OS
  // partial sums spill to DRAM and are read back.
  const Layer layer = conv_layer(9, 9, 16, 8, 3, 3);
  for (const char* dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    for (int channels : {1, 2}) {
      INFO(channels << " channels");
      ArchConfig arch = with_dram(array_config(4, 4, dataflow, Microarch::Pipelined), "ddr4-2400", channels);
      arch.buffer.ifmap_bytes = 256;
      arch.buffer.filter_bytes = 256;
      arch.buffer.ofmap_bytes = 128;
      const std::string dir = make_temp_dir();
      const DramRun run = run_dram_traced(arch, {layer}, dir);
      const LayerStats& stats = run.result.layers.at(0);
      if (std::string(dataflow) == "os") CHECK(stats[Counter::DramOfmapReadBytes] > 0);
      const std::int64_t lanes = ScaleSimTraces::dram_trace_lanes(dram_preset("ddr4-2400"), channels, 1'000'000);
      CHECK(lanes == 64 * channels);
      for (int f = 0; f < 4; ++f) {
        INFO(kDramFiles[f]);
        const DramTrace trace = parse(dir + "/layer0/" + kDramFiles[f]);
        CHECK(trace.bytes == stats[kBytes[f]]);
        check_shape(trace, lanes, stats[Counter::Cycles], kRegion[f], ddr4_capacity(channels));
      }
      // The size estimate bounds what was written.
      Workload workload;
      workload.layers = {layer};
      CHECK(ScaleSimTraces::estimate_bytes(arch, workload) >= run.bytes_written);
    }
  }
}

TEST_CASE("a DRAM run with --traces and --timeline gives both every DRAM transfer", "[cli][traces][dram]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", traces = dir + "/traces", timeline = dir + "/run.json";
  // 700 MHz against DDR4-2400's 1200 MHz: DRAM times fall between the
  // array's cycles (1.43 ns: one 3.33 ns burst per channel and cycle, at
  // most); the pool layer runs on the vector unit.
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--dram", "ddr4-2400", "--dram-channels", "2",
                                         "--clock-mhz", "700", "--out", out, "--traces", traces, "--timeline",
                                         timeline, "--log-level", "info"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("DRAM traces") == std::string::npos);  // no line says they are missing
  const auto csv = read_csv(out + "/layers.csv");
  REQUIRE(csv.size() == 4);
  const auto column = [&](const std::string& name) {
    const auto at = std::find(csv[0].begin(), csv[0].end(), name);
    REQUIRE(at != csv[0].end());
    return static_cast<std::size_t>(at - csv[0].begin());
  };
  std::int64_t traced_bytes = 0, layers_bytes = 0;
  for (std::size_t row = 1; row < csv.size(); ++row) {
    const std::string layer = traces + "/layer" + std::to_string(row - 1);
    INFO(layer);
    if (csv[row][column("layer")] == "p") {
      CHECK_FALSE(fs::exists(layer));
      continue;
    }
    for (int f = 0; f < 4; ++f) {
      INFO(kDramFiles[f]);
      const DramTrace trace = parse(layer + "/" + kDramFiles[f]);
      const std::int64_t bytes = std::stoll(csv[row][column(kColumns[f])]);
      CHECK(trace.bytes == bytes);
      check_shape(trace, 128, std::stoll(csv[row][column("cycles")]), kRegion[f], ddr4_capacity(2));
      traced_bytes += trace.bytes;
      layers_bytes += bytes;
    }
  }
  CHECK(traced_bytes > 0);
  CHECK(traced_bytes == layers_bytes);
  // The timeline's transfer slices carry the same bytes.
  std::int64_t timeline_bytes = 0;
  const nlohmann::json events = nlohmann::json::parse(read_file(timeline))["traceEvents"];
  for (const nlohmann::json& event : events)
    if (event["ph"] == "b") timeline_bytes += event["args"]["bytes"].get<std::int64_t>();
  CHECK(timeline_bytes == layers_bytes);
  for (const auto& entry : fs::recursive_directory_iterator(traces)) CHECK(entry.path().extension() != ".partial");
}

TEST_CASE("the --traces-max-mb estimate covers the DRAM traces", "[cli][traces][dram]") {
  // The estimate with the DRAM model adds a line per burst: a GEMM whose
  // SRAM traces' estimate fits 2 MB (1.68 MB) is refused once its DRAM
  // traces' is added (2.23 MB in all).
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", "layers:\n  - {name: g, type: gemm, m: 128, n: 128, k: 128}\n");
  const std::vector<std::string> run = {"run",        "--arch", "systole-32x32", "--workload", dir + "/net.yaml",
                                        "--compute", "off",    "--traces",      dir + "/t",  "--traces-max-mb"};
  std::vector<std::string> ideal = run, dram = run;
  ideal.push_back("2");
  dram.insert(dram.end(), {"2", "--dram", "ddr4-2400"});
  const CommandResult ideal_run = run_systole(ideal);
  INFO(ideal_run.err);
  CHECK(ideal_run.exit_code == 0);
  fs::remove_all(dir + "/t");
  expect_bad_input(run_systole(dram), "option --traces: the demand traces of this run may reach ");
}
