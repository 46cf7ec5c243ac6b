// Per-cycle energy (sim/energy/cycle_energy.hpp) adds up, cycle by cycle, to
// what each layer counts: neighbour-link hops seen per cycle against the
// dataflows' closed forms, and the DRAM's statistics at a past time against
// a second DRAM that was only ever advanced to that time.

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <random>
#include <vector>

#include "models/dram/dram_spec.hpp"
#include "models/dram/dram_system.hpp"
#include "sim/energy/power_group.hpp"
#include "sim/engine/simulator.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

// Sums each layer's per-cycle link hops.
class HopCounter : public RunObserver {
 public:
  std::vector<std::int64_t> horizontal, vertical;
  void begin_step(int layer, std::int64_t) override {
    layer_ = layer;
    horizontal.resize(static_cast<std::size_t>(layer) + 1);
    vertical.resize(static_cast<std::size_t>(layer) + 1);
  }
  void on_cycle(const CycleActivity& a, const Execution&) override {
    horizontal[layer_] += a.link_hops[static_cast<int>(LinkDirection::Horizontal)];
    vertical[layer_] += a.link_hops[static_cast<int>(LinkDirection::Vertical)];
  }

 private:
  std::size_t layer_ = 0;
};

}  // namespace

TEST_CASE("per-cycle link hops add up to each layer's closed-form count", "[energy][cycle]") {
  // The closed forms (stream length × rows × (cols - 1) along rows; down
  // columns, R - 1 hops per partial sum in WS/IS, rows used - 1 per operand
  // in OS) are counted per fold by the dataflow; the cycles count each hop
  // as it happens. Folds of several shapes: 11 columns on a 4-wide array
  // leave a 3-column fold, 10 rows a 2-row one.
  const std::vector<Layer> layers = {make_gemm_layer("g", 13, 10, 11), conv_layer(6, 6, 3, 5, 3, 3)};
  for (const char* dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (bool dram : {false, true}) {
        INFO(dataflow << (microarch == Microarch::Pipelined ? " pipelined" : " baseline") << (dram ? " dram" : ""));
        ArchConfig arch = array_config(4, 4, dataflow, microarch);
        if (dram) arch = with_dram(arch, "ddr4-2400");
        HopCounter hops;
        Simulator simulator(accelerator(), arch, {});
        simulator.add_observer(hops);
        Workload workload;
        workload.layers = layers;
        const RunResult result = simulator.run(workload);
        REQUIRE(result.layers.size() == layers.size());
        for (std::size_t i = 0; i < layers.size(); ++i) {
          INFO("layer " << i);
          CHECK(result.layers[i][Counter::LinkHopsHorizontal] > 0);
          CHECK(result.layers[i][Counter::LinkHopsVertical] > 0);
          CHECK(hops.horizontal.at(i) == result.layers[i][Counter::LinkHopsHorizontal]);
          CHECK(hops.vertical.at(i) == result.layers[i][Counter::LinkHopsVertical]);
        }
      }
}

TEST_CASE("the DRAM's statistics at a past time equal those of a DRAM advanced only to it", "[energy][dram]") {
  // Transfers of random sizes start at random times; one system runs ahead
  // to each start and far beyond, keeping its history; the other is only
  // ever advanced to the times asked about, and answers from its present.
  // Both see the same transfers at the same times, so their statistics by
  // any time must agree, standby cycles between commands and refreshes
  // included.
  for (const char* part : {"ddr4-2400", "lpddr4-3200"}) {
    INFO(part);
    const DramSpec spec = dram_preset(part);
    const std::int64_t tck_fs = std::llround(spec.tck_ps * 1000);
    DramSystem ahead(spec, 2), stepped(spec, 2);
    ahead.keep_history();
    stepped.keep_history();  // asked only of its present: its channel bursts as they are
    std::mt19937_64 random(7);
    std::int64_t time = 0;
    for (int transfer = 0; transfer < 40; ++transfer) {
      const std::int64_t bytes = 64 * static_cast<std::int64_t>(1 + random() % 40);
      const std::int64_t address = static_cast<std::int64_t>(random() % (1 << 24)) * 64;
      const bool write = random() % 3 == 0;
      const std::int64_t start = time + static_cast<std::int64_t>(random() % 4000) * tck_fs / 3;
      // The history is asked at times between the last start and this one,
      // in order, while the first system has run on to this start.
      ahead.run_ahead_to(start);
      for (int probe = 1; probe <= 3; ++probe) {
        const std::int64_t at = time + (start - time) * probe / 3;
        stepped.advance_to(at);
        INFO("transfer " << transfer << ", time " << at << " fs");
        check_stats_equal(ahead.stats_by(at), stepped.stats());
        CHECK(ahead.channel_bursts_by(at) == stepped.channel_bursts_by(at));
      }
      stepped.advance_to(start);
      ahead.transfer(address, bytes, write);
      stepped.transfer(address, bytes, write);
      time = start;
    }
    // Long enough after the last transfer for several refreshes.
    const std::int64_t end = time + 4 * spec.t.REFI * tck_fs;
    ahead.advance_to(end);
    stepped.advance_to(end);
    check_stats_equal(ahead.stats_by(end), stepped.stats());
    CHECK(ahead.stats().refreshes > 0);
  }
}

namespace {

// A real VCD signal's value at the end of each of cycles [0, cycles), read
// back from the file's value changes. Cycle c's values are dumped at its
// end, (c + 1) periods after the start.
std::vector<double> vcd_real_per_cycle(const std::string& text, const std::string& signal, double period_fs,
                                       std::size_t cycles) {
  const std::size_t scale = text.find("$timescale");
  REQUIRE(scale != std::string::npos);
  std::istringstream scale_text(text.substr(scale + 10, text.find("$end", scale) - scale - 10));
  double amount = 0;
  std::string unit;
  scale_text >> amount >> unit;
  const std::map<std::string, double> unit_fs = {{"fs", 1}, {"ps", 1e3}, {"ns", 1e6}, {"us", 1e9}};
  REQUIRE(unit_fs.count(unit) == 1);
  const double tick_fs = amount * unit_fs.at(unit);
  const std::size_t var = text.find(" " + signal + " ");
  REQUIRE(var != std::string::npos);
  const std::size_t line = text.rfind("$var", var);
  std::istringstream decl(text.substr(line, var - line));
  std::string word, kind, width, id;
  decl >> word >> kind >> width >> id;
  REQUIRE(kind == "real");
  std::vector<double> values(cycles, 0);
  std::istringstream body(text.substr(text.find("$enddefinitions")));
  std::string token;
  double value = 0;
  std::int64_t cycle = -1;
  const auto fill_to = [&](std::int64_t end) {
    for (std::int64_t c = std::max<std::int64_t>(cycle, 0); c < end && c < static_cast<std::int64_t>(cycles); ++c)
      values[static_cast<std::size_t>(c)] = value;
  };
  while (body >> token) {
    if (token[0] == 'b' || token[0] == 'B') {  // a vector's value; its code follows
      std::string code;
      body >> code;
    } else if (token[0] == '#') {
      const std::int64_t at = std::llround(std::stod(token.substr(1)) * tick_fs / period_fs) - 1;
      fill_to(at);
      cycle = at;
    } else if (token[0] == 'r') {
      std::string which;
      body >> which;
      if (which == id) {
        fill_to(cycle);
        value = std::stod(token.substr(1));
      }
    }
  }
  fill_to(static_cast<std::int64_t>(cycles));
  return values;
}

}  // namespace

TEST_CASE("the VCD's power signals equal utilization.csv's power, cycle by cycle", "[energy][vcd]") {
  // Both price the same cycles independently (each owns its pricing); with
  // --sample 1 a utilization.csv row is one cycle. DRAM commands and the
  // buffer's tile fills fall in the traced cycles.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const std::string out = dir + "/out", vcd = dir + "/run.vcd";
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--energy", "65nm-16bit",
                                       "--data-type", "int16", "--clock-mhz", "500", "--dram", "ddr4-2400", "--workload", dir + "/net.yaml",
                                       "--sample", "1", "--out", out, "--vcd", vcd, "--vcd-pes", "0:0,0:0"});
  REQUIRE(r.exit_code == 0);
  const auto rows = read_csv(out + "/utilization.csv");
  const std::string text = read_file(vcd);
  for (const char* signal : {"power_mw", "power_pe_mw", "power_buffer_mw", "power_dram_mw", "power_static_mw"}) {
    INFO(signal);
    const std::size_t column =
        static_cast<std::size_t>(std::find(rows[0].begin(), rows[0].end(), signal) - rows[0].begin());
    REQUIRE(column < rows[0].size());
    const std::size_t cycles = rows.size() - 1;
    const std::vector<double> traced = vcd_real_per_cycle(text, signal, 2e6, cycles);
    double busiest = 0;
    for (std::size_t c = 0; c < cycles; ++c) {
      INFO("cycle " << c);
      REQUIRE(std::stoll(rows[c + 1][0]) == static_cast<std::int64_t>(c));
      const double logged = std::stod(rows[c + 1][column]);
      CHECK(traced[c] == Approx(logged).epsilon(1e-5).margin(1e-3));
      busiest = std::max(busiest, logged);
    }
    CHECK(busiest > 0);
  }
}

// utilization.csv's power reads the DRAM's commands by each window's end, and
// the DRAM keeps a history of the cycles it runs ahead for that read. A
// window longer than 4096 cycles reads them in pieces of 4096, so the
// history stays that short: one window a step (here 8.45 M cycles, the DRAM
// stalling the array) takes no more memory than windows of 1000 cycles
// (it took 124 MB against 21 MB when the history ran to the window's end),
// and its DRAM energy is still all of the step's (to the 6 digits of
// utilization.csv's figures).
TEST_CASE("a long utilization window keeps the DRAM's history short and its DRAM energy whole", "[energy][dram]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/gemm.yaml", "name: g\nbatch: 1\nlayers:\n  - {name: g, type: gemm, m: 700, n: 6000, k: 1500}\n");
  std::map<std::string, CommandResult> runs;
  for (const std::string sample : {"1000", "1000000000"}) {
    INFO("--sample " << sample);
    const std::string out = dir + "/out" + sample;
    runs[sample] = run_systole({"run", "--arch", "systole-128x128", "--workload", dir + "/gemm.yaml", "--memory",
                                "dram", "--dram", "ddr4-2400", "--compute", "off", "--clock-mhz", "1000", "--sample",
                                sample, "--out", out});
    INFO("stderr: " << runs[sample].err);
    REQUIRE(runs[sample].exit_code == 0);
    // The windows' DRAM power times their time (1 ns cycles) against the
    // layer's DRAM energy in energy.csv, counted apart from the windows.
    const auto windows = read_csv(out + "/utilization.csv");
    // The header, then the step's 8.45 M cycles in one window or in thousands.
    if (sample == "1000")
      REQUIRE(windows.size() > 5000);
    else
      REQUIRE(windows.size() == 2);
    const std::vector<std::string>& header = windows.front();
    const auto column = [](const std::vector<std::string>& names, const std::string& name) {
      const auto found = std::find(names.begin(), names.end(), name);
      REQUIRE(found != names.end());
      return static_cast<std::size_t>(found - names.begin());
    };
    const std::size_t cycles = column(header, "cycles"), dram_mw = column(header, "power_dram_mw");
    double windows_pj = 0;
    for (std::size_t i = 1; i < windows.size(); ++i)
      windows_pj += std::stod(windows[i][dram_mw]) * std::stod(windows[i][cycles]);
    const auto rows = read_csv(out + "/energy.csv");
    const std::size_t component = column(rows[0], "component"), energy = column(rows[0], "energy");
    double table_pj = 0;
    for (std::size_t i = 1; i < rows.size(); ++i)
      if (power_group(rows[i][component]) == PowerGroup::Dram) table_pj += std::stod(rows[i][energy]);
    CHECK(table_pj > 0);
    CHECK(windows_pj == Approx(table_pj).epsilon(1e-5));
  }
#if defined(__SANITIZE_ADDRESS__)
  WARN("peak memory not compared: AddressSanitizer's quarantine holds freed memory");
#else
  INFO("peak RSS: " << runs["1000"].peak_rss_kb << " KB with windows of 1000 cycles, "
                    << runs["1000000000"].peak_rss_kb << " KB with one window");
  CHECK(runs["1000000000"].peak_rss_kb < runs["1000"].peak_rss_kb + 20 * 1024);
#endif
}
