// The row-stationary dataflow with --memory dram (sim/dataflow/row_stationary.cpp,
// models/row_stationary/rs_tile_plan.hpp) and the run-length coding of DRAM
// traffic (models/memory/dram_compression.hpp): the bytes each operand moves,
// derived by hand for a small folded layer; RLC sizes of hand-counted value
// sequences; DRAM stalls against the timeline's stall spans.

#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/memory/dram_compression.hpp"
#include "sim/dataflow/row_stationary.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/energy_table.hpp"
#include "sim/engine/simulator.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

// The folded layer the hand counts below use: a 5×5 input of 4 channels,
// 2 filters of 3×3 (3×3 outputs), int8, on a 2×3 array, mapped as a 2×3
// set (filter rows {0, 1}, then {2}), p = 1, q = 2, n = 1, one replica.
// Passes: filter 0 (channels {0, 1}: rows {0, 1}, row {2}; channels
// {2, 3}: the same), then filter 1 the same: 8 passes, the last 3 of each
// filter adding to the partial sums the earlier ones left.
Layer folded_layer() {
  Layer layer = conv_layer(5, 5, 4, 2, 3, 3);
  layer.rs_mapping = {2, 3, 1, 2, 1, 1};
  return layer;
}

ArchConfig folded_arch(std::int64_t ifmap_bytes, std::int64_t filter_bytes, std::int64_t ofmap_bytes) {
  ArchConfig arch = with_dram(array_config(2, 3, "rs"), "ddr4-2400");
  arch.noc = {};
  arch.buffer = GlobalBufferConfig::separate(ifmap_bytes, filter_bytes, ofmap_bytes);
  return arch;
}

// No operand is zero.
double dense_values(Operand operand, std::int64_t i) { return operand == Operand::Ifmap ? 1 + i % 5 : 1 + i % 3; }
// Every input is zero, so is every output.
double zero_inputs(Operand operand, std::int64_t i) { return operand == Operand::Ifmap ? 0 : 1 + i % 3; }

std::int64_t rlc_bytes(const std::vector<std::int64_t>& values) {
  return find_dram_compression("rlc")->compression->encoded_bytes(values, 16);
}

}  // namespace

// By hand, per pass (int8: one byte a value; partial sums int32):
//  - filters: 1 filter × its filter rows × 2 channels × 3 = 12 (rows {0, 1})
//    or 6 (row {2}) values; the 4 passes of a filter read 12 + 6 + 12 + 6 =
//    36, both filters 72 = the whole filter tensor, each weight once.
//  - ifmap: rows {0, 1} × output rows {0, 1, 2} read input rows 0..3, row
//    {2} reads 2..4; all 5 columns; 2 channels: 4·5·2 = 40 and 3·5·2 = 30
//    values. A filter's passes read 40 + 30 + 40 + 30 = 140, both 280: rows
//    2 and 3 are read twice per channel block, and each filter reads the
//    input again (the passes of filter 1 come after filter 0's).
//  - partial sums: each filter's 9 outputs (1 × 3 rows × 3 columns) stay in
//    the ofmap partition (36 bytes at int32) across its 4 passes and leave
//    once, after the 4th, at int8: 9 bytes per filter, 18 in all. The
//    passes that add to them come right after the ones that wrote them, so
//    nothing is spilled or read back: 0 bytes of partial sums from DRAM.
// The largest pass holds 12 filter, 40 ifmap and 36 partial-sum bytes. With
// partitions of 128 B (ifmap), 64 B (filter) and 128 B (ofmap) each fits
// half its partition, and neither whole tensor does (ifmap 5·5·4 = 100 >
// 64, filters 72 > 32): nothing stays resident.
TEST_CASE("row stationary with DRAM: each operand's DRAM bytes for a folded layer, tiles fetched per pass",
          "[rs][dram]") {
  const LayerStats stats = simulate(folded_arch(128, 64, 128), {folded_layer()}, dense_values).layers.at(0);
  CHECK(stats.verification == Verification::Passed);
  CHECK(stats.mapping == "set 2x3 p1 q2 n1 x1");
  check_counts(stats, {{Counter::Folds, 8},
                       {Counter::DramFilterReadBytes, 72},
                       {Counter::DramIfmapReadBytes, 280},
                       {Counter::DramOfmapReadBytes, 0},
                       {Counter::DramOfmapWriteBytes, 18},
                       {Counter::DramUncompressedBytes, 72 + 280 + 18}});
  CHECK(stats[Counter::Cycles] > 0);
}

// With partitions of 64 KB both whole tensors fit half theirs: the first
// pass fetches all 72 weights and all 100 inputs, and they stay. Outputs
// as above.
TEST_CASE("row stationary with DRAM: a layer's filters and ifmap that fit half their partitions are read once",
          "[rs][dram]") {
  const LayerStats stats =
      simulate(folded_arch(64 * 1024, 64 * 1024, 64 * 1024), {folded_layer()}, dense_values).layers.at(0);
  CHECK(stats.verification == Verification::Passed);
  check_counts(stats, {{Counter::DramFilterReadBytes, 72},
                       {Counter::DramIfmapReadBytes, 100},
                       {Counter::DramOfmapReadBytes, 0},
                       {Counter::DramOfmapWriteBytes, 18}});
}

// The folded layer with 2 images (n = 1): each filter's passes now cover two
// output blocks, image 0's 4 passes then image 1's. Per image as above:
// 280 ifmap bytes, 18 output bytes. Filters:
//  - a 64-byte filter partition (half: 32) cannot keep one filter's 4·9 =
//    36 weights, so each image's passes read them again: 2·72 = 144 bytes;
//  - a 100-byte one (half: 50) keeps them from the filter's first pass to
//    its last, while the whole 72 still do not fit: 72 bytes, each weight
//    once.
TEST_CASE("row stationary with DRAM: a block of units' weights that fits half the filter partition is read once",
          "[rs][dram]") {
  Layer layer = folded_layer();
  layer.batch = 2;
  for (const auto& [filter_bytes, expected] : {std::pair{64, 144}, std::pair{100, 72}}) {
    INFO("filter partition " << filter_bytes << " bytes");
    const LayerStats stats = simulate(folded_arch(128, filter_bytes, 128), {layer}, dense_values).layers.at(0);
    CHECK(stats.verification == Verification::Passed);
    check_counts(stats, {{Counter::Folds, 16},
                         {Counter::DramFilterReadBytes, expected},
                         {Counter::DramIfmapReadBytes, 2 * 280},
                         {Counter::DramOfmapReadBytes, 0},
                         {Counter::DramOfmapWriteBytes, 2 * 18}});
  }
}

// Each global network moves the narrower of its width and the buffer ports
// behind it. One bank per partition with one port a cycle moving one value
// gives every network one word a cycle; so do one-word networks in front
// of the same ports. The two runs must take the same cycles (the folded
// layer has no padding, which would travel without a port), and a cycle in
// which no PE worked while PEs waited is a NoC stall in the first and a
// buffer stall in the second.
TEST_CASE("row stationary with DRAM: the buffer's ports limit the networks, and their stalls are the buffer's",
          "[rs][dram]") {
  ArchConfig ports = folded_arch(128, 64, 128);
  ports.buffer.banks = 1;
  ArchConfig networks = ports;
  networks.noc = {1, 1, 1, 0};
  const LayerStats by_ports = simulate(ports, {folded_layer()}, dense_values).layers.at(0);
  const LayerStats by_networks = simulate(networks, {folded_layer()}, dense_values).layers.at(0);
  CHECK(by_ports.verification == Verification::Passed);
  CHECK(by_ports[Counter::Cycles] == by_networks[Counter::Cycles]);
  CHECK(by_networks[Counter::StallNocCycles] > 0);
  CHECK(by_networks[Counter::StallBufferCycles] == 0);
  CHECK(by_ports[Counter::StallBufferCycles] == by_networks[Counter::StallNocCycles]);
  CHECK(by_ports[Counter::StallNocCycles] == 0);
  // Unlimited ports and networks: faster than either.
  const LayerStats free = simulate(folded_arch(128, 64, 128), {folded_layer()}, dense_values).layers.at(0);
  CHECK(free[Counter::Cycles] < by_ports[Counter::Cycles]);
}

TEST_CASE("row stationary with DRAM: a pass whose tiles do not fit half their partitions is refused, naming it",
          "[rs][dram]") {
  // The forced mapping's largest pass holds at most 40 ifmap bytes (4 rows
  // × 5 columns × 2 channels): a 64-byte ifmap partition's half is 32.
  const ArchConfig arch = folded_arch(64, 64, 128);
  const std::string problem = RowStationary().mapping_problem(arch, folded_layer());
  CHECK(problem.find("40 bytes of ifmap, more than half the ifmap buffer's 64") != std::string::npos);
  // With ideal memory a pass may take the whole buffer.
  ArchConfig ideal = arch;
  ideal.memory_model = MemoryModel::Ideal;
  CHECK(RowStationary().mapping_problem(ideal, folded_layer()).empty());
}

// RLC (Eyeriss, JSSC 2017): pairs of a 5-bit run of zeros and a 16-bit
// level, three to a 64-bit word. Hand counts of pairs, then words × 8 bytes.
TEST_CASE("run-length coding: sizes of hand-counted sequences", "[rs][dram][rlc]") {
  using Rlc = RunLengthCompression;
  // No zeros: a pair per value. 7 values: 7 pairs, 3 words, 24 bytes.
  const std::vector<std::int64_t> dense = {5, -3, 7, 1, 2, 9, 4};
  CHECK(Rlc::pairs(dense) == 7);
  CHECK(rlc_bytes(dense) == 24);
  // Runs within 31: (2, 5), (0, 6), (31, 7): 3 pairs, one word.
  std::vector<std::int64_t> runs = {0, 0, 5, 6};
  runs.insert(runs.end(), 31, 0);
  runs.push_back(7);
  CHECK(Rlc::pairs(runs) == 3);
  CHECK(rlc_bytes(runs) == 8);
  // A run of 40 zeros before 3: (31, 0) takes 32 of them, (8, 3) the rest.
  std::vector<std::int64_t> long_run(40, 0);
  long_run.push_back(3);
  CHECK(Rlc::pairs(long_run) == 2);
  // 70 zeros before 1: (31, 0), (31, 0), (6, 1).
  std::vector<std::int64_t> longer(70, 0);
  longer.push_back(1);
  CHECK(Rlc::pairs(longer) == 3);
  CHECK(rlc_bytes(longer) == 8);
  // Trailing zeros: 4 then 10 zeros: (0, 4) and (9, 0).
  std::vector<std::int64_t> trailing = {4};
  trailing.insert(trailing.end(), 10, 0);
  CHECK(Rlc::pairs(trailing) == 2);
  // All zeros: 64 are (31, 0) twice; 65 need a third pair; 1 is (0, 0).
  CHECK(Rlc::pairs(std::vector<std::int64_t>(64, 0)) == 2);
  CHECK(Rlc::pairs(std::vector<std::int64_t>(65, 0)) == 3);
  CHECK(Rlc::pairs(std::vector<std::int64_t>(1, 0)) == 1);
  CHECK(rlc_bytes(std::vector<std::int64_t>(1000, 0)) == 8 * 11);  // 32 pairs (31·32 = 992, then 8), 11 words
  CHECK(Rlc::pairs({}) == 0);
  CHECK(rlc_bytes({}) == 0);
}

TEST_CASE("run-length coding: never more than a word per three values, and 16-bit levels only", "[rs][dram][rlc]") {
  // A pair takes at least one value, so n values take at most ceil(n / 3)
  // words: 16-bit values grow by at most 4/3, plus one partly filled word.
  std::mt19937 random(7);
  for (int trial = 0; trial < 200; ++trial) {
    const std::size_t n = random() % 300;
    const double zeros = (random() % 101) / 100.0;
    std::vector<std::int64_t> values(n);
    for (std::int64_t& v : values)
      v = std::uniform_real_distribution<double>(0, 1)(random) < zeros ? 0 : 1 + static_cast<std::int64_t>(random() % 1000);
    const std::int64_t uncompressed = 2 * static_cast<std::int64_t>(n);
    CHECK(rlc_bytes(values) <= uncompressed * 4 / 3 + 8);
    CHECK(rlc_bytes(values) == 8 * ((RunLengthCompression::pairs(values) + 2) / 3));
  }
  CHECK(RunLengthCompression().value_problem(16).empty());
  CHECK(RunLengthCompression().value_problem(32).find("16 bits") != std::string::npos);
}

// The folded layer with RLC: DRAM moves the encoded ifmap tiles and
// write-backs, the filters as they are (72 bytes).
//  - Dense inputs: a tile of 40 values is 40 pairs, 14 words, 112 bytes; of
//    30, 10 words, 80 bytes: 2 filters × 2 × (112 + 80) = 768. The outputs
//    (sums of positive products) are nonzero: 9 pairs, 3 words, 24 bytes per
//    filter, 48.
//  - All-zero inputs: a tile of 40 zeros is (31, 0) and one more pair: one
//    word; of 30, one pair: one word: 8 tiles × 8 = 64 bytes. The outputs
//    are zeros too: 9 zeros, one pair, 8 bytes per filter, 16.
// Uncompressed, as without RLC: 72 + 280 + 18 = 370 bytes.
TEST_CASE("row stationary with DRAM and RLC: DRAM moves the encoded ifmap and ofmap bytes", "[rs][dram][rlc]") {
  ArchConfig arch = folded_arch(128, 64, 128);
  arch.dram_compression = "rlc";
  const LayerStats dense = simulate(arch, {folded_layer()}, dense_values).layers.at(0);
  CHECK(dense.verification == Verification::Passed);
  check_counts(dense, {{Counter::DramFilterReadBytes, 72},
                       {Counter::DramIfmapReadBytes, 768},
                       {Counter::DramOfmapWriteBytes, 48},
                       {Counter::DramUncompressedBytes, 370}});
  const LayerStats zeros = simulate(arch, {folded_layer()}, zero_inputs).layers.at(0);
  CHECK(zeros.verification == Verification::Passed);
  check_counts(zeros, {{Counter::DramFilterReadBytes, 72},
                       {Counter::DramIfmapReadBytes, 64},
                       {Counter::DramOfmapWriteBytes, 16},
                       {Counter::DramUncompressedBytes, 370}});
  // Fewer bytes, less time waiting for DRAM.
  CHECK(zeros[Counter::Cycles] <= dense[Counter::Cycles]);
}

TEST_CASE("row stationary with DRAM: verified outputs on random layers, and the mapper's choice fits", "[rs][dram]") {
  std::mt19937 random(11);
  for (int trial = 0; trial < 6; ++trial) {
    const int size = 5 + static_cast<int>(random() % 6), channels = 1 + static_cast<int>(random() % 5);
    const int filters = 1 + static_cast<int>(random() % 6), kernel = 1 + static_cast<int>(random() % 3);
    const int stride = 1 + static_cast<int>(random() % 2), pad = static_cast<int>(random() % 2);
    const Layer layer = conv_layer(size, size, channels, filters, kernel, kernel, stride, pad);
    ArchConfig arch = with_dram(array_config(3 + static_cast<int>(random() % 4), 3 + static_cast<int>(random() % 5), "rs"),
                                "lpddr4-3200");
    arch.buffer = GlobalBufferConfig::separate(2048, 1024, 2048);
    INFO("trial " << trial << ": " << size << "x" << size << "x" << channels << ", " << filters << " filters "
                  << kernel << "x" << kernel << " stride " << stride << " pad " << pad);
    const LayerStats stats = simulate(arch, {layer}, static_cast<std::uint64_t>(trial + 1)).layers.at(0);
    CHECK(stats.verification == Verification::Passed);
    CHECK(stats[Counter::DramFilterReadBytes] > 0);
    CHECK(stats[Counter::DramIfmapReadBytes] > 0);
    // Every output leaves once, at int8.
    CHECK(stats[Counter::DramOfmapWriteBytes] == std::int64_t{filters} * layer.out_h() * layer.out_w());
    CHECK(stats[Counter::DramOfmapReadBytes] == 0);
  }
}

// A fully connected layer of 16 images × 256 inputs × 64 outputs, int16, on
// Eyeriss's PEs and scratchpads. Its 32 KiB of weights do not fit half the
// 16 KiB filter partition, so every image block (n images per PE) reads all
// of them from DRAM again: 2·256·64·⌈16 / n⌉ bytes. Its 8 KiB ifmap fits
// half the ifmap partition and is read once. Priced on chip alone, the
// mapper need not care about n; with DRAM at 200 times a MAC it must keep
// the image blocks few, and the run must show the energy it expected.
TEST_CASE("row stationary with DRAM: the mapper weighs what a mapping moves to and from DRAM", "[rs][dram]") {
  const Layer fc = make_gemm_layer("fc", 16, 64, 256);
  ArchConfig dram = with_dram(array_config(12, 14, "rs", Microarch::Baseline, DataType::Int16), "lpddr4-3200");
  dram.array.scratchpads = {224, 12, 24};
  dram.buffer = GlobalBufferConfig::separate(16 * 1024, 16 * 1024, 8 * 1024);
  dram.energy_table = "eyeriss-normalized";
  ArchConfig ideal = dram;
  ideal.memory_model = MemoryModel::Ideal;
  const RsConv conv = *rs_conv(fc);
  const RsMapping on_chip = choose_rs_mapping(conv, ideal, RsObjective::Energy).mapping;
  const RsChoice with_dram = choose_rs_mapping(conv, dram, RsObjective::Energy);
  REQUIRE(with_dram.problem.empty());
  const RsMapping& chosen = with_dram.mapping;
  INFO("on chip: " << on_chip.to_string() << "; with DRAM: " << chosen.to_string());
  CHECK(chosen.images_per_pe > on_chip.images_per_pe);

  const auto run = [&](const RsMapping& m) {
    Layer forced = fc;
    forced.rs_mapping = {m.set_rows, m.set_cols, m.filters_per_pe, m.channels_per_pe, m.images_per_pe, m.replicas};
    return simulate(dram, {forced}, 3).layers.at(0);
  };
  const LayerStats chosen_run = run(chosen), on_chip_run = run(on_chip);
  CHECK(chosen_run.verification == Verification::Passed);
  for (const auto& [m, stats] : {std::pair{chosen, chosen_run}, std::pair{on_chip, on_chip_run}}) {
    INFO(m.to_string());
    const std::int64_t image_blocks = (16 + m.images_per_pe - 1) / m.images_per_pe;
    CHECK(stats[Counter::DramFilterReadBytes] == 2 * 256 * 64 * image_blocks);
    CHECK(stats[Counter::DramIfmapReadBytes] == 2 * 16 * 256);
  }
  const EnergyModel energy(load_energy_table("eyeriss-normalized"), dram, RowStationary{});
  CHECK(energy.price(chosen_run.counters).dynamic() < energy.price(on_chip_run.counters).dynamic());
}

TEST_CASE("row stationary with DRAM: stall cycles equal the timeline stall spans, layer by layer", "[rs][dram][cli][timeline]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml",
             "layers:\n"
             "  - {name: c1, type: conv, input: [12, 12, 3], filters: 8, kernel: 3}\n"
             "  - {name: c2, type: conv, input: [10, 10, 8], filters: 6, kernel: 3, stride: 2}\n"
             "  - {name: fc, type: fc, inputs: 96, outputs: 10}\n");
  const std::string out = dir + "/out", timeline = dir + "/run.json";
  const CommandResult run = run_systole({"run", "--arch", "eyeriss", "--memory", "dram", "--workload", dir + "/net.yaml",
                                         "--batch", "2", "--verify", "--out", out, "--timeline", timeline,
                                         "--log-level", "warn"});
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  const auto csv = read_csv(out + "/layers.csv");
  REQUIRE(csv.size() == 4);
  std::map<std::string, std::size_t> column;
  for (std::size_t c = 0; c < csv[0].size(); ++c) column[csv[0][c]] = c;
  const nlohmann::json trace = nlohmann::json::parse(read_file(timeline));
  int dram_track = -1;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "M" && event["name"] == "thread_name" && event["args"]["name"] == "DRAM stalls")
      dram_track = event["tid"].get<int>();
  REQUIRE(dram_track >= 0);
  std::map<std::string, std::int64_t> spans;
  for (const nlohmann::json& event : trace["traceEvents"])
    if (event["ph"] == "X" && event["tid"] == dram_track)
      spans[event["args"]["layer"].get<std::string>()] += event["args"]["stall cycles"].get<std::int64_t>();
  std::int64_t stalled = 0;
  for (std::size_t r = 1; r < csv.size(); ++r) {
    const std::string layer = csv[r][column.at("layer")];
    INFO(layer);
    CHECK(csv[r][column.at("verification")] == "passed");
    const std::int64_t dram_stalls = std::stoll(csv[r][column.at("stall_dram_cycles")]);
    CHECK(spans[layer] == dram_stalls);
    CHECK(std::stoll(csv[r][column.at("dram_ifmap_read_bytes")]) > 0);
    CHECK(std::stoll(csv[r][column.at("dram_filter_read_bytes")]) > 0);
    CHECK(std::stoll(csv[r][column.at("dram_ofmap_write_bytes")]) > 0);
    stalled += dram_stalls;
  }
  CHECK(stalled > 0);  // the first pass of each layer waits for its tiles
  // The preset encodes ifmap and ofmap traffic: summary.json reports both counts.
  const nlohmann::json summary = nlohmann::json::parse(read_file(out + "/summary.json"));
  const double encoded = summary["memory"]["dram_accesses_per_mac"]["value"].get<double>();
  const double plain = summary["memory"]["dram_accesses_per_mac_uncompressed"]["value"].get<double>();
  const double macs = summary["totals"]["macs"]["value"].get<double>();
  const double uncompressed = summary["memory"]["dram_uncompressed_bytes"]["value"].get<double>();
  CHECK(plain == Approx(uncompressed / 2 / macs));
  CHECK(encoded > 0);
  CHECK(summary["energy"]["components"].contains("dram"));
}

TEST_CASE("dram.compression: refused with DRAM for the dataflows that do not model it, ignored with ideal memory",
          "[rs][dram][rlc][cli]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/small.yaml", "layers:\n  - {name: c, type: conv, input: [6, 6, 2], filters: 3, kernel: 3}\n");
  expect_bad_input(run_systole({"run", "--arch", "eyeriss", "--dataflow", "ws", "--memory", "dram", "--workload",
                                dir + "/small.yaml", "--out", dir + "/ws_dram"}),
                   "only the row-stationary dataflow models compressed DRAM traffic");
  expect_bad_input(run_systole({"run", "--arch", "eyeriss", "--data-type", "fp32", "--memory", "dram", "--workload",
                                dir + "/small.yaml", "--out", dir + "/fp32"}),
                   "levels of 16 bits");
  CHECK(run_systole({"run", "--arch", "eyeriss", "--dataflow", "ws", "--memory", "ideal", "--workload",
                     dir + "/small.yaml", "--out", dir + "/ws_ideal"})
            .exit_code == 0);
  const CommandResult plain = run_systole({"run", "--arch", "eyeriss", "--dataflow", "ws", "--memory", "dram",
                                           "--dram.compression", "none", "--workload", dir + "/small.yaml", "--out",
                                           dir + "/ws_plain"});
  CHECK(plain.exit_code == 0);
  const nlohmann::json summary = nlohmann::json::parse(read_file(dir + "/ws_plain/summary.json"));
  CHECK(summary["memory"].contains("dram_accesses_per_mac"));
  CHECK_FALSE(summary["memory"].contains("dram_uncompressed_bytes"));
}
