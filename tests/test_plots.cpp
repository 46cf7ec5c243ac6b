// The plot scripts (scripts/plot_*.py) on a real run's reports: they write
// their figures, and what they drew (read back from the figure by
// --print-data) is what layers.csv, utilization.csv and summary.json hold.

#include <cmath>
#include <filesystem>
#include <map>
#include <sstream>
#include <tuple>

#include <nlohmann/json.hpp>

#include "tests/helpers.hpp"

using namespace systole::test;
namespace fs = std::filesystem;

namespace {

// Where Debian's python3-matplotlib lives, which the scripts need.
constexpr const char* kMatplotlib = "/usr/lib/python3/dist-packages/matplotlib";
constexpr const char* kHowToGetMatplotlib = "apt-get install -y python3-matplotlib";

CommandResult plot(const std::string& script, std::vector<std::string> args) {
  args.insert(args.begin(), std::string(SYSTOLE_SOURCE_DIR) + "/scripts/" + script);
  return run_command("/usr/bin/python3", args);
}

// A CSV text (no quoted fields) as one map per row, by column name.
std::vector<std::map<std::string, std::string>> csv_rows(const std::string& text) {
  std::vector<std::vector<std::string>> cells;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> fields;
    std::istringstream fields_in(line);
    for (std::string field; std::getline(fields_in, field, ',');) fields.push_back(field);
    cells.push_back(fields);
  }
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 1; r < cells.size(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < cells[0].size() && c < cells[r].size(); ++c) row[cells[0][c]] = cells[r][c];
    rows.push_back(row);
  }
  return rows;
}

std::vector<std::map<std::string, std::string>> csv_file_rows(const std::string& path) {
  return csv_rows(read_file(path));
}

bool is_png(const std::string& path) {
  return fs::exists(path) && fs::file_size(path) > 1000 && read_file(path).compare(0, 8, "\x89PNG\r\n\x1a\n") == 0;
}

// A conv, a pool on the vector unit and an FC layer, with DRAM, a left bus
// of 2 words a cycle, a NoC latency of 3 and one single-ported bank per
// partition: every stall cause shows (checked below, so the plots are
// checked on non-zero figures of each).
std::string dram_run(const std::string& dir) {
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out";
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--dram", "ddr4-2400", "--noc.left_words", "2",
                                         "--noc.latency", "3", "--buffer.banks", "1", "--buffer.read_ports", "1",
                                         "--sample", "50", "--out", out, "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  return out;
}

}  // namespace

TEST_CASE("plot_layers.py draws each layer's cycles and stalls by cause as layers.csv holds them", "[plots]") {
  SYSTOLE_REQUIRE_TEST_DATA(kMatplotlib, kHowToGetMatplotlib);
  const std::string out = dram_run(make_temp_dir());
  const auto layers = csv_file_rows(out + "/layers.csv");
  REQUIRE(layers.size() == 3);

  const CommandResult drawn = plot("plot_layers.py", {out, "--print-data"});
  INFO(drawn.err);
  REQUIRE(drawn.exit_code == 0);
  CHECK(is_png(out + "/layers.png"));
  // {panel, series, layer} -> the drawn bar's height.
  std::map<std::tuple<std::string, std::string, std::string>, std::int64_t> bars;
  for (const auto& row : csv_rows(drawn.out))
    bars[{row.at("panel"), row.at("series"), row.at("layer")}] = std::stoll(row.at("value"));
  // Three segments a layer in each of two panels.
  CHECK(bars.size() == 2 * 3 * layers.size());

  std::int64_t stalls[3] = {0, 0, 0};
  for (const auto& layer : layers) {
    const std::string& name = layer.at("layer");
    INFO(name);
    auto column = [&](const char* key) { return std::stoll(layer.at(key)); };
    const std::int64_t array = bars[{"cycles", "array", name}], vector = bars[{"cycles", "vector unit", name}],
                       stalled = bars[{"cycles", "stalls", name}];
    // The segments tile the layer's cycles.
    CHECK(array + vector + stalled == column("cycles"));
    CHECK(vector == column("vector_cycles"));
    CHECK(stalled == column("stall_cycles"));
    CHECK(array == column("compute_cycles") - column("vector_cycles"));
    const char* causes[3][2] = {{"DRAM", "stall_dram_cycles"}, {"NoC", "stall_noc_cycles"},
                                {"buffer", "stall_buffer_cycles"}};
    std::int64_t by_cause = 0;
    for (int c = 0; c < 3; ++c) {
      const std::int64_t height = bars[{"stalls", causes[c][0], name}];
      CHECK(height == column(causes[c][1]));
      by_cause += height;
      stalls[c] += height;
    }
    CHECK(by_cause == stalled);
  }
  for (std::int64_t cause : stalls) CHECK(cause > 0);
  CHECK(bars[{"cycles", "vector unit", "p"}] > 0);

  // The PNG path on stdout without --print-data, and the SVG with --svg.
  const CommandResult svg = plot("plot_layers.py", {out, "--output", out + "/l.png", "--svg"});
  CHECK(svg.exit_code == 0);
  CHECK(svg.out == out + "/l.png\n" + out + "/l.svg\n");
  CHECK(is_png(out + "/l.png"));
  CHECK(read_file(out + "/l.svg").find("<svg") != std::string::npos);
}

TEST_CASE("plot_memory.py draws DRAM bandwidth and buffer occupancy as utilization.csv holds them", "[plots]") {
  SYSTOLE_REQUIRE_TEST_DATA(kMatplotlib, kHowToGetMatplotlib);
  const std::string out = dram_run(make_temp_dir());
  const auto windows = csv_file_rows(out + "/utilization.csv");
  const auto layers = csv_file_rows(out + "/layers.csv");
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));

  const CommandResult drawn = plot("plot_memory.py", {out, "--print-data"});
  INFO(drawn.err);
  REQUIRE(drawn.exit_code == 0);
  CHECK(is_png(out + "/memory.png"));
  // {panel, series} -> the drawn points.
  std::map<std::pair<std::string, std::string>, std::vector<std::pair<double, double>>> lines;
  for (const auto& row : csv_rows(drawn.out))
    lines[{row.at("panel"), row.at("series")}].emplace_back(std::stod(row.at("x")), std::stod(row.at("y")));

  // One point per window, at its first cycle, of each utilization.csv column.
  auto check_series = [&](const std::pair<std::string, std::string>& series, const std::string& column) {
    INFO(series.second);
    const auto& points = lines[series];
    REQUIRE(points.size() == windows.size());
    double sum = 0;
    for (std::size_t w = 0; w < windows.size(); ++w) {
      CHECK(points[w].first == std::stod(windows[w].at("cycle")));
      CHECK(points[w].second == Approx(std::stod(windows[w].at(column))).epsilon(1e-12));
      sum += points[w].second;
    }
    CHECK(sum > 0);  // the run moved data and held some in each partition
  };
  check_series({"bandwidth", "achieved"}, "dram_gb_per_s");
  for (const char* partition : {"ifmap", "filter", "ofmap"})
    check_series({"buffer", partition}, std::string(partition) + "_buffer_bytes");

  // The DRAM's peak, a line across the panel.
  const double peak = summary["memory"]["dram_peak_bandwidth"]["value"].get<double>();
  bool peak_drawn = false;
  for (const auto& [series, points] : lines)
    if (series.first == "bandwidth" && series.second.rfind("peak", 0) == 0) {
      peak_drawn = true;
      for (const auto& point : points) CHECK(point.second == Approx(peak).epsilon(1e-12));
    }
  CHECK(peak_drawn);

  // Each partition's capacity: a segment over each layer that used the
  // buffer (the conv and the FC; the pool runs on the vector unit).
  for (const char* partition : {"ifmap", "filter", "ofmap"}) {
    INFO(partition);
    const auto& points = lines[{"buffer", std::string(partition) + " capacity"}];
    std::vector<std::pair<double, double>> expected;
    for (const auto& layer : layers) {
      const double capacity = std::stod(layer.at(std::string("buffer_") + partition + "_capacity_bytes"));
      if (capacity == 0) continue;
      const double first = std::stod(layer.at("first_cycle"));
      expected.emplace_back(first, capacity);
      expected.emplace_back(first + std::stod(layer.at("cycles")), capacity);
    }
    CHECK(expected.size() == 4);
    CHECK(points == expected);
  }
}

TEST_CASE("the plot scripts refuse reports they cannot plot with one line, exit 2", "[plots]") {
  SYSTOLE_REQUIRE_TEST_DATA(kMatplotlib, kHowToGetMatplotlib);
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const CommandResult run = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--workload",
                                         dir + "/net.yaml", "--out", dir + "/ideal", "--log-level", "warn"});
  REQUIRE(run.exit_code == 0);
  expect_bad_input(plot("plot_memory.py", {dir + "/ideal"}),
                   "plot_memory.py: " + dir + "/ideal/summary.json: the run used ideal memory");
  CHECK_FALSE(fs::exists(dir + "/ideal/memory.png"));
  // With ideal memory the layers still plot: no stalls.
  const CommandResult layers = plot("plot_layers.py", {dir + "/ideal"});
  INFO(layers.err);
  CHECK(layers.exit_code == 0);
  CHECK(is_png(dir + "/ideal/layers.png"));

  expect_bad_input(plot("plot_layers.py", {dir + "/nothing"}),
                   "plot_layers.py: " + dir + "/nothing/layers.csv: No such file or directory");
  write_file(dir + "/ideal/layers.csv", "layer,cycles\nc1,12\n");
  expect_bad_input(plot("plot_layers.py", {dir + "/ideal"}),
                   "plot_layers.py: " + dir + "/ideal/layers.csv: no column 'stall_cycles'");
  write_file(dir + "/ideal/layers.csv", "layer,cycles,stall_cycles,vector_cycles\nc1,12,x,0\n");
  expect_bad_input(plot("plot_layers.py", {dir + "/ideal"}),
                   "plot_layers.py: " + dir + "/ideal/layers.csv:2: column 'stall_cycles': 'x' is not a number");
}

TEST_CASE("plot_utilization.py and plot_energy.py write their figures from a real run", "[plots]") {
  SYSTOLE_REQUIRE_TEST_DATA(kMatplotlib, kHowToGetMatplotlib);
  const std::string out = dram_run(make_temp_dir());
  for (const char* script : {"plot_utilization.py", "plot_energy.py"}) {
    INFO(script);
    const CommandResult drawn = plot(script, {out});
    INFO(drawn.err);
    CHECK(drawn.exit_code == 0);
    const std::string png = drawn.out.substr(0, drawn.out.find('\n'));
    CHECK(fs::path(png).parent_path() == fs::path(out));
    CHECK(is_png(png));
  }
}

TEST_CASE("compare_dataflows.py gives every dataflow row stationary's storage area and reports its runs' energy",
          "[plots]") {
  SYSTOLE_REQUIRE_TEST_DATA(kMatplotlib, kHowToGetMatplotlib);
  const std::string dir = make_temp_dir();
  write_file(dir + "/alexnet.yaml",
             "name: tiny\nlayers:\n"
             "  - {name: conv, type: conv, input: [8, 8, 4], filters: 8, kernel: 3, padding: 1}\n"
             "  - {name: fc, type: fc, inputs: 64, outputs: 16}\n");
  const std::string out = dir + "/cmp";
  const CommandResult run =
      plot("compare_dataflows.py", {"--systole", SYSTOLE_BINARY, "--out", out,
                                    "--array", "4x4", "--batches", "1,2", "--alexnet", dir + "/alexnet.yaml"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto rows = csv_file_rows(out + "/equal_area.csv");
  CHECK(rows.size() == 4 * 2 * 2);  // dataflows × layer sets × batches
  CHECK(is_png(out + "/equal_area.png"));
  const auto summary = [&](const std::map<std::string, std::string>& row) {
    return nlohmann::json::parse(read_file(out + "/" + row.at("layers") + "_b" + row.at("batch") + "_" +
                                           row.at("dataflow") + "/summary.json"));
  };
  const auto area = [](const nlohmann::json& s, const char* component) {
    const auto& components = s["area"]["components"];
    return components.contains(component) ? components[component]["value"].get<double>() : 0.0;
  };
  for (const auto& row : rows) {
    const nlohmann::json s = summary(row);
    // Equal area: the PEs' storage and the buffer add up to row stationary's
    // (128 KiB of buffer and its scratchpads), less than one 4 KiB bank short.
    std::map<std::string, std::string> rs_row = row;
    rs_row["dataflow"] = "rs";
    const nlohmann::json rs = summary(rs_row);
    const auto storage = [&](const nlohmann::json& x) {
      return area(x, "pe_registers") + area(x, "pe_scratchpads") + area(x, "global_buffer");
    };
    const double bank_mm2 = area(rs, "global_buffer") / 128 * 4;
    CHECK(storage(s) <= storage(rs) + 1e-12);
    CHECK(storage(rs) - storage(s) < bank_mm2);
    CHECK(std::stoll(row.at("buffer_kib")) == s["config"]["buffer"]["size_kb"].get<long long>());
    // The figures are the run's own: energy per MAC by level adds up to its
    // energy per MAC (no static power or vector unit in this table).
    CHECK(std::stod(row.at("total_per_mac")) == Approx(s["energy"]["per_mac"]["value"].get<double>()).epsilon(1e-5));
    CHECK(std::stod(row.at("dram_accesses_per_mac")) ==
          Approx(s["memory"]["dram_accesses_per_mac"]["value"].get<double>()).epsilon(1e-5));
    CHECK(std::stod(row.at("dram_accesses_per_mac")) > 0);
  }
}
