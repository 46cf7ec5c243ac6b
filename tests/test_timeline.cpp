// systole run --timeline: the Chrome trace JSON, checked against the run's
// own reports (layers.csv, summary.json), never against itself.

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/helpers.hpp"

using namespace systole::test;
namespace fs = std::filesystem;

namespace {

struct Slice {
  double ts = 0, dur = 0;
  std::string name;
};

std::vector<Slice> slices(const nlohmann::json& trace, int tid) {
  std::vector<Slice> found;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "X" && event["tid"] == tid)
      found.push_back({event["ts"].get<double>(), event["dur"].get<double>(), event["name"].get<std::string>()});
  std::sort(found.begin(), found.end(), [](const Slice& a, const Slice& b) { return a.ts < b.ts; });
  return found;
}

// The tid the trace names `track`.
int track_id(const nlohmann::json& trace, const std::string& track) {
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "M" && event["name"] == "thread_name" && event["args"]["name"] == track)
      return event["tid"].get<int>();
  FAIL("no track named " << track);
  return -1;
}

// layers.csv as one map per layer row, by column name.
std::vector<std::map<std::string, std::string>> layer_rows(const std::string& path) {
  const auto csv = read_csv(path);
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < csv.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < csv[0].size() && c < csv[r].size(); ++c) row[csv[0][c]] = csv[r][c];
    rows.push_back(row);
  }
  return rows;
}

}  // namespace

TEST_CASE("the timeline's layers, phases, steps and counters agree with the run's reports", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  // 700 MHz: a period of 1.428... ns, so the microsecond times are fractions.
  const CommandResult run =
      run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload", dir + "/net.yaml", "--clock-mhz",
                   "700", "--out", out, "--timeline", timeline, "--timeline-window", "7", "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  CHECK_FALSE(fs::exists(timeline + ".partial"));
  CHECK(trace["displayTimeUnit"] == "ns");
  CHECK(trace["otherData"]["truncated"] == false);
  CHECK(trace["otherData"]["interrupted"] == false);

  const double cycle_us = 1.0 / 700;
  const auto rows = layer_rows(out + "/layers.csv");
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  const std::int64_t total_cycles = summary["totals"]["cycles"]["value"].get<std::int64_t>();
  const double tolerance = 1e-9 * static_cast<double>(total_cycles) * cycle_us;

  // One layer slice per layers.csv row, as long as its cycles; together the
  // whole run.
  const std::vector<Slice> layers = slices(trace, track_id(trace, "layers"));
  REQUIRE(layers.size() == rows.size());
  double layer_sum = 0;
  std::int64_t steps_expected = 0, macs_expected = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(layers[i].name == rows[i].at("layer"));
    // Times are written to 12 significant digits.
    CHECK(layers[i].dur == Approx(std::stoll(rows[i].at("cycles")) * cycle_us).epsilon(1e-10));
    CHECK(layers[i].ts == Approx(std::stoll(rows[i].at("first_cycle")) * cycle_us).margin(tolerance));
    layer_sum += layers[i].dur;
    steps_expected += std::stoll(rows[i].at("steps"));
    macs_expected += std::stoll(rows[i].at("macs"));
  }
  CHECK(layer_sum == Approx(static_cast<double>(total_cycles) * cycle_us).margin(tolerance));
  CHECK(slices(trace, track_id(trace, "steps")).size() == static_cast<std::size_t>(steps_expected));

  // The phase slices tile the run, and no phase crosses a layer boundary:
  // together they tile each layer.
  const std::vector<Slice> phases = slices(trace, track_id(trace, "phases"));
  REQUIRE_FALSE(phases.empty());
  CHECK(phases.front().ts == Approx(0).margin(tolerance));
  for (std::size_t i = 0; i + 1 < phases.size(); ++i) {
    CHECK(phases[i].dur > 0);
    CHECK(phases[i].ts + phases[i].dur == Approx(phases[i + 1].ts).margin(tolerance));
  }
  CHECK(phases.back().ts + phases.back().dur == Approx(total_cycles * cycle_us).margin(tolerance));
  for (const Slice& layer : layers)
    CHECK(std::any_of(phases.begin(), phases.end(),
                      [&](const Slice& phase) { return std::abs(phase.ts - layer.ts) <= tolerance; }));
  std::set<std::string> phase_names;
  for (const Slice& phase : phases) phase_names.insert(phase.name);
  CHECK(phase_names.count("vector") == 1);  // the pool

  // The MAC counter's windows hold every MAC once; windows are 7 cycles.
  std::int64_t window_macs = 0;
  std::vector<double> window_starts;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "C" && event["name"] == "MACs") {
      window_macs += event["args"]["per window"].get<std::int64_t>();
      window_starts.push_back(event["ts"].get<double>());
    }
  CHECK(window_macs == macs_expected);
  // Each step's first cycle opens a window: ceil(cycles / 7) windows per
  // step, 7 cycles apart within it, and the closing sample at the run's end.
  std::vector<double> expected_starts;
  for (const Slice& step : slices(trace, track_id(trace, "steps"))) {
    const auto cycles = static_cast<std::int64_t>(std::llround(step.dur / cycle_us));
    for (std::int64_t c = 0; c < cycles; c += 7) expected_starts.push_back(step.ts + c * cycle_us);
  }
  expected_starts.push_back(total_cycles * cycle_us);
  REQUIRE(window_starts.size() == expected_starts.size());
  // Some step starts off the run's 7-cycle grid, so the cut shows.
  CHECK(std::any_of(expected_starts.begin(), expected_starts.end(),
                    [&](double ts) { return std::llround(ts / cycle_us) % 7 != 0; }));
  for (std::size_t w = 0; w < window_starts.size(); ++w)
    CHECK(window_starts[w] == Approx(expected_starts[w]).margin(tolerance));
}

TEST_CASE("the timeline has one fold slice per fold of a GEMM", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  // M=12, N=10, K=9 on a 4x4 weight-stationary array: K over the rows in
  // ceil(9/4) = 3 folds, N over the columns in ceil(10/4) = 3: 9 folds.
  write_file(dir + "/gemm.csv", "Layer, M, N, K,\ng, 12, 10, 9,\n");
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--dataflow", "ws",
                                         "--workload", dir + "/gemm.csv", "--out", out, "--timeline", timeline,
                                         "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto rows = layer_rows(out + "/layers.csv");
  REQUIRE(rows.size() == 1);
  CHECK(std::stoll(rows[0].at("folds")) == 9);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  const std::vector<Slice> folds = slices(trace, track_id(trace, "folds"));
  CHECK(folds.size() == 9);
  for (std::size_t f = 0; f < folds.size(); ++f) CHECK(folds[f].name == "fold " + std::to_string(f));
}

TEST_CASE("timeline paths and options that cannot work are refused before the run", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::vector<std::string> run = {"run", "--arch", "systole-32x32", "--array", "4x4",
                                        "--workload", dir + "/net.yaml", "--out", dir + "/out"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    return run_systole(args);
  };
  const CommandResult help = run_systole({"run", "--help"});
  for (const char* option : {"--timeline arg", "--timeline-window arg", "--timeline-max-mb arg"})
    CHECK(help.out.find(option) != std::string::npos);
  expect_bad_input(with({"--timeline", "/nonexistent/x.json"}), "option --timeline: cannot write '/nonexistent/x.json'");
  fs::create_directories(dir + "/folder");
  expect_bad_input(with({"--timeline", dir + "/folder"}), "option --timeline: '" + dir + "/folder' is a directory");
  expect_bad_input(with({"--timeline", dir + "/t.json", "--timeline-window", "0"}), "option --timeline-window");
  expect_bad_input(with({"--timeline", dir + "/t.json", "--timeline-max-mb", "0"}), "option --timeline-max-mb");
  expect_bad_input(with({"--timeline-max-mb", "5"}), "option --timeline-max-mb needs --timeline FILE");
  CHECK_FALSE(fs::exists(dir + "/out"));
  CHECK_FALSE(fs::exists(dir + "/t.json"));
  CHECK_FALSE(fs::exists(dir + "/t.json.partial"));
}

TEST_CASE("a timeline that reaches its size limit is cut short, valid, and says so", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  // M=1000, N=K=64 on 4x4 WS: 16 x 16 folds of about 1000 cycles, some
  // 256,000 cycles; one counter sample per cycle is some 400 bytes, far
  // above 1 MB.
  write_file(dir + "/gemm.csv", "Layer, M, N, K,\ng, 1000, 64, 64,\n");
  const std::string timeline = dir + "/run.json";
  const CommandResult run =
      run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload", dir + "/gemm.csv", "--timeline",
                   timeline, "--timeline-window", "1", "--timeline-max-mb", "1", "--out", dir + "/out",
                   "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("timeline " + timeline + ": reached --timeline-max-mb at run cycle") != std::string::npos);
  CHECK(std::count(run.err.begin(), run.err.end(), '\n') == 1);
  CHECK(fs::file_size(timeline) <= 1'000'000);
  CHECK(fs::file_size(timeline) > 900'000);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  CHECK(trace["otherData"]["truncated"] == true);
  bool labelled = false;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "M" && event["name"] == "process_labels")
      labelled = event["args"]["labels"].get<std::string>().find("truncated at --timeline-max-mb 1") == 0;
  CHECK(labelled);
  // The layer's slice, the run's outline, is kept: as long as the run.
  const auto rows = layer_rows(dir + "/out/layers.csv");
  REQUIRE(rows.size() == 1);
  const std::vector<Slice> layers = slices(trace, track_id(trace, "layers"));
  REQUIRE(layers.size() == 1);
  CHECK(layers[0].name == "g");
  CHECK(layers[0].dur == Approx(std::stoll(rows[0].at("cycles")) * 1e-3).epsilon(1e-10));
  CHECK(std::stoll(rows[0].at("cycles")) > 200'000);
}

TEST_CASE("the timeline's DRAM counter holds every burst the DRAM served", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/conv.yaml", "layers:\n  - {name: c1, type: conv, input: [9, 9, 4], kernel: 3, filters: 6}\n");
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  const CommandResult run =
      run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload", dir + "/conv.yaml", "--dram",
                   "ddr4-2400", "--out", out, "--timeline", timeline, "--timeline-window", "10", "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json memory = nlohmann::json::parse(read_file(out + "/summary.json"))["memory"];
  // Every burst is a row hit, a miss or a conflict; a DDR4 x64 burst is
  // 8 beats of 8 bytes.
  const std::int64_t bursts = memory["row_hits"]["value"].get<std::int64_t>() +
                              memory["row_misses"]["value"].get<std::int64_t>() +
                              memory["row_conflicts"]["value"].get<std::int64_t>();
  REQUIRE(bursts > 0);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  std::int64_t counted = 0;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "C" && event["name"] == "DRAM bytes") counted += event["args"]["per window"].get<std::int64_t>();
  CHECK(counted == bursts * 64);
}

TEST_CASE("the timeline's stalls, DRAM bandwidth, NoC buses and buffer agree with layers.csv and utilization.csv",
          "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  // DRAM, a left bus of 2 words a cycle, a NoC latency of 3 and one
  // single-ported bank per partition: every stall cause shows. The
  // timeline's windows are utilization.csv's.
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--dram", "ddr4-2400", "--noc.left_words", "2",
                                         "--noc.latency", "3", "--buffer.banks", "1", "--buffer.read_ports", "1",
                                         "--sample", "50", "--timeline-window", "50", "--out", out, "--timeline",
                                         timeline, "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  const auto rows = layer_rows(out + "/layers.csv");
  REQUIRE(rows.size() == 3);
  const double cycle_us = 1e-3;
  const double tolerance = 1e-9;

  // Each cause's stall slices, on its own track, do not overlap, lie within
  // their layer, and count (args) layers.csv's stall column of the layer:
  // a slice's length is at most the cycles it counts (spans that overlap
  // make one slice).
  for (const auto& [track, name, column] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"DRAM stalls", "DRAM stall", "stall_dram_cycles"},
           {"NoC stalls", "NoC stall", "stall_noc_cycles"},
           {"buffer stalls", "buffer stall", "stall_buffer_cycles"}}) {
    INFO(track);
    const int tid = track_id(trace, track);
    std::vector<nlohmann::json> events;
    for (const nlohmann::json& event : trace["traceEvents"])
      if (event["ph"] == "X" && event["tid"] == tid) events.push_back(event);
    std::sort(events.begin(), events.end(),
              [](const nlohmann::json& a, const nlohmann::json& b) { return a["ts"].get<double>() < b["ts"].get<double>(); });
    REQUIRE_FALSE(events.empty());  // every cause shows
    std::map<std::string, std::int64_t> cycles_by_layer;
    double previous_end = 0;
    for (const nlohmann::json& event : events) {
      CHECK(event["name"] == name);
      const std::string layer = event["args"]["layer"].get<std::string>();
      const std::int64_t cycles = event["args"]["stall cycles"].get<std::int64_t>();
      const double ts = event["ts"].get<double>(), dur = event["dur"].get<double>();
      CHECK(ts >= previous_end - tolerance);
      CHECK(dur > 0);
      CHECK(dur <= cycles * cycle_us + tolerance);
      previous_end = ts + dur;
      cycles_by_layer[layer] += cycles;
      const auto row = std::find_if(rows.begin(), rows.end(), [&](const auto& r) { return r.at("layer") == layer; });
      REQUIRE(row != rows.end());
      CHECK(ts >= std::stoll(row->at("first_cycle")) * cycle_us - tolerance);
      CHECK(ts + dur <= (std::stoll(row->at("first_cycle")) + std::stoll(row->at("cycles"))) * cycle_us + tolerance);
    }
    for (const auto& row : rows) CHECK(cycles_by_layer[row.at("layer")] == std::stoll(row.at(column)));
  }

  // Counters, one sample per window, as utilization.csv's rows (which it
  // writes to 6 significant digits).
  std::map<std::string, std::vector<nlohmann::json>> counters;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "C") counters[event["name"].get<std::string>()].push_back(event);
  const auto windows = layer_rows(out + "/utilization.csv");
  REQUIRE(windows.size() > 10);
  for (const char* name : {"utilization", "DRAM bandwidth", "NoC left bus", "NoC top bus", "NoC out bus", "buffer bytes"})
    REQUIRE(counters[name].size() == windows.size() + 1);  // and the closing sample
  for (std::size_t w = 0; w < windows.size(); ++w) {
    INFO("window " << w);
    const auto& window = windows[w];
    const double ts = std::stoll(window.at("cycle")) * cycle_us;
    auto counter = [&](const char* name, const char* arg) {
      const nlohmann::json& event = counters[name][w];
      CHECK(event["ts"].get<double>() == Approx(ts).margin(tolerance));
      return event["args"][arg].get<double>();
    };
    auto column = [&](const char* name) { return std::stod(window.at(name)); };
    CHECK(counter("utilization", "active PEs") == Approx(column("utilization")).epsilon(1e-5));
    CHECK(counter("DRAM bandwidth", "GB/s") == Approx(column("dram_gb_per_s")).epsilon(1e-5));
    CHECK(counter("NoC left bus", "words") == column("noc_left_words"));
    CHECK(counter("NoC top bus", "words") == column("noc_top_words"));
    CHECK(counter("NoC out bus", "words") == column("noc_out_words"));
    for (const char* partition : {"ifmap", "filter", "ofmap"})
      CHECK(counter("buffer bytes", partition) ==
            Approx(column((std::string(partition) + "_buffer_bytes").c_str())).epsilon(1e-5));
    // Only the left bus has a width: only it has an occupancy.
    CHECK(counters["NoC top bus"][w]["args"].count("occupancy") == 0);
  }

  // The values the array read and wrote through the buffer's ports add up
  // to layers.csv's: all the ifmap and filter reads; the ofmap writes, as no
  // partial sums came back from DRAM; of the ofmap reads, those besides the
  // write-backs' reads.
  std::map<std::string, std::int64_t> array_reads, array_writes, layer_counts;
  for (std::size_t w = 0; w < windows.size(); ++w)
    for (const char* partition : {"ifmap", "filter", "ofmap"}) {
      array_reads[partition] += counters["buffer reads (array)"][w]["args"][partition].get<std::int64_t>();
      array_writes[partition] += counters["buffer writes (array)"][w]["args"][partition].get<std::int64_t>();
    }
  for (const auto& row : rows)
    for (const char* column : {"buffer_ifmap_reads", "buffer_filter_reads", "buffer_ofmap_reads", "buffer_ofmap_writes",
                               "dram_ofmap_read_bytes", "dram_ofmap_write_bytes"})
      layer_counts[column] += std::stoll(row.at(column));
  REQUIRE(layer_counts["dram_ofmap_read_bytes"] == 0);
  CHECK(array_reads["ifmap"] == layer_counts["buffer_ifmap_reads"]);
  CHECK(array_reads["filter"] == layer_counts["buffer_filter_reads"]);
  CHECK(array_writes["ofmap"] == layer_counts["buffer_ofmap_writes"]);
  CHECK(array_writes["ifmap"] + array_writes["filter"] == 0);
  // int8 outputs: one byte each, all written back.
  CHECK(array_reads["ofmap"] == layer_counts["buffer_ofmap_reads"] - layer_counts["dram_ofmap_write_bytes"]);
  CHECK(array_reads["ifmap"] > 0);

  // The left bus's occupancy, weighted by the windows' lengths, is
  // summary.json's words / (width x cycles) for the run.
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  const std::int64_t total_cycles = summary["totals"]["cycles"]["value"].get<std::int64_t>();
  double occupied = 0;
  for (std::size_t w = 0; w < windows.size(); ++w)
    occupied += counters["NoC left bus"][w]["args"]["occupancy"].get<double>() * std::stod(windows[w].at("cycles"));
  const double bus_utilization = summary["noc"]["networks"]["left"]["utilization"]["value"].get<double>();
  CHECK(bus_utilization > 0);
  CHECK(occupied / static_cast<double>(total_cycles) == Approx(bus_utilization).epsilon(1e-9));
}

TEST_CASE("with ideal memory the timeline has no stalls and no DRAM bandwidth", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string timeline = dir + "/run.json";
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--timeline", timeline, "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  for (const char* track : {"DRAM stalls", "NoC stalls", "buffer stalls"})
    CHECK(slices(trace, track_id(trace, track)).empty());
  for (const nlohmann::json& event : trace["traceEvents"]) {
    CHECK(event["name"] != "DRAM bandwidth");
    if (event["ph"] == "C" && event["name"] == "NoC left bus") CHECK(event["args"].count("occupancy") == 0);
  }
}

TEST_CASE("the timeline has a counter per DRAM channel, and changes no figure of the run", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::vector<std::string> run = {"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                        dir + "/net.yaml", "--dram", "ddr4-2400", "--dram-channels", "2",
                                        "--log-level", "warn"};
  auto with = [&](std::vector<std::string> extra) {
    std::vector<std::string> args = run;
    args.insert(args.end(), extra.begin(), extra.end());
    const CommandResult result = run_systole(args);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
  };
  const std::string timeline = dir + "/run.json";
  with({"--out", dir + "/traced", "--timeline", timeline, "--timeline-window", "20"});
  with({"--out", dir + "/plain"});
  // Observers only count: the same cycles, stalls and counts in every layer.
  CHECK(read_file(dir + "/traced/layers.csv") == read_file(dir + "/plain/layers.csv"));
  CHECK(read_file(dir + "/traced/utilization.csv") == read_file(dir + "/plain/utilization.csv"));

  // Every burst the DRAM served (a row hit, miss or conflict, 64 bytes in
  // DDR4 x64) is counted once, on the channel that served it.
  const nlohmann::json memory = nlohmann::json::parse(read_file(dir + "/traced/summary.json"))["memory"];
  const std::int64_t bursts = memory["row_hits"]["value"].get<std::int64_t>() +
                              memory["row_misses"]["value"].get<std::int64_t>() +
                              memory["row_conflicts"]["value"].get<std::int64_t>();
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  std::map<std::string, std::int64_t> channel_bytes;
  std::size_t samples = 0;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "C" && event["name"].get<std::string>().rfind("DRAM channel ", 0) == 0) {
      const std::int64_t bytes = event["args"]["bytes"].get<std::int64_t>();
      CHECK(bytes >= 0);
      CHECK(event["args"]["GB/s"].get<double>() >= 0);
      channel_bytes[event["name"].get<std::string>()] += bytes;
      ++samples;
    }
  REQUIRE(channel_bytes.size() == 2);
  CHECK(channel_bytes["DRAM channel 0"] > 0);
  CHECK(channel_bytes["DRAM channel 1"] > 0);
  CHECK(channel_bytes["DRAM channel 0"] + channel_bytes["DRAM channel 1"] == bursts * 64);
  std::size_t windows = 0;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "C" && event["name"] == "DRAM bandwidth") ++windows;
  CHECK(samples == 2 * windows);
}

TEST_CASE("the timeline's DRAM transfers hold every byte layers.csv counts, each within its layer", "[cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  // 700 MHz against DDR4-2400's 1200 MHz: DRAM times fall between the
  // array's cycles; the pool layer between the conv and the FC runs on the
  // vector unit, whose cycles do not advance the DRAM.
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--dram", "ddr4-2400", "--clock-mhz", "700", "--out", out,
                                         "--timeline", timeline, "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  const auto rows = layer_rows(out + "/layers.csv");
  REQUIRE(rows.size() == 3);
  const double cycle_us = 1.0 / 700;
  const double tolerance = 1e-9;

  struct Transfer {
    std::string name;
    double begin = -1, end = -1;
    std::int64_t bytes = 0;
    int ends = 0;
  };
  std::map<std::int64_t, Transfer> transfers;
  for (const nlohmann::json& event : trace["traceEvents"]) {
    if (event["ph"] != "b" && event["ph"] != "e") continue;
    CHECK(event["cat"] == "DRAM");
    Transfer& transfer = transfers[event["id"].get<std::int64_t>()];
    if (event["ph"] == "b") {
      CHECK(transfer.begin < 0);
      transfer.name = event["name"].get<std::string>();
      transfer.begin = event["ts"].get<double>();
      transfer.bytes = event["args"]["bytes"].get<std::int64_t>();
    } else {
      CHECK(event["name"].get<std::string>() == transfer.name);
      transfer.end = event["ts"].get<double>();
      ++transfer.ends;
    }
  }
  REQUIRE(transfers.size() > 3);

  // Each transfer starts and ends within one layer, and the bytes of the
  // transfers that start in a layer are its DRAM columns, by operand.
  const std::map<std::string, std::string> column_of = {{"ifmap read", "dram_ifmap_read_bytes"},
                                                        {"filter read", "dram_filter_read_bytes"},
                                                        {"ofmap read", "dram_ofmap_read_bytes"},
                                                        {"ofmap write", "dram_ofmap_write_bytes"}};
  std::vector<std::map<std::string, std::int64_t>> bytes_by_layer(rows.size());
  for (const auto& [id, transfer] : transfers) {
    INFO("transfer " << id << ": " << transfer.name);
    CHECK(transfer.ends == 1);
    CHECK(transfer.begin >= 0);
    CHECK(transfer.end > transfer.begin);
    REQUIRE(column_of.count(transfer.name) == 1);
    std::size_t layer = rows.size();
    for (std::size_t l = 0; l < rows.size(); ++l) {
      const double first = std::stoll(rows[l].at("first_cycle")) * cycle_us;
      const double last = first + std::stoll(rows[l].at("cycles")) * cycle_us;
      if (transfer.begin >= first - tolerance && transfer.begin < last) layer = l;
    }
    REQUIRE(layer < rows.size());
    const double layer_end =
        (std::stoll(rows[layer].at("first_cycle")) + std::stoll(rows[layer].at("cycles"))) * cycle_us;
    CHECK(transfer.end <= layer_end + tolerance);
    bytes_by_layer[layer][transfer.name] += transfer.bytes;
  }
  for (std::size_t l = 0; l < rows.size(); ++l)
    for (const auto& [name, column] : column_of) {
      INFO(rows[l].at("layer") << " " << name);
      CHECK(bytes_by_layer[l][name] == std::stoll(rows[l].at(column)));
    }
}

TEST_CASE("the timeline places DRAM stalls where the baseline array does no MAC", "[cli][timeline]") {
  // The baseline microarchitecture runs one fold at a time: a fold waiting
  // for its tiles, or the step waiting for its last write-back, leaves the
  // whole array without a MAC. Every DRAM stall slice must lie in such
  // cycles (utilization.csv at --sample 1 gives each cycle's MACs).
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--microarch",
                                         "baseline", "--workload", dir + "/net.yaml", "--dram", "ddr4-2400",
                                         "--sample", "1", "--out", out, "--timeline", timeline, "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto cycles = layer_rows(out + "/utilization.csv");
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  std::int64_t stall_cycles = 0;
  for (const Slice& stall : slices(trace, track_id(trace, "DRAM stalls"))) {
    const auto first = static_cast<std::size_t>(std::llround(stall.ts * 1e3));
    const auto end = static_cast<std::size_t>(std::llround((stall.ts + stall.dur) * 1e3));
    REQUIRE(end <= cycles.size());
    for (std::size_t c = first; c < end; ++c) {
      INFO("cycle " << c);
      REQUIRE(std::stoll(cycles[c].at("cycle")) == static_cast<std::int64_t>(c));
      CHECK(std::stoll(cycles[c].at("active_pe_cycles")) == 0);
    }
    stall_cycles += static_cast<std::int64_t>(end - first);
  }
  CHECK(stall_cycles > 0);
}
