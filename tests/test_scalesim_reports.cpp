// `systole run --traces DIR`: SCALE-Sim v2's COMPUTE_REPORT.csv,
// BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, compared column by
// column with SCALE-Sim's own (../shared/scalesim/cases/*/expected), and
// with the DRAM model against the layers' DRAM counters.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <thread>

#include "sim/config/text.hpp"
#include "sim/report/scalesim_reports.hpp"
#include "sim/workload/scalesim_topology.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;

namespace {

const fs::path kCases = kScaleSimDir / "cases";

// A SCALE-Sim report: its header line as written, and its rows' fields
// without the spaces after the separators and without the trailing comma's
// empty field.
struct Report {
  std::string header;
  std::vector<std::vector<std::string>> rows;
};

Report read_report(const std::string& path) {
  Report report;
  std::ifstream in(path);
  REQUIRE(in);
  std::getline(in, report.header);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::size_t start = 0;
    while (true) {
      const std::size_t comma = line.find(',', start);
      fields.push_back(std::string(trim(line.substr(start, comma - start))));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    REQUIRE(fields.back().empty());  // the trailing comma
    fields.pop_back();
    report.rows.push_back(fields);
  }
  return report;
}

double number(const std::string& field) { return std::stod(field); }

bool equal_float(const std::string& ours, const std::string& theirs) {
  return number(ours) == Approx(number(theirs)).epsilon(1e-9);
}

std::size_t column_index(const std::vector<std::string>& header, const std::string& name) {
  const auto it = std::find(header.begin(), header.end(), name);
  REQUIRE(it != header.end());
  return static_cast<std::size_t>(it - header.begin());
}

fs::path topology_of(const fs::path& case_dir) {
  for (const auto& file : fs::directory_iterator(case_dir))
    if (file.path().extension() == ".csv") return file.path();
  return {};
}

// Detailed access report's columns.
enum Column { kIfmapStart = 1, kIfmapStop, kIfmapReads, kFilterStart, kFilterStop, kFilterReads,
              kOfmapStart, kOfmapStop, kOfmapWrites, kDramIfmapStart, kDramIfmapStop, kDramIfmapReads,
              kDramFilterStart, kDramFilterStop, kDramFilterReads, kDramOfmapStart, kDramOfmapStop, kDramOfmapWrites };

}  // namespace

TEST_CASE("python_float prints a double as Python's repr does", "[scalesim][reports]") {
  CHECK(python_float(100.0) == "100.0");
  CHECK(python_float(17.0) == "17.0");
  CHECK(python_float(-66.0) == "-66.0");
  CHECK(python_float(0.0) == "0.0");
  CHECK(python_float(26.229508196721312) == "26.229508196721312");
  CHECK(python_float(8.192) == "8.192");
  CHECK(python_float(0.24242424242424243) == "0.24242424242424243");
  CHECK(python_float(0.0001) == "0.0001");
  CHECK(python_float(0.00001) == "1e-05");
  CHECK(python_float(1.5e-7) == "1.5e-07");
  CHECK(python_float(123456789012345.0) == "123456789012345.0");
  CHECK(python_float(1e16) == "1e+16");
  CHECK(python_float(2.5e20) == "2.5e+20");
}

TEST_CASE("SCALE-Sim's three reports from --traces equal SCALE-Sim's own", "[scalesim][reports][golden]") {
  SYSTOLE_REQUIRE_TEST_DATA(kCases, kScaleSimHowToGet);
  const std::string dir = make_temp_dir();
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(kCases)) {
    const fs::path expected = entry.path() / "expected";
    if (!fs::exists(expected)) continue;
    const std::string name = entry.path().filename().string();
    INFO(name);
    const std::string out = dir + "/" + name;
    const fs::path topology = topology_of(entry.path());
    const CommandResult run = run_systole({"run", "--arch", (entry.path() / "config.cfg").string(), "--workload",
                                           topology.string(), "--traces", out, "--out", out + "/native",
                                           "--log-level", "warn"});
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    const Workload workload = load_scalesim_topology(topology.string());
    const auto layers = read_csv(out + "/native/layers.csv");
    const bool os = name.find("_os_") != std::string::npos;
    const int rows = std::stoi(name.substr(0, name.find('x')));
    const int cols = rows;  // every case's array is square (its name: RxC)

    for (const std::string& file : scalesim_report_names())
      CHECK(read_file(out + "/" + file).substr(0, read_file(out + "/" + file).find('\n')) ==
            read_report((expected / file).string()).header);

    const Report compute = read_report(out + "/COMPUTE_REPORT.csv");
    const Report their_compute = read_report((expected / "COMPUTE_REPORT.csv").string());
    REQUIRE(compute.rows.size() == their_compute.rows.size());
    for (std::size_t i = 0; i < compute.rows.size(); ++i) {
      INFO("layer " << i);
      const auto& ours = compute.rows[i];
      const auto& theirs = their_compute.rows[i];
      REQUIRE(ours.size() == 6);
      CHECK(ours[0] == theirs[0]);
      CHECK(ours[1] == theirs[1]);  // Total Cycles
      CHECK(ours[2] == theirs[2]);  // Stall Cycles
      for (int c = 3; c <= 5; ++c) CHECK(equal_float(ours[c], theirs[c]));
    }

    const Report detailed = read_report(out + "/DETAILED_ACCESS_REPORT.csv");
    const Report their_detailed = read_report((expected / "DETAILED_ACCESS_REPORT.csv").string());
    const Report bandwidth = read_report(out + "/BANDWIDTH_REPORT.csv");
    const Report their_bandwidth = read_report((expected / "BANDWIDTH_REPORT.csv").string());
    REQUIRE(detailed.rows.size() == their_detailed.rows.size());
    REQUIRE(bandwidth.rows.size() == their_bandwidth.rows.size());
    for (std::size_t i = 0; i < detailed.rows.size(); ++i) {
      INFO("layer " << i);
      const auto& ours = detailed.rows[i];
      const auto& theirs = their_detailed.rows[i];
      REQUIRE(ours.size() == 19);
      const Layer& layer = workload.layers[i];
      const std::int64_t folds = std::stoll(layers[i + 1][column_index(layers[0], "folds")]);
      // The counts equal layers.csv's buffer counters.
      CHECK(ours[kIfmapReads] == layers[i + 1][column_index(layers[0], "buffer_ifmap_reads")]);
      CHECK(ours[kFilterReads] == layers[i + 1][column_index(layers[0], "buffer_filter_reads")]);
      CHECK(ours[kOfmapWrites] == layers[i + 1][column_index(layers[0], "buffer_ofmap_writes")]);
      CHECK(ours[kIfmapStart] == theirs[kIfmapStart]);
      CHECK(ours[kIfmapReads] == theirs[kIfmapReads]);
      CHECK(ours[kFilterStart] == theirs[kFilterStart]);
      CHECK(ours[kFilterStop] == theirs[kFilterStop]);
      CHECK(ours[kFilterReads] == theirs[kFilterReads]);
      CHECK(ours[kOfmapStart] == theirs[kOfmapStart]);
      // SCALE-Sim's stop cycles are the last rows of its demand matrices
      // holding an address: operand entries past the input's edge (its
      // ceil rule for the output size, reference §3.3) hold none, and are
      // not read; Systole reads them as zeros, at most the last K cycles of
      // the last fold later. 32x32 OS AlexNet Conv1 (E = 55, K = 363, the
      // last fold's 17 rows are output row 54, columns 38..54): window rows
      // 4·54 + fr < 224 only for fr <= 7, so a lane's last address is at
      // k = (7·11 + 10)·3 + 2 = 263 (254 in the lane of column 54), at the
      // latest 263 + 15 skew cycles into the fold; Systole's last read is
      // k = 362 in lane 16, 362 + 16: 100 cycles later.
      // The loader writes the rule as padding after the input.
      const bool runs_past_edge = layer.shape.pad_bottom > 0 || layer.shape.pad_right > 0;
      if (runs_past_edge) {
        CHECK(number(ours[kIfmapStop]) > number(theirs[kIfmapStop]));
        CHECK(number(ours[kIfmapStop]) - number(theirs[kIfmapStop]) < static_cast<double>(layer.gemm().k));
        if (name == "32x32_os_alexnet" && i == 0) CHECK(number(ours[kIfmapStop]) - number(theirs[kIfmapStop]) == 100);
      } else {
        CHECK(ours[kIfmapStop] == theirs[kIfmapStop]);
      }
      if (os) {
        // SCALE-Sim's OS ofmap count adds R + C per fold that no value
        // makes (docs/validation.md). And its create_ofmap_demand_mat pads
        // a partial fold's outputs with null rows below the used ones and
        // then flips the rows: the null rows drain first, the outputs last,
        // at the padded fold's end (Total Cycles in the last fold). Systole
        // drains the used rows first: a partial last fold's last output is
        // written R - rows_used cycles earlier.
        const std::int64_t m = layer.gemm().m;
        const std::int64_t last_rows = m - (m - 1) / rows * rows;
        CHECK(std::stoll(ours[kOfmapWrites]) + (rows + cols) * folds == std::stoll(theirs[kOfmapWrites]));
        CHECK(number(ours[kOfmapStop]) + static_cast<double>(rows - last_rows) == number(theirs[kOfmapStop]));
      } else {
        CHECK(ours[kOfmapWrites] == theirs[kOfmapWrites]);
        CHECK(ours[kOfmapStop] == theirs[kOfmapStop]);
      }
      // Ideal memory: no DRAM, no DRAM figures.
      for (int c = kDramIfmapStart; c <= kDramOfmapWrites; ++c) CHECK(ours[c].empty());

      const auto& bw = bandwidth.rows[i];
      const auto& their_bw = their_bandwidth.rows[i];
      REQUIRE(bw.size() == 7);
      CHECK(bw[0] == their_bw[0]);
      CHECK(equal_float(bw[1], their_bw[1]));
      CHECK(equal_float(bw[2], their_bw[2]));
      // SRAM BW = accesses / Total Cycles, with each side's OFMAP writes.
      const double total_cycles = number(compute.rows[i][1]);
      CHECK(number(bw[3]) == Approx(number(ours[kOfmapWrites]) / total_cycles).epsilon(1e-12));
      CHECK(number(their_bw[3]) == Approx(number(theirs[kOfmapWrites]) / total_cycles).epsilon(1e-12));
      if (!os) CHECK(equal_float(bw[3], their_bw[3]));
      for (int c = 4; c <= 6; ++c) CHECK(bw[c].empty());
    }
    ++cases;
  }
  CHECK(cases >= 13);
}

TEST_CASE("SCALE-Sim reports with --memory dram: DRAM words are the layer's DRAM counters", "[scalesim][reports][dram]") {
  SYSTOLE_REQUIRE_TEST_DATA(kCases, kScaleSimHowToGet);
  const fs::path case_dir = kCases / "16x16_ws_test_valid_16";
  const std::string out = make_temp_dir() + "/traces";
  const CommandResult run =
      run_systole({"run", "--arch", (case_dir / "config.cfg").string(), "--workload", topology_of(case_dir).string(),
                   "--memory", "dram", "--traces", out, "--out", out + "/native", "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto layers = read_csv(out + "/native/layers.csv");
  REQUIRE(layers.size() == 2);
  const auto& header = layers[0];
  auto column = [&](const std::string& name) { return std::stoll(layers[1][column_index(header, name)]); };
  const Report detailed = read_report(out + "/DETAILED_ACCESS_REPORT.csv");
  const Report bandwidth = read_report(out + "/BANDWIDTH_REPORT.csv");
  const Report compute = read_report(out + "/COMPUTE_REPORT.csv");
  REQUIRE(detailed.rows.size() == 1);
  const auto& row = detailed.rows[0];
  // int8: a word is a byte.
  CHECK(std::stoll(row[kDramIfmapReads]) == column("dram_ifmap_read_bytes"));
  CHECK(std::stoll(row[kDramFilterReads]) == column("dram_filter_read_bytes"));
  CHECK(std::stoll(row[kDramOfmapWrites]) == column("dram_ofmap_write_bytes"));
  CHECK(column("dram_ifmap_read_bytes") > 0);
  CHECK(column("stall_dram_cycles") > 0);
  CHECK(std::stoll(compute.rows[0][2]) == column("stall_cycles"));
  CHECK(std::stoll(compute.rows[0][1]) == column("cycles") - 1);
  for (int p = 0; p < 3; ++p) {
    INFO("partition " << p);
    const double start = number(row[kDramIfmapStart + 3 * p]), stop = number(row[kDramIfmapStop + 3 * p]);
    const double words = number(row[kDramIfmapReads + 3 * p]);
    CHECK(start >= 0);
    CHECK(start <= stop);
    CHECK(number(bandwidth.rows[0][4 + p]) == Approx(words / (stop - start + 1)).epsilon(1e-12));
  }
  // The operands come from DRAM before the array reads them, and the layer
  // ends with its last write-back in DRAM (`cycles`).
  CHECK(number(row[kDramIfmapStart]) < number(row[kIfmapStart]));
  CHECK(number(row[kDramFilterStart]) < number(row[kFilterStart]));
  CHECK(number(row[kDramOfmapStart]) > number(row[kOfmapStart]));
  CHECK(number(row[kDramOfmapStop]) == number(compute.rows[0][1]));
}

TEST_CASE("SCALE-Sim reports: a --traces directory that cannot be written is refused before anything runs", "[scalesim][reports][cli]") {
  const std::string dir = make_temp_dir();
  const std::string lenet = std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml";
  write_file(dir + "/file", "");
  fs::create_directories(dir + "/taken/COMPUTE_REPORT.csv");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {dir + "/file", "option --traces: '" + dir + "/file' is not a directory\n"},
      {dir + "/missing/traces", "option --traces: cannot create '" + dir + "/missing/traces': '" + dir +
                                    "/missing' is not a directory\n"},
      {dir + "/taken", "option --traces: '" + dir + "/taken/COMPUTE_REPORT.csv' is a directory\n"},
  };
  for (const auto& [traces, error] : cases) {
    const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload", lenet, "--traces", traces,
                                         "--out", dir + "/out"});
    CHECK(r.exit_code == 2);
    CHECK(r.err == "systole: error: " + error);
    CHECK(r.out.empty());
  }
  std::vector<std::string> left;
  for (const auto& entry : fs::recursive_directory_iterator(dir)) left.push_back(entry.path().string());
  std::sort(left.begin(), left.end());
  CHECK(left == std::vector<std::string>{dir + "/file", dir + "/taken", dir + "/taken/COMPUTE_REPORT.csv"});
  // A missing directory whose parent exists is created.
  const CommandResult ok = run_systole({"run", "--arch", "systole-32x32", "--workload", lenet, "--traces",
                                        dir + "/new/", "--log-level", "warn"});
  CHECK(ok.exit_code == 0);
  for (const std::string& file : scalesim_report_names()) CHECK(fs::exists(dir + "/new/" + file));
}

TEST_CASE("an interrupted run still writes the SCALE-Sim reports, its last row marked", "[scalesim][reports][interrupt]") {
  // GEMM M=20000, N=2048, K=2048 on 128x128 WS: about 5.2 million cycles,
  // far more than run before the signal, which goes out once
  // utilization.csv.partial holds a complete row on disk (as the CLI's
  // Ctrl-C test).
  const std::string dir = make_temp_dir();
  write_file(dir + "/arch.ini", "[array]\nrows = 128\ncols = 128\ndataflow = ws\n");
  write_file(dir + "/net.csv", "Layer, M, N, K,\nsmall, 64, 64, 64,\nhuge, 20000, 2048, 2048,\n");
  const std::string out = dir + "/out", traces = dir + "/traces";
  const pid_t pid = start_command(SYSTOLE_BINARY,
                                  {"run", "--arch", dir + "/arch.ini", "--workload", dir + "/net.csv", "--out", out,
                                   "--traces", traces, "--traces-max-mb", "0", "--log-level", "warn"},
                                  "/dev/null", "/dev/null");
  REQUIRE(pid > 0);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(2);
  int status = 0;
  bool exited = false;
  while (true) {
    exited = waitpid(pid, &status, WNOHANG) == pid;
    const std::string rows = read_file(out + "/utilization.csv.partial");
    if (exited || std::count(rows.begin(), rows.end(), '\n') >= 2) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      FAIL("no utilization row within two minutes");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE_FALSE(exited);
  kill(pid, SIGINT);
  waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  const auto layers = read_csv(out + "/layers.csv");
  REQUIRE(layers.size() == 3);
  REQUIRE(layers[2].back() == "interrupted");
  const Report compute = read_report(traces + "/COMPUTE_REPORT.csv");
  REQUIRE(compute.rows.size() == 2);
  CHECK(compute.rows[0][0] == "0");
  CHECK(compute.rows[1][0] == "1 (interrupted)");
  // The partial layer's row holds what was simulated of it.
  CHECK(std::stoll(compute.rows[1][1]) == std::stoll(layers[2][3]) - 1);
  const Report detailed = read_report(traces + "/DETAILED_ACCESS_REPORT.csv");
  REQUIRE(detailed.rows.size() == 2);
  CHECK(detailed.rows[1][0] == "1 (interrupted)");
  CHECK(detailed.rows[1][kFilterReads] == layers[2][column_index(layers[0], "buffer_filter_reads")]);
  CHECK(std::stoll(detailed.rows[1][kFilterReads]) > 0);
  const Report bandwidth = read_report(traces + "/BANDWIDTH_REPORT.csv");
  REQUIRE(bandwidth.rows.size() == 2);
  CHECK(bandwidth.rows[1][0] == "1 (interrupted)");
  for (const std::string& file : scalesim_report_names()) CHECK_FALSE(fs::exists(traces + "/" + file + ".partial"));
}
