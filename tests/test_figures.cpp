// The reports' figures are declared once (sim/report/counters.hpp,
// sim/report/figures.hpp): docs/outputs.md must hold the tables generated
// from those declarations, and the reports must follow them.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "sim/engine/simulator.hpp"
#include "sim/report/csv.hpp"
#include "sim/report/figures.hpp"
#include "sim/report/utilization_log.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

TEST_CASE("docs/outputs.md holds the tables generated from the figure declarations", "[report]") {
  const std::string doc = read_file(std::string(SYSTOLE_SOURCE_DIR) + "/docs/outputs.md");
  for (const GeneratedTable& table : generated_tables()) {
    INFO("table " << table.name << "; regenerate it with scripts/update_outputs_doc.py");
    const std::string begin = "<!-- generated: " + table.name + " ";
    const std::size_t start = doc.find(begin);
    REQUIRE(start != std::string::npos);
    const std::size_t body = doc.find('\n', start) + 1;
    const std::size_t end = doc.find("<!-- end generated -->", body);
    REQUIRE(end != std::string::npos);
    CHECK(doc.substr(body, end - body) == table.markdown);
  }
}

TEST_CASE("every counter has a unique name and is reported", "[report]") {
  std::set<std::string> names;
  for (const CounterInfo& counter : counter_infos()) {
    INFO(counter.name);
    CHECK(names.insert(std::string(counter.name)).second);
    CHECK(!counter.unit.empty());
    CHECK(!counter.meaning.empty());
  }
  std::set<std::string> columns;
  for (const LayerColumn& column : layer_columns()) CHECK(columns.insert(column.doc.name).second);
  std::set<std::string> summary;
  for (const SummaryFigure& figure : summary_figures()) summary.insert(figure.doc.name);
  for (const CounterInfo& counter : counter_infos()) {
    INFO(counter.name);
    if (counter.shown != Shown::Total) CHECK(columns.count(std::string(counter.name)) == 1);
    if (counter.shown == Shown::Both) CHECK(summary.count("totals." + std::string(counter.name)) == 1);
  }
}

TEST_CASE("a run's layers.csv and utilization.csv have the declared columns, and counters add up", "[report]") {
  const std::string out = make_temp_dir();
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--memory", "dram", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml", "--out", out,
                                       "--sample", "7"});
  REQUIRE(r.exit_code == 0);
  const auto layers = read_csv(out + "/layers.csv");
  REQUIRE(layers.size() > 1);
  // A GEMM dataflow's run has every column but the row-stationary ones.
  std::vector<std::string> always;
  for (const LayerColumn& column : layer_columns())
    if (!column.shown) always.push_back(column.doc.name);
  REQUIRE(always.size() + 2 == layer_columns().size());
  REQUIRE(layers[0].size() == always.size());
  for (std::size_t c = 0; c < layers[0].size(); ++c) CHECK(layers[0][c] == always[c]);
  const auto utilization = read_csv(out + "/utilization.csv");
  REQUIRE(utilization[0].size() == utilization_columns().size());
  // The windows' sums are the layers' counters: active PE-cycles are MACs,
  // bus words the NoC counters, and the windows cover every cycle.
  auto column_of = [](const std::vector<std::string>& header, const std::string& name) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (header[c] == name) return c;
    FAIL("no column " << name);
    return std::size_t{0};
  };
  long long window_sums[3] = {0, 0, 0}, layer_sums[3] = {0, 0, 0};
  const char* const per_window[] = {"active_pe_cycles", "noc_left_words", "cycles"};
  const char* const per_layer[] = {"macs", "noc_left_words", "cycles"};
  for (int f = 0; f < 3; ++f) {
    const std::size_t w = column_of(utilization[0], per_window[f]), l = column_of(layers[0], per_layer[f]);
    for (std::size_t row = 1; row < utilization.size(); ++row) window_sums[f] += std::stoll(utilization[row][w]);
    for (std::size_t row = 1; row < layers.size(); ++row) layer_sums[f] += std::stoll(layers[row][l]);
    CHECK(window_sums[f] == layer_sums[f]);
  }
}

TEST_CASE("a row-stationary run's layers.csv and summary.json report each layer's mapping", "[report][rs]") {
  const std::string out = make_temp_dir();
  const CommandResult r = run_systole({"run", "--arch", "eyeriss", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml", "--out", out});
  REQUIRE(r.exit_code == 0);
  const auto layers = read_csv(out + "/layers.csv");
  REQUIRE(layers[0].size() == layer_columns().size());
  for (std::size_t c = 0; c < layers[0].size(); ++c) CHECK(layers[0][c] == layer_columns()[c].doc.name);
  const std::size_t mapping = static_cast<std::size_t>(
      std::find(layers[0].begin(), layers[0].end(), "mapping") - layers[0].begin());
  REQUIRE(mapping < layers[0].size());
  CHECK(layers[1][mapping].rfind("set ", 0) == 0);
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  CHECK(summary["mappings"]["value"][layers[1][0]]["mapping"] == layers[1][mapping]);
  CHECK(summary["config"]["pe"]["filter_spad_entries"] == 224);
}

TEST_CASE("utilization.csv's windows follow each other through a layer of several steps", "[report]") {
  // An LSTM of 7 steps and a GEMM after it, a window of 1 and of 10 cycles:
  // each window starts where the one before it ended, the windows cover
  // the run, and each row's layer is the one running then (the LSTM's 199
  // cycles, tests/test_network.cpp, then the GEMM).
  Layer lstm;
  lstm.name = "l";
  lstm.kind = LayerKind::Lstm;
  lstm.recurrent = {4, 4, 3, 1, false, false};
  ArchConfig arch = array_config(4, 4, "ws");
  arch.vector.lanes = 8;
  Workload workload;
  workload.layers = {lstm, make_gemm_layer("g", 5, 6, 7)};
  for (std::int64_t window : {1, 10}) {
    INFO("window " << window);
    const std::string path = make_temp_dir() + "/utilization.csv";
    RunResult result;
    {
      UtilizationLog log(path, window, arch.array.pe_count(), arch.clock_period_ns());
      Simulator simulator(accelerator(), arch, {});
      simulator.add_observer(log);
      result = simulator.run(workload);
      log.commit();
    }
    REQUIRE(result.layers.at(0)[Counter::Cycles] == 199);
    const auto rows = read_csv(path);
    std::int64_t next = 0;
    for (std::size_t row = 1; row < rows.size(); ++row) {
      const std::int64_t cycle = std::stoll(rows[row][0]), cycles = std::stoll(rows[row][1]);
      CHECK(cycle == next);
      CHECK(rows[row][2] == (cycle < 199 ? "0" : "1"));
      next = cycle + cycles;
    }
    CHECK(next == result.total_cycles);
  }
}

TEST_CASE("write_number writes what a stream's operator<< writes", "[report]") {
  // utilization.csv's numbers: ratios, means and powers of any magnitude.
  std::vector<double> values = {0,     -0.0,   1,         0.5,    1.0 / 3,  2.0 / 3, 18.176,  1872.63, 1e-7,
                                1e-5,  1e5,    999999.5,  1e6,    123456.7, 1e15,    1e300,   5e-324,  -42.125,
                                0.0001, 0.00001, std::numeric_limits<double>::infinity(),
                                -std::numeric_limits<double>::infinity()};
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> exponent(-12, 12), mantissa(-1, 1);
  for (int i = 0; i < 2000; ++i) values.push_back(mantissa(random) * std::pow(10.0, exponent(random)));
  for (const int precision : {6, 1, 9, 17}) {
    for (const double value : values) {
      std::ostringstream expected, written;
      expected.precision(precision);
      written.precision(precision);
      expected << value;
      write_number(written, value);
      INFO(std::setprecision(17) << value << " at precision " << precision);
      CHECK(written.str() == expected.str());
    }
  }
  // Formats it does not reproduce itself go through operator<<.
  std::ostringstream expected, written;
  expected << std::fixed << std::setw(12) << 2.5;
  written << std::fixed << std::setw(12);
  write_number(written, 2.5);
  CHECK(written.str() == expected.str());
}

TEST_CASE("a process builds one accelerator and hands it to every simulator", "[engine]") {
  Accelerator& first = accelerator();
  CHECK_THROWS_WITH(Accelerator{}, Catch::Matchers::Contains("already built"));
  // Two simulators in turn on the same accelerator give the same result.
  const RunResult a = simulate(array_config(4, 4, "os"), {make_gemm_layer("g", 9, 7, 11)});
  const RunResult b = simulate(array_config(4, 4, "os"), {make_gemm_layer("g", 9, 7, 11)});
  CHECK(a.total_cycles == b.total_cycles);
  CHECK(&first == &accelerator());
}
