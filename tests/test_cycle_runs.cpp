// Runs of repeated cycles (Execution::skip_repeats): with ideal memory the
// array steps a run of cycles it proves identical to the one before in one
// go, and observers that take runs see it in one call. Every observer must
// see the same cycles either way, and the runs must be the ones the
// schedule makes.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sim/engine/simulator.hpp"
#include "sim/workload/yaml_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

struct Recorded {
  RunResult result;
  std::vector<CycleActivity> cycles;
  std::int64_t repeated_cycles = 0;  // stepped in runs, by the array and the vector unit
  std::int64_t runs = 0;             // on_cycles calls
  std::int64_t replayed_cycles = 0;  // replayed by the array
  std::int64_t alike_slept_cycles = 0;
  std::string unalike_slept_field;
};

Recorded record(const ArchConfig& arch, const Workload& workload, bool compute, bool takes_runs,
                bool reads_alike_slept = true) {
  RunOptions options;
  options.compute = compute;
  options.verify = compute;
  Simulator simulator(accelerator(), arch, options);
  CycleRecorder recorder(takes_runs, reads_alike_slept);
  simulator.add_observer(recorder);
  Recorded recorded;
  const auto repeated = [] {
    return accelerator().array.repeated_cycles() + accelerator().vector_unit.repeated_cycles();
  };
  const std::int64_t repeated_before = repeated();
  const std::int64_t replayed_before = accelerator().array.replayed_cycles();
  recorded.result = simulator.run(workload);
  recorded.repeated_cycles = repeated() - repeated_before;
  recorded.replayed_cycles = accelerator().array.replayed_cycles() - replayed_before;
  recorded.cycles = std::move(recorder.cycles);
  recorded.runs = recorder.runs;
  recorded.alike_slept_cycles = recorder.alike_slept_cycles;
  recorded.unalike_slept_field = recorder.unalike_slept_field;
  return recorded;
}

// Every cycle's activity, and every counter of each of `layers` layers,
// are the same in `single` as in `runs`.
void check_same_cycles(const Recorded& single, const Recorded& runs, std::size_t layers) {
  CHECK(single.result.total_cycles == runs.result.total_cycles);
  REQUIRE(single.cycles.size() == runs.cycles.size());
  std::size_t cycle = 0;
  std::string difference;
  for (; cycle < single.cycles.size() && difference.empty(); ++cycle)
    difference = first_difference(single.cycles[cycle], runs.cycles[cycle]);
  CAPTURE(cycle);
  CHECK(difference.empty());
  for (std::size_t l = 0; l < layers; ++l)
    for (const CounterInfo& counter : counter_infos()) {
      CAPTURE(l, counter.name);
      CHECK(single.result.layers[l][counter.counter] == runs.result.layers[l][counter.counter]);
    }
}

Workload gemms_and_lstm() {
  const std::string path = make_temp_dir() + "/net.yaml";
  write_file(path,
             "name: runs\nbatch: 2\nlayers:\n"
             "  - {name: g, type: gemm, m: 5, n: 16, k: 11}\n"
             "  - {name: c, type: conv, input: [6, 6, 3], filters: 7, kernel: 3, padding: 1}\n"
             "  - {name: l, type: lstm, input_size: 5, hidden_size: 6, sequence_length: 3}\n");
  return load_yaml_workload(path);
}

}  // namespace

TEST_CASE("observers that take runs see the cycles that observers taking each cycle see", "[engines]") {
  const Workload workload = gemms_and_lstm();
  const auto [dataflow, microarch, compute] =
      GENERATE(table<std::string, Microarch, bool>({{"ws", Microarch::Baseline, true},
                                                     {"ws", Microarch::Pipelined, true},
                                                     {"is", Microarch::Baseline, false},
                                                     {"is", Microarch::Pipelined, true},
                                                     {"os", Microarch::Baseline, true},
                                                     {"os", Microarch::Pipelined, false}}));
  CAPTURE(dataflow, microarch == Microarch::Pipelined, compute);
  const ArchConfig arch = array_config(8, 8, dataflow, microarch);
  const Recorded single = record(arch, workload, compute, /*takes_runs=*/false);
  const Recorded runs = record(arch, workload, compute, /*takes_runs=*/true);
  // One observer taking cycles one by one keeps the array from runs and replays.
  CHECK(single.repeated_cycles == 0);
  CHECK(single.replayed_cycles == 0);
  check_same_cycles(single, runs, workload.layers.size());
  // Baseline stationary loads with nothing else in the array come in runs
  // (pipelined ones overlap the fold before).
  if (dataflow != "os" && microarch == Microarch::Baseline) {
    CHECK(runs.repeated_cycles > 0);
    CHECK(runs.runs > 0);
  }
}

TEST_CASE("a baseline fold's slot is replayed for the later folds of its shape, cycle for cycle", "[engines][timing]") {
  // GEMM M=5, N=8, K=48 on 8x8: six row folds of 8 rows and 8 columns, one
  // per slot. Each slot after the first starts with the fold before still
  // live but done, so slot 1 is recorded and slots 2..4 replay it; slot 0
  // has no fold before and slot 5 ends the program. In WS a slot loads R
  // rows, streams element m into row r at R + m + r, and the sum of element
  // M - 1 leaves column C - 1 at R + (M - 1) + (R - 1) + (C - 1); the next
  // slot starts a cycle later: 2R + C + M - 2 = 27 cycles. A replay covers
  // the 26 after the one that issues its fold.
  constexpr int kRows = 8, kCols = 8, kM = 5;
  const Workload workload = load_yaml_workload([] {
    const std::string path = make_temp_dir() + "/gemm.yaml";
    write_file(path, "layers:\n  - {name: g, type: gemm, m: 5, n: 8, k: 48}\n");
    return path;
  }());
  const std::int64_t slot = 2 * kRows + kCols + kM - 2;
  for (const std::string dataflow : {"ws", "is", "os"})
    for (bool compute : {true, false}) {
      CAPTURE(dataflow, compute);
      const ArchConfig arch = array_config(kRows, kCols, dataflow, Microarch::Baseline);
      const Recorded single = record(arch, workload, compute, /*takes_runs=*/false);
      const Recorded replayed = record(arch, workload, compute, /*takes_runs=*/true);
      CHECK(single.replayed_cycles == 0);
      if (dataflow == "ws") CHECK(replayed.replayed_cycles == 3 * (slot - 1));
      if (dataflow == "is") CHECK(replayed.replayed_cycles > 0);
      check_same_cycles(single, replayed, 1);
    }
}

TEST_CASE("with DRAM, replayed slots give every cycle, counter and DRAM statistic that stepped slots give",
          "[engines][memory]") {
  // Small buffers make each fold fetch its tiles while the fold before
  // streams, so DRAM data arrives, results leave for the buffer (across a
  // NoC with a latency in the second case) and write-backs start inside
  // the replayed slots. A replayed cycle must ask the memory controller what
  // a stepped one does, in the same order.
  const std::vector<Layer> layers = {make_gemm_layer("g", 96, 80, 64), conv_layer(10, 10, 16, 24, 3, 3, 1, 1)};
  for (const std::string dataflow : {"ws", "is", "os"})
    for (const NocConfig& noc : {NocConfig{}, NocConfig{16, 16, 16, 5}}) {
      CAPTURE(dataflow, noc.latency);
      ArchConfig arch = with_dram(array_config(16, 16, dataflow, Microarch::Baseline), "lpddr4-3200");
      arch.buffer = GlobalBufferConfig::separate(12 * 1024, 12 * 1024, 4 * 1024);
      arch.noc = noc;
      arch.clock_mhz = 700;  // edges that do not line up with the DRAM's
      Workload workload;
      workload.layers = layers;
      REQUIRE(memory_problem(arch, workload).empty());
      const Recorded single = record(arch, workload, /*compute=*/true, /*takes_runs=*/false);
      const Recorded replayed = record(arch, workload, /*compute=*/true, /*takes_runs=*/true);
      CHECK(single.replayed_cycles == 0);
      CHECK(replayed.replayed_cycles > replayed.result.total_cycles / 10);
      check_same_cycles(single, replayed, layers.size());
      CHECK(single.result.slept_cycles == replayed.result.slept_cycles);
      check_stats_equal(single.result.dram_stats, replayed.result.dram_stats);
      // The slept cycles said to be alike (counted at once by the buffer) are.
      CHECK(replayed.alike_slept_cycles > replayed.result.slept_cycles / 2);
      CHECK(replayed.unalike_slept_field.empty());
      // Where no observer reads them, the alike slept cycles are not
      // written, and every count stays the same.
      const Recorded unwritten =
          record(arch, workload, /*compute=*/true, /*takes_runs=*/true, /*reads_alike_slept=*/false);
      CHECK(unwritten.alike_slept_cycles == replayed.alike_slept_cycles);
      CHECK(unwritten.result.total_cycles == replayed.result.total_cycles);
      CHECK(unwritten.result.slept_cycles == replayed.result.slept_cycles);
      for (std::size_t l = 0; l < layers.size(); ++l)
        for (const CounterInfo& counter : counter_infos()) {
          CAPTURE(l, counter.name);
          CHECK(unwritten.result.layers[l][counter.counter] == replayed.result.layers[l][counter.counter]);
        }
      check_stats_equal(unwritten.result.dram_stats, replayed.result.dram_stats);
    }
}

TEST_CASE("with DRAM and narrow buffer ports, replayed slots charge the ports what stepped slots do",
          "[engines][memory]") {
  // OS with partitions too small for the partial sums: after each chunk of
  // K, a block's are written to DRAM and read back into the ofmap
  // partition, through write ports one bank wide that the array's results
  // take too. A replay that ticks the memory once for many quiet cycles
  // must still charge each cycle's results to those ports, delaying the
  // partial sums filling through them, and let go of the transfers done.
  const std::vector<Layer> layers = {make_gemm_layer("g", 96, 80, 512)};
  for (int banks : {1, 2}) {
    CAPTURE(banks);
    ArchConfig arch = with_dram(array_config(16, 16, "os", Microarch::Baseline), "ddr4-2400");
    arch.buffer = GlobalBufferConfig::separate(2 * 1024, 2 * 1024, 4 * 1024);
    arch.buffer.banks = banks;
    Workload workload;
    workload.layers = layers;
    REQUIRE(memory_problem(arch, workload).empty());
    const Recorded single = record(arch, workload, /*compute=*/true, /*takes_runs=*/false);
    const Recorded replayed = record(arch, workload, /*compute=*/true, /*takes_runs=*/true);
    CHECK(replayed.replayed_cycles > replayed.result.total_cycles / 10);
    CHECK(replayed.result.layers[0][Counter::DramOfmapReadBytes] > 0);  // partial sums read back
    check_same_cycles(single, replayed, layers.size());
    check_stats_equal(single.result.dram_stats, replayed.result.dram_stats);
  }
}

TEST_CASE("a baseline stationary load repeats its first cycle until it passes the fold's used rows", "[engines][timing]") {
  // WS baseline, GEMM M=5, N=16, K=11 on 8x8: row folds of 8 and 3 used
  // rows, each with two full column folds, one fold per slot. A slot begins
  // with R = 8 cycles of loads with nothing else in the array (the fold
  // before left it in the slot's last cycle): rows 0..u-1 carry operands
  // alike, rows u..7 padding alike, so after the first cycle of each part
  // the other u - 1 and 8 - u - 1 repeat it (the fold before retires in the
  // load's second cycle, which changes nothing a load does). Every other
  // cycle moves something.
  constexpr int kRows = 8;
  const Workload workload = load_yaml_workload([] {
    const std::string path = make_temp_dir() + "/gemm.yaml";
    write_file(path, "layers:\n  - {name: g, type: gemm, m: 5, n: 16, k: 11}\n");
    return path;
  }());
  std::int64_t expected = 0;
  for (int used : {8, 3})
    expected += 2 * ((used - 1) + (used < kRows ? kRows - used - 1 : 0));
  for (bool compute : {true, false}) {
    CAPTURE(compute);
    const Recorded runs = record(array_config(kRows, 8, "ws", Microarch::Baseline), workload, compute, true);
    CHECK(runs.repeated_cycles == expected);
    // Each part's run is one call: two per 3-row fold, one per 8-row fold.
    CHECK(runs.runs == 2 * 1 + 2 * 2);
  }
}

TEST_CASE("the vector unit repeats a cycle with every lane busy while the lanes stay full", "[engines][timing]") {
  // An element-wise layer of e operations on L lanes: e / L full cycles,
  // of which all but the first repeat it, and one partial cycle if L does
  // not divide e.
  ArchConfig arch = array_config(4, 4, "ws");
  const std::int64_t lanes = arch.vector.lanes;
  for (const std::int64_t elements : {lanes * 9 + 5, lanes * 7, lanes - 1}) {
    CAPTURE(lanes, elements);
    const Workload workload = load_yaml_workload([&] {
      const std::string path = make_temp_dir() + "/add.yaml";
      write_file(path, "layers:\n  - {name: add, type: eltwise, shape: [" + std::to_string(elements) + "]}\n");
      return path;
    }());
    const Recorded single = record(arch, workload, true, /*takes_runs=*/false);
    const Recorded runs = record(arch, workload, true, /*takes_runs=*/true);
    CHECK(runs.repeated_cycles == std::max<std::int64_t>(0, elements / lanes - 1));
    CHECK(single.repeated_cycles == 0);
    REQUIRE(runs.cycles.size() == static_cast<std::size_t>((elements + lanes - 1) / lanes));
    REQUIRE(single.cycles.size() == runs.cycles.size());
    std::int64_t operations = 0;
    for (std::size_t c = 0; c < runs.cycles.size(); ++c) {
      CHECK(first_difference(single.cycles[c], runs.cycles[c]).empty());
      operations += runs.cycles[c].vector_operations;
    }
    CHECK(operations == elements);
  }
}
