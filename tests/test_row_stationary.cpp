// The row-stationary dataflow (sim/dataflow/row_stationary.hpp,
// models/row_stationary/): hand-worked cycles and action counts of small
// layers, derived on paper from the rules in models/row_stationary/rs_array.hpp;
// outputs against the reference on random layers; zero gating; the mapper's
// legality; the one-line error of a layer nothing fits.

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sim/dataflow/row_stationary.hpp"
#include "sim/engine/simulator.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

ArchConfig rs_array(int rows, int cols) {
  ArchConfig arch = array_config(rows, cols, "rs");
  arch.noc = {};  // every network unlimited unless a test narrows one
  return arch;
}

// No operand is zero: input value i is 1 + i mod 5, weight i is 1 + i mod 3.
double dense_values(Operand operand, std::int64_t i) { return operand == Operand::Ifmap ? 1 + i % 5 : 1 + i % 3; }

Layer forced(Layer layer, std::vector<std::int64_t> mapping) {
  layer.rs_mapping = std::move(mapping);
  return layer;
}

}  // namespace

TEST_CASE("row stationary: a 3x3 filter over a 5x5 input on one 3x3 PE set", "[rs]") {
  // E = F = 3. PE (i, j) convolves filter row i with input row i + j over
  // the input columns 0..4 (f + s, f < 3, s < 3): 5 columns, all held at
  // once (12 entries).
  // Cycle 0: the pass starts; no PE has weights: no work, a NoC stall. The
  // unlimited networks deliver the 9 weights (3 per set row, each to the 3
  // PEs of its row: 27 filter scratchpad writes) and the 5 input rows
  // (y = 0..4, read by 1, 2, 3, 2, 1 PEs) of 5 columns each: 25 words, 45
  // ifmap scratchpad writes.
  // Per output column a PE does q·S·p·n = 3 MACs, then sends its one
  // partial sum. Row 0 computes in cycles 1-3 and sends at 4; row 1 waits
  // for it (written in 4, usable from 5) and sends at 5; row 2 at 6. Row 0
  // then repeats every 4 cycles (sends at 8, 12), row 1 one cycle behind
  // (9, 13), row 2 two (10, 14): the last result leaves in cycle 14, so 15
  // cycles = 1 + F·(qSpn + pn) + (h − 1) = 1 + 3·4 + 2.
  // MACs 9 PEs × 3 columns × 3 = 81; each reads the ifmap, the filter and
  // the psum scratchpad and writes the psum one; each send reads the psum
  // scratchpad: 9 × 3 = 27 more psum reads (108). 6 PEs send down each
  // column: 18 link hops; row 2's 9 results leave over the GON into the
  // buffer. Deliveries: 27 + 45 = 72. Idle: 9·15 − 81 = 54.
  const Layer layer = forced(conv_layer(5, 5, 1, 1, 3, 3), {3, 3, 1, 1, 1, 1});
  const LayerStats stats = simulate(rs_array(3, 3), {layer}, dense_values).layers.at(0);
  check_counts(stats, {{Counter::Cycles, 15},
                       {Counter::Macs, 81},
                       {Counter::MacsGated, 0},
                       {Counter::IdlePeCycles, 54},
                       {Counter::Folds, 1},
                       {Counter::StallNocCycles, 1},
                       {Counter::RfOperandReads, 81},
                       {Counter::RfStationaryReads, 81},
                       {Counter::RfPsumReads, 108},
                       {Counter::RfPsumWrites, 81},
                       {Counter::RfStationaryWrites, 27},
                       {Counter::RfOperandWrites, 45},
                       {Counter::NocTopWords, 9},
                       {Counter::NocLeftWords, 25},
                       {Counter::NocOutWords, 9},
                       {Counter::NocDeliveries, 72},
                       {Counter::LinkHopsVertical, 18},
                       {Counter::BufferFilterReads, 9},
                       {Counter::BufferIfmapReads, 25},
                       {Counter::BufferOfmapWrites, 9},
                       {Counter::BufferOfmapReads, 0}});
}

TEST_CASE("row stationary: a filter GIN of one word a cycle delays each set row", "[rs]") {
  // As above with the filter GIN at 1 word a cycle: row 0's weights go in
  // cycles 0-2 (usable from 3), row 1's in 3-5 (from 6), row 2's in 6-8
  // (from 9). Row 0 computes 3-5 and sends at 6; row 1 computes 6-8 and
  // sends at 9; row 2 computes 9-11 and sends at 12. Then, column 1: row 0
  // 7-9, send 10; row 1 10-12, send 13; row 2 13-15, send 16. Column 2:
  // row 0 11-13, send 14; row 1 14-16, send 17; row 2 17-19, send 20.
  // 21 cycles; cycles 0-2 have no PE working: 3 NoC stall cycles.
  ArchConfig arch = rs_array(3, 3);
  arch.noc.top_words = 1;
  const Layer layer = forced(conv_layer(5, 5, 1, 1, 3, 3), {3, 3, 1, 1, 1, 1});
  const LayerStats stats = simulate(arch, {layer}, dense_values).layers.at(0);
  check_counts(stats, {{Counter::Cycles, 21}, {Counter::Macs, 81}, {Counter::StallNocCycles, 3}});
}

TEST_CASE("row stationary: an ifmap GIN of one word a cycle starves the PE, a NoC stall each cycle", "[rs]") {
  // One PE convolves a 1x3 filter with a 1x5 input row into an output row
  // of 3 columns. Its 3 weights come in cycle 0 (usable from 1); the ifmap GIN brings input column x in cycle x (usable from x + 1).
  // Output column f needs columns f..f + 2: column 0 waits for column 2
  // (usable from 3), so cycle 0 waits on the filter GIN and cycles 1 and 2
  // on the ifmap GIN: 3 NoC stall cycles. MACs 3-5, send 6; column 1 (needs
  // column 3, usable from 4): MACs 7-9, send 10; column 2: MACs 11-13, send
  // 14. 15 cycles, 9 MACs.
  ArchConfig arch = rs_array(1, 1);
  arch.noc.left_words = 1;
  const Layer layer = forced(conv_layer(1, 5, 1, 1, 1, 3), {1, 1, 1, 1, 1, 1});
  const LayerStats stats = simulate(arch, {layer}, dense_values).layers.at(0);
  check_counts(stats, {{Counter::Cycles, 15}, {Counter::Macs, 9}, {Counter::StallNocCycles, 3}});
}

TEST_CASE("row stationary: filter rows folded over two passes on a 2x3 array", "[rs]") {
  // R = 3 on 2 rows: sets of h = 2, filter rows {0, 1} then {2}.
  // Pass 0 (cycles 0-13): 6 weights (18 writes), input rows 0..3 (read by
  // 1, 2, 2, 1 PEs) × 5 columns: 20 words, 30 writes. Row 0 computes 1-3,
  // sends 4; row 1 (the bottom) sends at 5, 9, 13 over the GON; the pass
  // ends after cycle 13.
  // Pass 1 (cycles 14-26) adds filter row 2: 3 weights (9 writes), input
  // rows 2, 3, 4, one PE each: 15 words, 15 writes. Cycle 14 loads (a
  // stall), and the psum GIN brings each PE the partial sum of its first
  // column; the PEs compute 15-17 and send (adding it) at 18, 22, 26, the
  // psum GIN refilling each link register the cycle it empties.
  // 27 cycles; 2 NoC stall cycles. Buffer: 9 partial sums read, 18 written
  // (9 per pass); the Out network carries both (27). Link hops: 3 × 3 in
  // pass 0. Deliveries: 27 weights + 45 inputs + 9 partial sums = 81.
  // Psum reads: 81 MACs + 18 + 9 sends = 108.
  const Layer layer = forced(conv_layer(5, 5, 1, 1, 3, 3), {2, 3, 1, 1, 1, 1});
  const LayerStats stats = simulate(rs_array(2, 3), {layer}, dense_values).layers.at(0);
  check_counts(stats, {{Counter::Cycles, 27},
                       {Counter::Macs, 81},
                       {Counter::Folds, 2},
                       {Counter::StallNocCycles, 2},
                       {Counter::NocTopWords, 9},
                       {Counter::NocLeftWords, 35},
                       {Counter::NocOutWords, 27},
                       {Counter::BufferOfmapReads, 9},
                       {Counter::BufferOfmapWrites, 18},
                       {Counter::LinkHopsVertical, 9},
                       {Counter::NocDeliveries, 81},
                       {Counter::RfPsumReads, 108}});
}

TEST_CASE("row stationary: two filters on two replicated sets share the input rows", "[rs]") {
  // M = 2 on a 3x6 array: two 3x3 sets side by side, one filter each, in
  // one pass. Timing as on one set: 15 cycles. Weights: 18 words, 54
  // writes; input rows are multicast to both sets: still 25 words, 90
  // writes; 18 results. MACs 162.
  const Layer layer = forced(conv_layer(5, 5, 1, 2, 3, 3), {3, 3, 1, 1, 1, 2});
  const LayerStats stats = simulate(rs_array(3, 6), {layer}, dense_values).layers.at(0);
  check_counts(stats, {{Counter::Cycles, 15},
                       {Counter::Macs, 162},
                       {Counter::Folds, 1},
                       {Counter::NocTopWords, 18},
                       {Counter::RfStationaryWrites, 54},
                       {Counter::NocLeftWords, 25},
                       {Counter::RfOperandWrites, 90},
                       {Counter::NocOutWords, 18},
                       {Counter::LinkHopsVertical, 36}});
}

TEST_CASE("row stationary: an all-zero input gates every MAC", "[rs]") {
  const auto zero_input = [](Operand operand, std::int64_t i) { return operand == Operand::Ifmap ? 0.0 : 1.0 + i % 3; };
  const Layer layer = conv_layer(7, 7, 3, 4, 3, 3, 1, 1);
  const LayerStats stats = simulate(rs_array(4, 5), {layer}, zero_input).layers.at(0);
  CHECK(stats.verification == Verification::Passed);
  CHECK(stats[Counter::Macs] == layer.macs());
  CHECK(stats[Counter::MacsGated] == layer.macs());
  // A zero input reads no weight and leaves the partial sum alone.
  CHECK(stats[Counter::RfStationaryReads] == 0);
  CHECK(stats[Counter::RfPsumWrites] == 0);
}

TEST_CASE("row stationary: outputs equal the reference on random layers and arrays", "[rs]") {
  std::mt19937 random(12);
  const auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random); };
  for (int trial = 0; trial < 24; ++trial) {
    const int groups = pick(1, 3);
    const int kernel = pick(1, 4), stride = pick(1, 2), pad = pick(0, kernel / 2);
    const int width = pick(1, 4);
    Layer layer = conv_layer(pick(kernel, 11), pick(width, 11), groups * pick(1, 4), groups * pick(1, 5), kernel,
                             width, stride, pad, groups);
    if (trial % 4 == 1) layer.kind = LayerKind::Depthwise, layer.shape.groups = layer.shape.in_channels,
                        layer.shape.filters = layer.shape.in_channels;
    if (trial % 4 == 2) layer = make_gemm_layer("fc", pick(1, 9), pick(1, 20), pick(1, 40));
    layer.batch = pick(1, 3);
    ArchConfig arch = rs_array(pick(1, 8), pick(1, 9));
    arch.array.data_type = trial % 3 == 0 ? DataType::Int16 : trial % 3 == 1 ? DataType::Int8 : DataType::Fp32;
    arch.array.scratchpads = {pick(16, 64), pick(8, 24), pick(4, 16)};
    arch.noc = {pick(0, 3), pick(0, 3), pick(0, 2), 0};
    INFO("trial " << trial << " on " << arch.array.rows << "x" << arch.array.cols);
    const std::optional<RsConv> conv = rs_conv(layer);
    REQUIRE(conv);
    if (legal_rs_mappings(*conv, arch).empty()) continue;
    const LayerStats stats = simulate(arch, {layer}, trial).layers.at(0);
    CHECK(stats.verification == Verification::Passed);
    CHECK(stats[Counter::Macs] == layer.macs());
  }
}

TEST_CASE("row stationary: every mapping the mapper lists fits the scratchpads, and runs", "[rs]") {
  // The model checks at run time that no scratchpad overflows (a
  // std::logic_error); every legal mapping of a small layer must run.
  ArchConfig arch = rs_array(4, 6);
  arch.array.scratchpads = {24, 8, 6};
  const Layer layer = conv_layer(6, 6, 4, 6, 3, 3, 1, 1);
  const std::optional<RsConv> conv = rs_conv(layer);
  const std::vector<RsMapping> legal = legal_rs_mappings(*conv, arch);
  REQUIRE(legal.size() > 10);
  for (const RsMapping& m : legal) {
    INFO(m.to_string());
    CHECK(m.filters_per_pe * m.channels_per_pe * 3 <= 24);
    CHECK(m.filters_per_pe * m.images_per_pe <= 6);
    const LayerStats stats = simulate(arch, {forced(layer, {m.set_rows, m.set_cols, m.filters_per_pe,
                                                             m.channels_per_pe, m.images_per_pe, m.replicas})},
                                      1).layers.at(0);
    CHECK(stats.verification == Verification::Passed);
  }
}

TEST_CASE("row stationary: a filter row longer than the filter scratchpad is a one-line error", "[rs]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/wide.yaml", "layers:\n  - {name: wide, type: conv, input: [8, 40, 1], filters: 1, kernel: [1, 30]}\n");
  const CommandResult result =
      run_systole({"run", "--arch", "systole-32x32", "--dataflow", "rs", "--pe.filter_spad_entries", "16",
                   "--workload", dir + "/wide.yaml", "--out", dir + "/out"});
  CHECK(result.exit_code == 2);
  CHECK(result.err.find("pe.filter_spad_entries = 16") != std::string::npos);
  CHECK(result.err.find('\n') == result.err.size() - 1);
}

TEST_CASE("row stationary: the mapper keeps a pass within the global buffer", "[rs]") {
  // A 3x3 conv over 20x20x8 (18x18 out), 16 filters, int8, on 4x6 PEs; a
  // pass holds its weights, the input rows its sets read (whole rows) and
  // its partial sums (int32).
  // A 3x6 set with p = 8, q = 2, n = 1 (one replica fits): 3·8·2·3 = 144
  // weights, input rows 0..7 × 20 columns × 2 channels = 320 inputs, 8·6·18
  // = 864 partial sums: 144 + 320 + 4·864 = 3920 bytes, legal with the
  // default 192 KB buffer, not with 1 KB.
  // A 3x1 set with p = q = n = 1 and 6 replicas: 6·3·3 = 54 weights, 3
  // input rows × 20 = 60 inputs (all replicas read the same rows), 6·18 =
  // 108 partial sums: 54 + 60 + 432 = 546 bytes, within 1 KB.
  ArchConfig roomy = rs_array(4, 6);
  ArchConfig tight = roomy;
  tight.buffer.organization = BufferOrganization::Shared;
  tight.buffer.shared_bytes = 1024;
  const Layer layer = conv_layer(20, 20, 8, 16, 3, 3);
  const std::vector<RsMapping> all = legal_rs_mappings(*rs_conv(layer), roomy);
  const std::vector<RsMapping> fitting = legal_rs_mappings(*rs_conv(layer), tight);
  REQUIRE(!fitting.empty());
  CHECK(fitting.size() < all.size());
  const auto has = [](const std::vector<RsMapping>& list, RsMapping m) {
    return std::any_of(list.begin(), list.end(), [&](const RsMapping& l) { return l.to_string() == m.to_string(); });
  };
  const RsMapping big{3, 6, 8, 2, 1, 1}, small{3, 1, 1, 1, 1, 6};
  CHECK(has(all, big));
  CHECK(!has(fitting, big));
  CHECK(has(fitting, small));
}

TEST_CASE("row stationary: where no set fits the buffer as often as the array holds it, the mapper replicates less",
          "[rs]") {
  // The layer and array of the test above with a 400-byte buffer. A 3x1 set
  // (p = q = n = 1) k times holds 9k weights, the 60 inputs its rows share
  // and 18k int32 partial sums: 60 + 81k bytes, so 4 replicas (384 bytes),
  // not 5 (465) nor the 6 the array holds (546); a 3x2 set k times, 9k
  // weights, 4 input rows of 20 and 36k partial sums: 80 + 153k bytes, so 2
  // replicas (386 bytes), not the 3 the array holds. Every set overflows the
  // buffer at as many replicas as the array holds (a 3xe set at 6/e
  // replicas holds at least 6·18·4 = 432 bytes of partial sums).
  ArchConfig tight = rs_array(4, 6);
  tight.buffer.organization = BufferOrganization::Shared;
  tight.buffer.shared_bytes = 400;
  const Layer layer = conv_layer(20, 20, 8, 16, 3, 3);
  const RsConv conv = *rs_conv(layer);
  CHECK(legal_rs_mappings(conv, tight).empty());
  const std::vector<RsMapping> fewer = legal_rs_mappings(conv, tight, true);
  const auto has = [&](RsMapping m) {
    return std::any_of(fewer.begin(), fewer.end(), [&](const RsMapping& l) { return l.to_string() == m.to_string(); });
  };
  CHECK(has({3, 1, 1, 1, 1, 4}));
  CHECK(!has({3, 1, 1, 1, 1, 5}));
  CHECK(has({3, 2, 1, 1, 1, 2}));
  CHECK(choose_rs_mapping(conv, tight, RsObjective::Delay).problem.empty());
  const LayerStats stats = simulate(tight, {layer}, 1).layers.at(0);
  CHECK(stats.verification == Verification::Passed);
  CHECK(stats[Counter::Macs] == layer.macs());
}

TEST_CASE("row stationary: NoC widths and the buffer size matter with ideal memory, so they draw no warning", "[rs]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/small.yaml", "layers:\n  - {name: c, type: conv, input: [6, 6, 2], filters: 3, kernel: 3}\n");
  const CommandResult rs = run_systole({"run", "--arch", "eyeriss", "--noc.left_words", "2", "--buffer.size_kb", "54",
                                        "--workload", dir + "/small.yaml", "--out", dir + "/rs"});
  CHECK(rs.exit_code == 0);
  CHECK(rs.err.find("no effect") == std::string::npos);
  const CommandResult ws = run_systole({"run", "--arch", "systole-32x32", "--noc.left_words", "2", "--workload",
                                        dir + "/small.yaml", "--out", dir + "/ws"});
  CHECK(ws.exit_code == 0);
  CHECK(ws.err.find("--noc.left_words has no effect") != std::string::npos);
}
