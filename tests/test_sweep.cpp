// systole sweep: expanding a sweep file's axes, pruning with constraints,
// keying runs by hash, resuming, merging shard databases, and results that
// equal `systole run`'s summary.json. The real Slurm cluster's test is
// tests/slurm_sweep_test.sh.

#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "sim/config/input_error.hpp"
#include "sim/sweep/axis_expansion.hpp"
#include "sim/sweep/constraint.hpp"
#include "sim/sweep/pareto.hpp"
#include "sim/sweep/point_runner.hpp"
#include "sim/sweep/result_store.hpp"
#include "sim/sweep/results_folder.hpp"
#include "sim/sweep/sweep_file.hpp"
#include "sim/sweep/sweep_plan.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;
namespace fs = std::filesystem;


namespace {

const std::string kWorkloads = std::string(SYSTOLE_SOURCE_DIR) + "/workloads";

// A sweep file in a fresh folder; `body` follows the base line.
std::string sweep_file(const std::string& body, const std::string& dir = make_temp_dir()) {
  const std::string path = dir + "/sweep.yaml";
  write_file(path, "name: test\nbase: systole-32x32\n" + body);
  return path;
}

const std::string kGemmWorkload = "workloads:\n  - {file: " + kWorkloads + "/gemm_small.csv, batch: 1}\n";

std::map<std::string, std::string> statuses_of(const std::string& sweep_path) {
  ResultsFolder folder{read_sweep_file(sweep_path).results_dir};
  return folder.statuses();
}

// The merged database's runs, by hash.
std::map<std::string, StoredRun> merged_runs(const std::string& sweep_path, bool with_layers = false) {
  const ResultStore store(ResultsFolder{read_sweep_file(sweep_path).results_dir}.merged_db(), false);
  std::map<std::string, StoredRun> runs;
  for (StoredRun& run : store.load({}, with_layers)) runs.emplace(run.hash, std::move(run));
  return runs;
}

}  // namespace

TEST_CASE("lists, linear ranges and logarithmic ranges expand to their product", "[sweep]") {
  const SweepFile sweep = read_sweep_file(sweep_file(
      "axes:\n"
      "  array.rows: [8, 16]\n"
      "  cols: {from: 8, to: 32, step: 8}\n"
      "  buffer.size_kb: {from: 8, to: 256, factor: 2}\n" +
      kGemmWorkload));
  REQUIRE(sweep.axes.size() == 3);
  CHECK(sweep.axes[0].key == "array.rows");
  CHECK(sweep.axes[1].key == "array.cols");  // a key's last part names it when unique
  CHECK(sweep.axes[0].values == std::vector<std::string>{"8", "16"});
  CHECK(sweep.axes[1].values == std::vector<std::string>{"8", "16", "24", "32"});
  CHECK(sweep.axes[2].values == std::vector<std::string>{"8", "16", "32", "64", "128", "256"});
  const std::vector<SweepPoint> points = expand_axes(sweep.axes, std::nullopt);
  REQUIRE(points.size() == 2 * 4 * 6);
  // The last axis varies fastest: point 7 is rows 8, cols 16 (7 / 6 = 1), size 16 (7 % 6 = 1).
  CHECK(points[7].values == std::vector<std::string>{"8", "16", "16"});
  CHECK(points[47].values == std::vector<std::string>{"16", "32", "256"});
  std::set<std::vector<std::string>> distinct;
  for (const SweepPoint& point : points) distinct.insert(point.values);
  CHECK(distinct.size() == points.size());
}

TEST_CASE("sampling draws distinct points of the product, the same for the same seed", "[sweep]") {
  std::vector<SweepAxis> axes = {{"array.rows", {"4", "8", "16", "32"}, 1},
                                 {"array.cols", {"4", "8", "16", "32", "64"}, 2},
                                 {"array.dataflow", {"ws", "os", "is"}, 3}};
  const auto sample = [&](std::int64_t n, std::uint64_t seed) { return expand_axes(axes, SweepSampling{n, seed}); };
  const std::vector<SweepPoint> a = sample(10, 7), b = sample(10, 7), c = sample(10, 8);
  REQUIRE(a.size() == 10);
  std::set<std::uint64_t> indices;
  for (std::size_t i = 0; i < a.size(); ++i) {
    CHECK(a[i].index == b[i].index);
    CHECK(a[i].index < 60);
    indices.insert(a[i].index);
    // Each sampled point is the product's point of that index.
    const std::uint64_t index = a[i].index;
    CHECK(a[i].values == std::vector<std::string>{axes[0].values[index / 15], axes[1].values[index / 3 % 5],
                                                   axes[2].values[index % 3]});
  }
  CHECK(indices.size() == 10);
  std::vector<std::uint64_t> a_indices, c_indices;
  for (const SweepPoint& p : a) a_indices.push_back(p.index);
  for (const SweepPoint& p : c) c_indices.push_back(p.index);
  CHECK(a_indices != c_indices);
  // Asking for more points than there are gives them all.
  CHECK(sample(100, 1).size() == 60);
}

TEST_CASE("constraint expressions", "[sweep]") {
  const std::map<std::string, ConstraintValue> names = {{"rows", 16.0}, {"cols", 32.0}, {"dataflow", std::string("ws")}};
  const ConstraintLookup lookup = [&](const std::string& name) -> std::optional<ConstraintValue> {
    const auto found = names.find(name);
    if (found == names.end()) return std::nullopt;
    return found->second;
  };
  const auto holds = [&](const std::string& text) { return Constraint(text).holds(lookup); };
  CHECK(holds("rows * cols <= 512"));     // 512
  CHECK_FALSE(holds("rows * cols < 512"));
  CHECK(holds("2 + 3 * 4 == 14"));        // * before +
  CHECK(holds("(2 + 3) * 4 == 20"));
  CHECK(holds("-rows + 20 == 4"));
  CHECK(holds("cols / rows == 2 && cols % rows == 0"));
  CHECK(holds("rows > 100 || cols == 32"));
  CHECK(holds("!(rows > 100)"));
  CHECK(holds("dataflow == 'ws'"));
  CHECK(holds("dataflow != \"os\""));
  CHECK_THROWS_WITH(Constraint("rows * <= 4"), Catch::Contains("column 8"));
  CHECK_THROWS_WITH(Constraint("rows <= (4"), Catch::Contains("missing ')'"));
  CHECK_THROWS_WITH(holds("depth > 2"), Catch::Contains("unknown name 'depth'"));
  CHECK_THROWS_WITH(holds("dataflow > 2"), Catch::Contains("not a number"));
  CHECK_THROWS_WITH(holds("rows / 0 > 1"), Catch::Contains("division by zero"));
}

TEST_CASE("constraints prune points before they run, by keys and by pre-run area", "[sweep]") {
  const std::string body =
      "set: {memory.model: dram}\n"
      "axes:\n"
      "  array.rows: [4, 8, 16, 32, 64]\n"
      "  array.cols: [4, 8, 16, 32, 64]\n"
      "constraints:\n"
      "  - rows * cols <= 1024\n"
      "  - area_mm2 <= AREA\n" +
      kGemmWorkload;
  SweepPlan plan = plan_sweep(read_sweep_file(sweep_file(body.substr(0, body.find("  - area_mm2")) + kGemmWorkload)));
  // rows x cols <= 1024 of the 25: all but 32x64, 64x32 and 64x64.
  CHECK(plan.points == 25);
  CHECK(plan.pruned_points == 3);
  CHECK(plan.runs.size() == 22);
  for (const SweepRun& run : plan.runs) CHECK(run.arch.array.rows * run.arch.array.cols <= 1024);

  // A bound on area between that of 8x8 (64 PEs) and 8x16 (128 PEs) keeps
  // exactly the arrays of 64 PEs or fewer.
  const std::string dir = make_temp_dir();
  const auto area_of = [&](int rows, int cols) {
    const CommandResult result = run_systole({"run", "--arch", "systole-32x32", "--memory", "dram", "--array",
                                              std::to_string(rows) + "x" + std::to_string(cols), "--workload",
                                              kWorkloads + "/gemm_small.csv", "--out", dir, "--log-level", "warn"});
    REQUIRE(result.exit_code == 0);
    return nlohmann::json::parse(read_file(dir + "/summary.json"))["area"]["total"]["value"].get<double>();
  };
  const double bound = (area_of(8, 8) + area_of(8, 16)) / 2;
  std::string with_area = body;
  with_area.replace(with_area.find("AREA"), 4, std::to_string(bound));
  plan = plan_sweep(read_sweep_file(sweep_file(with_area)));
  // Arrays of at most 64 PEs among the 25: 4x4, 4x8, 4x16, 8x4, 8x8, 16x4.
  CHECK(plan.runs.size() == 6);
  for (const SweepRun& run : plan.runs) CHECK(run.arch.array.rows * run.arch.array.cols <= 64);
}

TEST_CASE("a bad sweep file is one line naming the file and the line", "[sweep]") {
  const auto error_of = [](const std::string& body) {
    const std::string path = sweep_file(body);
    try {
      plan_sweep(read_sweep_file(path));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  // Line 1 is the name, 2 the base.
  CHECK_THAT(error_of("axes:\n  array.rows: [8]\nconstraints:\n  - rows * <= 4\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:6: constraint 'rows * <= 4': unexpected '<' at column 8"));
  CHECK_THAT(error_of("axes:\n  array.rows: [8]\nconstraints:\n  - depth > 2\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:6: constraint 'depth > 2': unknown name 'depth'"));
  CHECK_THAT(error_of("axes:\n  array.rowz: [8]\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:4:") && Catch::Contains("'array.rowz' is not an architecture key"));
  CHECK_THAT(error_of("axes:\n  array.rows: [8, many]\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:4:") && Catch::Contains("array.rows"));
  CHECK_THAT(error_of("axes:\n  array.rows: {from: 8, to: 4, step: 1}\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:4:") && Catch::Contains("'to' is below 'from'"));
  CHECK_THAT(error_of("figures: [totals.cycle]\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:3:") && Catch::Contains("'totals.cycle' is not a summary figure"));
  CHECK_THAT(error_of("sparsity: ifmap=2\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:3: sweep: sparsity: ifmap=2: the fraction of zeros must be a number from 0 to 1"));
  CHECK_THAT(error_of("compute: off\nsparsity: ifmap=0.5\n" + kGemmWorkload),
             Catch::Contains("sweep.yaml:4: sweep: sparsity: compute: off draws no operand values"));
  CHECK_THAT(error_of("workloads:\n  - {file: nowhere.yaml}\n"),
             Catch::Contains("sweep.yaml:4:") && Catch::Contains("does not exist"));
  // The command line: exit 2 and the one line.
  const CommandResult result =
      run_systole({"sweep", "run", sweep_file("constraints: ['rows <']\n" + kGemmWorkload), "--jobs", "1"});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains("sweep.yaml:3: constraint 'rows <': expression ends early at column 7"));
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
}

TEST_CASE("a run's hash is its configuration: the same runs hash alike, a changed key changes it", "[sweep]") {
  const std::string axes = "axes:\n  array.rows: [8, 16]\n  array.dataflow: [ws, os]\n";
  const SweepPlan a = plan_sweep(read_sweep_file(sweep_file(axes + kGemmWorkload)));
  // The same points with the axes in the other order, in another folder.
  const SweepPlan b = plan_sweep(
      read_sweep_file(sweep_file("axes:\n  array.dataflow: [ws, os]\n  array.rows: [8, 16]\n" + kGemmWorkload)));
  const SweepPlan c =
      plan_sweep(read_sweep_file(sweep_file("set: {general.clock_mhz: 500}\n" + axes + kGemmWorkload)));
  std::set<std::string> ha, hb, hc;
  for (const SweepRun& run : a.runs) ha.insert(run.hash);
  for (const SweepRun& run : b.runs) hb.insert(run.hash);
  for (const SweepRun& run : c.runs) hc.insert(run.hash);
  CHECK(ha.size() == 4);
  CHECK(ha == hb);
  for (const std::string& hash : hc) CHECK(ha.count(hash) == 0);
}

TEST_CASE("the Pareto front of a hand-worked set", "[sweep]") {
  // (time, energy): B (2,2) dominates D (2,3) and E (4,4); A, B, C trade one
  // for the other; F repeats A, so neither dominates the other.
  const std::vector<std::vector<double>> points = {{1, 5}, {2, 2}, {3, 1}, {2, 3}, {4, 4}, {1, 5}};
  const std::vector<ParetoAxis> minimize = {{"totals.time", false}, {"energy.total", false}};
  CHECK(pareto_front(points, minimize) == std::vector<std::size_t>{0, 1, 2, 5});
  // Maximizing the second (as for throughput): A and F (1,5) have the least
  // time and the most of it, so they dominate every other point.
  const std::vector<ParetoAxis> mixed = {{"totals.time", false}, {"totals.throughput", true}};
  CHECK(pareto_front(points, mixed) == std::vector<std::size_t>{0, 5});
  // Three axes: (time, energy, area); only D (2,2,2) is dominated, by B (1,2,2).
  const std::vector<std::vector<double>> three = {{3, 1, 1}, {1, 2, 2}, {2, 2, 2}, {1, 3, 1}};
  const std::vector<ParetoAxis> axes3 = {{"totals.time", false}, {"energy.total", false}, {"area.total", false}};
  CHECK(pareto_front(three, axes3) == std::vector<std::size_t>{0, 1, 3});
  CHECK_THROWS_WITH(parse_pareto_axes("totals.time,energy.totl"), Catch::Contains("'energy.totl' is not a summary figure"));
  CHECK(parse_pareto_axes("totals.time, max:totals.throughput")[1].maximize);
}

TEST_CASE("a sweep's rows equal summary.json of `systole run` on the same point, figure by figure", "[sweep][cli]") {
  const std::string path = sweep_file(
      "set: {memory.model: dram}\n"
      "axes:\n"
      "  array.rows: [8, 16]\n"
      "  array.dataflow: [ws, os]\n" +
      kGemmWorkload);
  const CommandResult sweep = run_systole({"sweep", "run", path, "--jobs", "2"});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const std::map<std::string, StoredRun> runs = merged_runs(path, true);
  REQUIRE(runs.size() == 4);
  for (const auto& [hash, run] : runs) {
    REQUIRE(run.status == "completed");
    const std::string rows = run.axes["array.rows"].get<std::string>(), dataflow = run.axes["array.dataflow"];
    const std::string out = make_temp_dir();
    const CommandResult single =
        run_systole({"run", "--arch", "systole-32x32", "--memory", "dram", "--array.rows", rows, "--dataflow",
                     dataflow, "--workload", kWorkloads + "/gemm_small.csv", "--batch", "1", "--out", out,
                     "--log-level", "warn"});
    REQUIRE(single.exit_code == 0);
    const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
    const auto expected = summary_figure_values(summary, {});
    std::map<std::string, nlohmann::json> stored(run.figures.begin(), run.figures.end());
    CHECK(stored.size() == expected.size());
    for (const auto& [name, entry] : expected) {
      INFO(rows << " rows, " << dataflow << ": " << name);
      REQUIRE(stored.count(name));
      CHECK(stored[name]["unit"] == entry["unit"]);
      // Wall-clock figures differ from run to run; every other is exact.
      if (name == "totals.wall_time" || name == "totals.simulation_rate") continue;
      CHECK(stored[name]["value"] == entry["value"]);
    }
    // The per-layer rows hold layers.csv's cells.
    const auto csv = read_csv(out + "/layers.csv");
    REQUIRE(run.layers.size() + 1 == csv.size());
    for (std::size_t l = 0; l < run.layers.size(); ++l)
      for (std::size_t c = 0; c < csv[0].size(); ++c) {
        const nlohmann::json& cell = run.layers[l][csv[0][c]];
        const std::string text = cell.is_string() ? cell.get<std::string>() : cell.is_null() ? "" : cell.dump();
        INFO("layer " << l << " column " << csv[0][c]);
        if (cell.is_number_float()) CHECK(std::stod(csv[l + 1][c]) == cell.get<double>());
        else CHECK(text == csv[l + 1][c]);
      }
  }
}

TEST_CASE("a failing point records its one-line error and the sweep goes on", "[sweep][cli]") {
  // An int8 array accumulates in 4 bytes: a 2-byte buffer word cannot carry a partial sum.
  const std::string path = sweep_file(
      "set: {memory.model: dram, array.rows: 8, array.cols: 8}\n"
      "axes:\n"
      "  buffer.word_bytes: [2, 8]\n" +
      kGemmWorkload);
  const CommandResult result = run_systole({"sweep", "run", path, "--jobs", "1"});
  INFO(result.err);
  CHECK(result.exit_code == 0);
  CHECK_THAT(result.out, Catch::Contains("1 of 2 runs completed, 1 failed"));
  const std::map<std::string, StoredRun> runs = merged_runs(path);
  REQUIRE(runs.size() == 2);
  for (const auto& [hash, run] : runs) {
    if (run.axes["buffer.word_bytes"] == "2") {
      CHECK(run.status == "failed");
      CHECK_THAT(run.error, Catch::Contains("buffer.word_bytes = 2 cannot carry one partial sum"));
      CHECK(run.error.find('\n') == std::string::npos);
      CHECK(run.figures.empty());
    } else {
      CHECK(run.status == "completed");
      CHECK_FALSE(run.figures.empty());
    }
  }
}

namespace {

// Starts the systole binary with `args`, its output to files in `dir`.
pid_t start_systole(const std::vector<std::string>& args, const std::string& dir) {
  return start_command(SYSTOLE_BINARY, args, dir + "/stdout", dir + "/stderr");
}

// Waits until `count` runs of the sweep have completed (or 60 s).
bool wait_for_completed(const std::string& sweep_path, std::size_t count) {
  for (int i = 0; i < 1200; ++i) {
    std::size_t completed = 0;
    for (const auto& [hash, status] : statuses_of(sweep_path)) completed += status == "completed";
    if (completed >= count) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

int wait_exit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// A sweep of 12 runs that each take a tenth of a second or more (0.1 to
// 0.3 s on one core of the development machine; a GEMM of M = 192 took
// 0.05 s, which let a pool finish every run before the signal meant to stop
// it arrived).
std::string slow_sweep(const std::string& dir) {
  write_file(dir + "/gemm.yaml", "name: gemm\nlayers:\n  - {name: g, type: gemm, m: 2048, n: 192, k: 192}\n");
  return sweep_file(
      "set: {array.cols: 8}\n"
      "axes:\n"
      "  array.rows: [4, 8, 12, 16]\n"
      "  array.dataflow: [ws, os, is]\n"
      "workloads: [gemm.yaml]\n",
      dir);
}

}  // namespace

TEST_CASE("a killed task leaves no half-written row, and re-running finishes the rest, each run once", "[sweep][cli]") {
  const std::string dir = make_temp_dir();
  const std::string path = slow_sweep(dir);
  // A Slurm task killed outright (SIGKILL: no chance to clean up).
  const pid_t task = start_systole({"sweep", "run", path, "--shard", "0/1"}, dir);
  REQUIRE(task > 0);
  const bool some_done = wait_for_completed(path, 2);
  kill(task, SIGKILL);
  CHECK(wait_exit(task) == 128 + SIGKILL);
  REQUIRE(some_done);
  std::map<std::string, std::string> before = statuses_of(path);
  REQUIRE(before.size() >= 2);
  REQUIRE(before.size() < 12);
  // Every row there is whole: its figures and layers came with it.
  const std::string shard = ResultsFolder{read_sweep_file(path).results_dir}.shard_db("shard-0-of-1");
  std::map<std::string, std::string> kept_at;
  for (const StoredRun& run : ResultStore(shard, false).load({}, true)) {
    CHECK(run.status == "completed");
    CHECK_FALSE(run.figures.empty());
    CHECK(run.layers.size() == 1);
    kept_at[run.hash] = run.finished_at;
  }

  // The local pool stopped by SIGTERM (Ctrl-C alike): it keeps what finished.
  const pid_t pool = start_systole({"sweep", "run", path, "--jobs", "2"}, dir);
  const bool more_done = wait_for_completed(path, before.size() + 1);
  kill(pool, SIGTERM);
  CHECK(wait_exit(pool) == 128 + SIGTERM);
  REQUIRE(more_done);
  const std::size_t after_stop = statuses_of(path).size();
  CHECK(after_stop > before.size());

  // The re-run runs only what is missing.
  const CommandResult rerun = run_systole({"sweep", "run", path, "--jobs", "2"});
  INFO(rerun.err);
  REQUIRE(rerun.exit_code == 0);
  CHECK_THAT(rerun.err, Catch::Contains(std::to_string(after_stop) + " completed, " +
                                        std::to_string(12 - after_stop) + " to run"));
  const std::map<std::string, StoredRun> runs = merged_runs(path);
  CHECK(runs.size() == 12);
  std::set<std::uint64_t> points;
  for (const auto& [hash, run] : runs) {
    CHECK(run.status == "completed");
    points.insert(run.point);
    // The rows written before the kill were kept, not run again.
    if (kept_at.count(hash)) CHECK(run.finished_at == kept_at[hash]);
  }
  CHECK(points.size() == 12);
  // Across every shard database, no run completed twice.
  std::map<std::string, int> completions;
  for (const std::string& db : ResultsFolder{read_sweep_file(path).results_dir}.shard_dbs())
    for (const auto& [hash, status] : ResultStore(db, false).statuses()) completions[hash] += status == "completed";
  for (const auto& [hash, count] : completions) CHECK(count == 1);
}

TEST_CASE("a changed sweep file re-runs only the points it changed", "[sweep][cli]") {
  const std::string dir = make_temp_dir();
  const std::string first = "set: {array.cols: 8}\naxes:\n  array.rows: [4, 8]\n  array.dataflow: [ws, os]\n";
  const std::string path = sweep_file(first + kGemmWorkload, dir);
  REQUIRE(run_systole({"sweep", "run", path, "--jobs", "2"}).exit_code == 0);
  const std::map<std::string, StoredRun> before = merged_runs(path);
  REQUIRE(before.size() == 4);
  // rows 8 becomes 16: the two rows-4 points stay, two new ones run.
  sweep_file("set: {array.cols: 8}\naxes:\n  array.rows: [4, 16]\n  array.dataflow: [ws, os]\n" + kGemmWorkload, dir);
  const CommandResult second = run_systole({"sweep", "run", path, "--jobs", "2"});
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  CHECK_THAT(second.err, Catch::Contains("4 runs; 2 completed, 2 to run"));
  const std::map<std::string, StoredRun> after = merged_runs(path);
  CHECK(after.size() == 6);  // the old rows stay in the database; the report shows the file's points
  for (const auto& [hash, run] : before)
    if (run.axes["array.rows"] == "4") CHECK(after.at(hash).finished_at == run.finished_at);
  const CommandResult report = run_systole({"sweep", "report", path, "--no-plots"});
  REQUIRE(report.exit_code == 0);
  const auto csv = read_csv(read_sweep_file(path).results_dir + "/report/runs.csv");
  CHECK(csv.size() == 5);
}

TEST_CASE("merging shard databases is idempotent and a completed run outranks a failed one", "[sweep]") {
  const std::string dir = make_temp_dir();
  StoredRun done;
  done.hash = "aa";
  done.status = "completed";
  done.figures = {{"totals.cycles", {{"value", 100}, {"unit", "cycles"}}}};
  done.layers = {nlohmann::json{{"layer", "g"}, {"cycles", 100}}};
  StoredRun failed = done;
  failed.status = "failed";
  failed.error = "no";
  failed.figures.clear();
  failed.layers.clear();
  StoredRun other = done;
  other.hash = "bb";
  {
    ResultStore a(dir + "/a.db", true), b(dir + "/b.db", true);
    a.put(done);
    a.put(other);
    b.put(failed);  // written later than a's completed copy
  }
  for (const std::vector<std::string>& order : {std::vector<std::string>{"a", "b"}, std::vector<std::string>{"b", "a"}}) {
    const std::string merged_path = dir + "/merged-" + order[0] + ".db";
    ResultStore merged(merged_path, true);
    CHECK(merged.merge_from(dir + "/" + order[0] + ".db") > 0);
    merged.merge_from(dir + "/" + order[1] + ".db");
    // Once more, both: nothing changes.
    CHECK(merged.merge_from(dir + "/a.db") == 0);
    CHECK(merged.merge_from(dir + "/b.db") == 0);
    const std::vector<StoredRun> runs = merged.load({}, true);
    REQUIRE(runs.size() == 2);
    for (const StoredRun& run : runs) {
      CHECK(run.status == "completed");
      CHECK(run.figures.size() == 1);
      CHECK(run.layers.size() == 1);
    }
  }
  // A shard whose worker was killed between creating its file and its
  // tables is empty: it adds nothing.
  write_file(dir + "/empty.db", "");
  {
    ResultStore merged(dir + "/merged-a.db", false);
    CHECK(merged.merge_from(dir + "/empty.db") == 0);
    CHECK(merged.load({}, true).size() == 2);
  }
  // The command merges every shard of a sweep the same way.
  const std::string path = sweep_file("axes:\n  array.rows: [4, 8, 16]\n" + kGemmWorkload);
  REQUIRE(run_systole({"sweep", "run", path, "--jobs", "2"}).exit_code == 0);
  const CommandResult merge = run_systole({"sweep", "merge", path});
  CHECK_THAT(merge.out, Catch::Contains("merged 2 shard database(s)") && Catch::Contains(": 0 runs added or updated, 3 runs in all"));
}

TEST_CASE("the report: runs, the Pareto front of each workload, layers", "[sweep][cli]") {
  const std::string path = sweep_file(
      "set: {memory.model: dram}\n"
      "axes:\n"
      "  array.rows: [4, 8, 16, 32]\n"
      "  array.cols: [4, 16, 32]\n"
      "workloads:\n"
      "  - {file: " + kWorkloads + "/gemm_small.csv}\n");
  REQUIRE(run_systole({"sweep", "run", path, "--jobs", "2"}).exit_code == 0);
  const CommandResult report = run_systole({"sweep", "report", path, "--no-plots", "--pareto", "totals.time,energy.total"});
  INFO(report.err);
  REQUIRE(report.exit_code == 0);
  const std::string dir = read_sweep_file(path).results_dir + "/report";
  const auto runs = read_csv(dir + "/runs.csv"), front = read_csv(dir + "/pareto.csv");
  REQUIRE(runs.size() == 13);
  REQUIRE(front.size() >= 2);
  const auto column = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(runs[0].begin(), runs[0].end(), name) - runs[0].begin());
  };
  const std::size_t time = column("totals.time"), energy = column("energy.total"), hash = column("hash");
  REQUIRE(time < runs[0].size());
  REQUIRE(energy < runs[0].size());
  // Checked against the definition: a run is on the front exactly when no
  // run is at least as good on both and better on one.
  std::set<std::string> on_front;
  for (std::size_t r = 1; r < front.size(); ++r) on_front.insert(front[r][hash]);
  for (std::size_t i = 1; i < runs.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 1; j < runs.size(); ++j) {
      const double ti = std::stod(runs[i][time]), ei = std::stod(runs[i][energy]);
      const double tj = std::stod(runs[j][time]), ej = std::stod(runs[j][energy]);
      dominated = dominated || (tj <= ti && ej <= ei && (tj < ti || ej < ei));
    }
    CHECK(on_front.count(runs[i][hash]) == (dominated ? 0u : 1u));
  }
  // layers.csv: one row per layer of each run (gemm_small has 3 layers).
  CHECK(read_csv(dir + "/layers.csv").size() == 1 + 12 * 3);

  // The plots, where Debian's matplotlib is installed (CI's set-up installs it).
  if (std::system("/usr/bin/python3 -c 'import matplotlib' 2>/dev/null") != 0) {
    WARN("plots not checked: /usr/bin/python3 has no matplotlib (apt-get install python3-matplotlib)");
    return;
  }
  const CommandResult plots = run_systole({"sweep", "report", path});
  INFO(plots.err);
  CHECK(plots.exit_code == 0);
  for (const char* name : {"pareto.png", "scalability.png", "roofline-gemm_small.png"})
    CHECK(fs::file_size(dir + "/" + name) > 1000);
}

TEST_CASE("the documented example sweep file reads and plans", "[sweep]") {
  const SweepFile sweep = read_sweep_file(std::string(SYSTOLE_SOURCE_DIR) + "/docs/examples/sweep.yaml");
  CHECK(sweep.axes.size() == 4);
  CHECK(sweep.workloads.size() == 2);
  const SweepPlan plan = plan_sweep(sweep);
  CHECK(plan.points == 60);
  CHECK(plan.runs.size() == 2 * (plan.points - plan.pruned_points));
  for (const SweepRun& run : plan.runs) {
    CHECK(run.arch.array.rows * run.arch.array.cols <= 4096);
    CHECK(run.arch.array.rows <= 2 * run.arch.array.cols);
    CHECK(run.arch.memory_model == MemoryModel::Dram);
  }
}

TEST_CASE("a timing-only sweep (compute: off) times its runs as `systole run` computes them", "[sweep][cli][timing-only]") {
  const std::string path = sweep_file(
      "compute: off\n"
      "axes:\n"
      "  array.dataflow: [ws, os, rs]\n" +
      kGemmWorkload);
  const CommandResult sweep = run_systole({"sweep", "run", path, "--jobs", "2"});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const std::map<std::string, StoredRun> runs = merged_runs(path);
  REQUIRE(runs.size() == 3);
  for (const auto& [hash, run] : runs) {
    const std::string dataflow = run.axes["array.dataflow"];
    INFO(dataflow);
    if (dataflow == "rs") {
      CHECK(run.status == "failed");
      CHECK(run.error.find("the rs dataflow cannot run it timing-only") != std::string::npos);
      continue;
    }
    REQUIRE(run.status == "completed");
    const std::string out = make_temp_dir();
    REQUIRE(run_systole({"run", "--arch", "systole-32x32", "--dataflow", dataflow, "--workload",
                         kWorkloads + "/gemm_small.csv", "--batch", "1", "--out", out, "--log-level", "warn"})
                .exit_code == 0);
    const nlohmann::json computed = nlohmann::json::parse(read_file(out + "/summary.json"))["totals"];
    std::map<std::string, nlohmann::json> stored(run.figures.begin(), run.figures.end());
    CHECK(stored["totals.cycles"]["value"] == computed["cycles"]["value"]);
    CHECK(stored["totals.macs"]["value"] == computed["macs"]["value"]);
    CHECK(stored["totals.timing_only_layers"]["value"].get<std::int64_t>() > 0);
    CHECK(computed["timing_only_layers"]["value"] == 0);
  }
}

TEST_CASE("a sweep's sparsity gates the MACs `systole run --sparsity` gates", "[sweep][cli]") {
  const std::string path = sweep_file(
      "sparsity: ifmap=0.5,weights=0.25\n"
      "axes:\n"
      "  array.dataflow: [ws, os]\n" +
      kGemmWorkload);
  const CommandResult sweep = run_systole({"sweep", "run", path, "--jobs", "2"});
  INFO(sweep.err);
  REQUIRE(sweep.exit_code == 0);
  const std::map<std::string, StoredRun> runs = merged_runs(path);
  REQUIRE(runs.size() == 2);
  for (const auto& [hash, run] : runs) {
    const std::string dataflow = run.axes["array.dataflow"];
    INFO(dataflow);
    REQUIRE(run.status == "completed");
    const std::string out = make_temp_dir();
    REQUIRE(run_systole({"run", "--arch", "systole-32x32", "--dataflow", dataflow, "--workload",
                         kWorkloads + "/gemm_small.csv", "--batch", "1", "--sparsity", "ifmap=0.5,weights=0.25",
                         "--out", out, "--log-level", "warn"})
                .exit_code == 0);
    const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
    std::map<std::string, nlohmann::json> stored(run.figures.begin(), run.figures.end());
    // Half the inputs and a quarter of the weights zero: well over half the MACs gated.
    CHECK(stored["totals.macs_gated"]["value"].get<double>() > 0.5 * stored["totals.macs"]["value"].get<double>());
    CHECK(stored["totals.macs_gated"]["value"] == summary["totals"]["macs_gated"]["value"]);
    CHECK(stored["energy.total"]["value"] == summary["energy"]["total"]["value"]);
  }
}

TEST_CASE("a run's hash follows the contents of the files its keys name", "[sweep]") {
  const std::string dir = make_temp_dir();
  const std::string table = dir + "/table.yaml";
  const auto hashes = [&](const std::string& multiply_pj) {
    write_file(table, "unit: pJ\ntechnology_nm: 45\nactions:\n"
                      "  - {component: multiplier, action: multiply, energy: " + multiply_pj +
                      ", width_bits: 8, scaling: product}\n");
    std::set<std::string> hashes;
    for (const SweepRun& run :
         plan_sweep(read_sweep_file(sweep_file("set: {energy.table: " + table + "}\naxes:\n  array.rows: [8, 16]\n" +
                                               kGemmWorkload, dir)))
             .runs)
      hashes.insert(run.hash);
    return hashes;
  };
  const std::set<std::string> before = hashes("0.2"), same = hashes("0.2"), edited = hashes("0.3");
  CHECK(before.size() == 2);
  CHECK(before == same);
  for (const std::string& hash : edited) CHECK(before.count(hash) == 0);
}
