// The reports' figures are declared once (sim/report/counters.hpp,
// sim/report/figures.hpp): docs/outputs.md must hold the tables generated
// from those declarations, and the reports must follow them.

#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "sim/report/figures.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

TEST_CASE("docs/outputs.md holds the tables generated from the figure declarations", "[report]") {
  const std::string doc = read_file(std::string(SYSTOLE_SOURCE_DIR) + "/docs/outputs.md");
  for (const GeneratedTable& table : generated_tables()) {
    INFO("table " << table.name << "; regenerate it with `systole figures`");
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
  for (const CounterInfo& counter : counter_infos())
    if (counter.shown == Shown::Column) CHECK(columns.count(std::string(counter.name)) == 1);
}

TEST_CASE("a run's layers.csv and utilization.csv have the declared columns, and counters add up", "[report]") {
  const std::string out = make_temp_dir();
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--memory", "dram", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml", "--out", out,
                                       "--sample", "7"});
  REQUIRE(r.exit_code == 0);
  const auto layers = read_csv(out + "/layers.csv");
  REQUIRE(layers.size() > 1);
  REQUIRE(layers[0].size() == layer_columns().size());
  for (std::size_t c = 0; c < layers[0].size(); ++c) CHECK(layers[0][c] == layer_columns()[c].doc.name);
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
