// Operand widths below a byte: int4, int2 and int1 draw values of their own
// range (int1: -1 and +1, checked by XNOR and popcount), their width prices
// the datapath, and they pack: in DRAM, in the buffer and in its port
// words. (Exact outputs at every width, in every dataflow:
// test_functional.cpp.)

#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "models/memory/global_buffer.hpp"
#include "sim/config/input_error.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/builtin_tables.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/workload/reference.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

using NarrowData = LayerData<std::int8_t, std::int32_t>;

std::set<int> distinct(const std::vector<std::int8_t>& values) { return {values.begin(), values.end()}; }

// One action priced at a count of 1: its energy and its entry's text.
EnergyLine priced(const EnergyModel& model, const std::string& component, const std::string& action) {
  Counters one;
  for (const CounterInfo& counter : counter_infos()) one[counter.counter] = 1;
  one[Counter::MacsGated] = 0;
  for (const EnergyLine& line : model.price(one).lines)
    if (line.component == component && line.action == action) return line;
  FAIL("no line " << component << "." << action);
  return {};
}

}  // namespace

TEST_CASE("int4, int2 and int1 operands are uniform over their values, and int8's are still the seed's bytes",
          "[precision]") {
  // 16 × 16 × 8 = 2048 input values: every value of a 16-value type appears
  // (a miss has probability below 16 · (15/16)^2048).
  const Layer layer = conv_layer(16, 16, 8, 4, 3, 3);
  OperandSource source;
  source.seed = 11;
  const NarrowData int4(layer, source, DataType::Int4);
  CHECK(distinct(int4.input()) == std::set<int>{-8, -7, -6, -5, -4, -3, -2, -1, 0, 1, 2, 3, 4, 5, 6, 7});
  CHECK(distinct(int4.filters()) == distinct(int4.input()));
  const NarrowData int2(layer, source, DataType::Int2);
  CHECK(distinct(int2.input()) == std::set<int>{-2, -1, 0, 1});
  const NarrowData int1(layer, source, DataType::Int1);
  CHECK(distinct(int1.input()) == std::set<int>{-1, 1});
  CHECK(distinct(int1.filters()) == std::set<int>{-1, 1});
  // Half of each sign, within 5 standard deviations (σ = √2048 / 2 ≈ 23).
  REQUIRE(int1.input().size() == 2048);
  const auto plus = std::count(int1.input().begin(), int1.input().end(), 1);
  CHECK(std::abs(plus - 1024) < 115);

  // int8 takes each 64-bit draw's bytes in order, low byte first, as it did
  // before narrower types existed: a seed's operands have not changed.
  const NarrowData int8(layer, source, DataType::Int8);
  std::mt19937_64 rng(source.seed);
  const std::uint64_t first = rng();
  for (int i = 0; i < 8; ++i)
    CHECK(int8.input()[static_cast<std::size_t>(i)] == static_cast<std::int8_t>((first >> (8 * i)) & 0xFF));
}

TEST_CASE("int1 has no zeros: --sparsity is refused in one line", "[precision][cli]") {
  const std::string dir = make_temp_dir();
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/lenet5.yaml", "--data-type",
                                       "int1", "--sparsity", "ifmap=0.5", "--out", dir + "/out"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("--sparsity") && Catch::Contains("int1") && Catch::Contains("never zero"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(!std::filesystem::exists(dir + "/out"));
  // The library refuses it too, whoever asks.
  OperandSource source;
  source.sparsity.weights = 0.3;
  CHECK_THROWS_AS(NarrowData(conv_layer(4, 4, 2, 2, 3, 3), source, DataType::Int1), InputError);
  CHECK_NOTHROW(NarrowData(conv_layer(4, 4, 2, 2, 3, 3), source, DataType::Int4));
}

TEST_CASE("the XNOR-popcount reference: dot products worked by hand, padding masked out, a wrong output caught",
          "[precision]") {
  // GEMM 1×2×5: one input row x and two filters, each value a bit (+1 is 1).
  //   x  = (+1, -1, +1, +1, -1)   bits 1 0 1 1 0
  //   w0 = (+1, +1, +1, -1, -1)   bits 1 1 1 0 0
  //   XNOR(x, w0)                      1 0 1 0 1   popcount 3
  //   x·w0 = 2·3 - 5 = 1           (products +1 -1 +1 -1 +1: 1)
  //   w1 = (-1, +1, -1, -1, +1) = -x   bits 0 1 0 0 1
  //   XNOR(x, w1)                      0 0 0 0 0   popcount 0
  //   x·w1 = 2·0 - 5 = -5
  const Layer gemm = make_gemm_layer("g", 1, 2, 5);
  const std::vector<std::int8_t> x = {1, -1, 1, 1, -1};
  const std::vector<std::int8_t> w = {1, 1, 1, -1, -1, -1, 1, -1, -1, 1};
  CHECK(compare_with_binary_reference(gemm, x, w, {1, -5}).mismatches == 0);
  const Comparison wrong = compare_with_binary_reference(gemm, x, w, {1, -3});
  CHECK(wrong.mismatches == 1);
  CHECK_THAT(wrong.first_mismatch, Catch::Contains("filter 1") && Catch::Contains("array -3") &&
                                       Catch::Contains("XNOR-popcount reference -5"));

  // A 3×3 filter of +1 over a 2×2 input (+1, -1 / -1, -1) with padding 1:
  // every window holds the 4 pixels and 5 padded positions, which the array
  // reads as 0. Counting only the 4 inside: popcount 1 (the +1 pixel), and
  // 2·1 - 4 = -2, the pixels' sum. Taking all 9 positions as -1 would give
  // 2·1 - 9 = -7.
  const Layer padded = conv_layer(2, 2, 1, 1, 3, 3, 1, 1);
  const std::vector<std::int8_t> pixels = {1, -1, -1, -1}, ones(9, 1);
  CHECK(compare_with_binary_reference(padded, pixels, ones, {-2, -2, -2, -2}).mismatches == 0);
  CHECK(compare_with_binary_reference(padded, pixels, ones, {-7, -7, -7, -7}).mismatches == 4);
}

TEST_CASE("int1 runs are verified against XNOR and popcount, in every dataflow", "[precision][cli]") {
  // --verify with int1 compares the array's outputs with the XNOR-popcount
  // reference (a layer with padding, stride and groups).
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml",
             "layers:\n"
             "  - {name: c, type: conv, input: [9, 9, 8], kernel: 3, filters: 12, stride: 2, padding: 1}\n"
             "  - {name: g, type: conv, input: [7, 7, 8], kernel: 3, filters: 8, groups: 2, padding: 1}\n");
  for (const char* dataflow : {"ws", "os", "is"}) {
    const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--array", "8x8", "--dataflow", dataflow,
                                         "--data-type", "int1", "--workload", dir + "/net.yaml", "--verify",
                                         "--out", dir + "/" + dataflow});
    INFO(dataflow << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv(dir + "/" + dataflow + "/layers.csv");
    const auto column = std::find(rows[0].begin(), rows[0].end(), "verification") - rows[0].begin();
    REQUIRE(rows.size() == 3);
    CHECK(rows[1][static_cast<std::size_t>(column)] == "passed");
    CHECK(rows[2][static_cast<std::size_t>(column)] == "passed");
  }
}

TEST_CASE("multiplies follow the product of operand widths down to an XNOR, registers their width, "
          "accumulators stay int32",
          "[precision][energy]") {
  // 45 nm: an 8-bit multiply is 0.2 pJ. By the product rule int8, int4 and
  // int2 cost 8·8, 4·4 and 2·2 over 8·8 of it: 0.2, 0.05 and 0.0125 pJ,
  // 4 : 1 : 0.25; int1's XNOR 1·1/64 of it, 0.003125 pJ.
  const EnergyTable& table = *find_builtin_table("45nm");
  const auto model = [&](DataType type) {
    return EnergyModel(table, array_config(4, 4, "ws", Microarch::Baseline, type), *find_dataflow("ws"));
  };
  const EnergyModel int8 = model(DataType::Int8), int4 = model(DataType::Int4), int2 = model(DataType::Int2),
                    int1 = model(DataType::Int1);
  const double m8 = priced(int8, "multiplier", "multiply").per_action;
  const double m4 = priced(int4, "multiplier", "multiply").per_action;
  const double m2 = priced(int2, "multiplier", "multiply").per_action;
  CHECK(m8 == Approx(0.2));
  CHECK(m4 == Approx(0.05));
  CHECK(m2 == Approx(0.0125));
  CHECK(m8 / m4 == Approx(4));
  CHECK(m2 / m4 == Approx(0.25));
  CHECK(priced(int1, "multiplier", "multiply").per_action == Approx(0.2 / 64));
  // energy.csv says which widths the rule was applied to.
  CHECK_THAT(priced(int4, "multiplier", "multiply").entry, Catch::Contains("(product, 4×4 bits)"));
  CHECK_THAT(priced(int2, "multiplier", "multiply").entry, Catch::Contains("(product, 2×2 bits)"));
  CHECK_THAT(priced(int1, "multiplier", "multiply").entry, Catch::Contains("(product, 1×1 bits, an XNOR)"));
  // An operand register holds 4 bits: half of int8's; partial sums are int32
  // at every narrow width.
  CHECK(priced(int4, "rf_operand", "read").per_action == Approx(priced(int8, "rf_operand", "read").per_action / 2));
  CHECK(priced(int1, "rf_operand", "read").per_action == Approx(priced(int8, "rf_operand", "read").per_action / 8));
  CHECK(priced(int1, "rf_psum", "write").per_action == Approx(priced(int8, "rf_psum", "write").per_action));
  CHECK(priced(int4, "adder", "add").per_action == Approx(priced(int8, "adder", "add").per_action));
}

TEST_CASE("sub-byte values pack: n values of b bits take ceil(n·b/8) bytes, a port word of W bytes holds 8W/b",
          "[precision][memory]") {
  CHECK(packed_bytes(10, 8) == 10);
  CHECK(packed_bytes(10, 4) == 5);
  CHECK(packed_bytes(9, 4) == 5);  // the last byte half used
  CHECK(packed_bytes(10, 2) == 3);
  CHECK(packed_bytes(10, 1) == 2);
  CHECK(packed_bytes(10, 32) == 40);
  BufferPartition words;
  words.word_bytes = 8;
  CHECK(words.values_per_word(16) == 4);
  CHECK(words.values_per_word(8) == 8);
  CHECK(words.values_per_word(4) == 16);
  CHECK(words.values_per_word(2) == 32);
  CHECK(words.values_per_word(1) == 64);
  CHECK(words.values_per_word(32) == 2);

  // One bank, one write port. One value a cycle (word_bytes 0): a tile of 20
  // int4 values, 10 bytes, takes 20 cycles (0-19), 4 bits a cycle. With
  // 4-byte words, 32 bits a cycle: 80 bits in 3 cycles (30-32).
  GlobalBuffer& buffer = accelerator().global_buffer;
  BufferPartition one_value;
  one_value.banks = {1, 1, 1};
  buffer.begin_step(one_value, /*operand_bits=*/4, /*accumulator_bits=*/32);
  CHECK(buffer.last_cycle(buffer.write_tile(Operand::Ifmap, 10, 20, 0)) == 19);
  BufferPartition four_bytes = one_value;
  four_bytes.word_bytes = 4;
  buffer.begin_step(four_bytes, 4, 32);
  CHECK(buffer.last_cycle(buffer.write_tile(Operand::Ifmap, 10, 20, 30)) == 32);
  // The 20 values took one access of 8 (ceil(20/8) = 3 accesses).
  CHECK(buffer.traffic().writes[0] == 20);
  CHECK(buffer.traffic().write_accesses[0] == 3);
}

TEST_CASE("int4 moves half of int8's DRAM bytes and half its buffer accesses, int2 a quarter and int1 an eighth",
          "[precision][memory]") {
  // GEMM M = 16, N = 16, K = 12 on an 8x8 WS array, DRAM, 64 KiB partitions
  // of one bank of one 8-byte port. Every matrix fits half its partition, so
  // each is fetched once; the outputs leave once per column block, at
  // operand width. By hand, in values:
  //   ifmap   M·K = 192, filters K·N = 192, outputs 2 blocks × M·8 = 2 × 128.
  //   int8: 192 + 192 bytes read, 256 written;
  //   int4: ceil(192·4/8) = 96 + 96 read, 2 × ceil(128·4/8) = 128 written:
  //         half; int2 48 + 48, 64; int1 24 + 24, 32.
  // The buffer writes DRAM's tiles in 8-byte words: 8 int8 or 16 int4
  // values an access, ceil(192/8) = 24 and ceil(192/16) = 12 per operand.
  const Layer gemm = make_gemm_layer("g", 16, 16, 12);
  const auto run = [&](DataType type) {
    ArchConfig arch = with_dram(array_config(8, 8, "ws", Microarch::Baseline, type), "ddr4-2400");
    arch.buffer.banks = 1;
    arch.buffer.word_bytes = 8;
    const RunResult result = simulate(arch, {gemm});
    REQUIRE(result.layers.at(0).verification == Verification::Passed);
    return result.layers.at(0);
  };
  struct Expected {
    DataType type;
    std::int64_t read, written, write_accesses;
  };
  for (const Expected& e : {Expected{DataType::Int8, 192, 256, 24}, Expected{DataType::Int4, 96, 128, 12},
                            Expected{DataType::Int2, 48, 64, 6}, Expected{DataType::Int1, 24, 32, 3}}) {
    INFO(to_string(e.type));
    const LayerStats l = run(e.type);
    CHECK(l[Counter::DramIfmapReadBytes] == e.read);
    CHECK(l[Counter::DramFilterReadBytes] == e.read);
    CHECK(l[Counter::DramOfmapWriteBytes] == e.written);
    CHECK(l[Counter::BufferIfmapWriteAccesses] == e.write_accesses);
    CHECK(l[Counter::BufferFilterWriteAccesses] == e.write_accesses);
    // The values are the same at every width: only their bytes change.
    CHECK(l[Counter::BufferIfmapWrites] == 192);
  }

  // Odd sizes round up per tile: M = 5, N = 5, K = 3 on 4x4, int4.
  // Reads ceil(15·4/8) = 8 bytes each; outputs in blocks of 4 and 1
  // columns, ceil(20·4/8) = 10 and ceil(5·4/8) = 3: 13 (int8: 15, 15, 25).
  ArchConfig small = with_dram(array_config(4, 4, "ws", Microarch::Baseline, DataType::Int4), "ddr4-2400");
  const LayerStats odd = simulate(small, {make_gemm_layer("odd", 5, 5, 3)}).layers.at(0);
  CHECK(odd.verification == Verification::Passed);
  CHECK(odd[Counter::DramIfmapReadBytes] == 8);
  CHECK(odd[Counter::DramFilterReadBytes] == 8);
  CHECK(odd[Counter::DramOfmapWriteBytes] == 13);
}

TEST_CASE("a NoC word is one value at every width: an 8-word bus carries 8 int4 values a cycle, as it does int8",
          "[precision][memory]") {
  // docs/memory.md says why: the buses, like the PEs' registers, are as
  // wide as the values they carry, so the same configuration moves the same
  // values per cycle at every width (and costs energy by their bits).
  const Layer layer = conv_layer(12, 12, 16, 16, 3, 3);
  std::int64_t noc_words[2], noc_busy[2];
  for (int i = 0; i < 2; ++i) {
    ArchConfig arch = with_dram(
        array_config(16, 16, "ws", Microarch::Baseline, i == 0 ? DataType::Int8 : DataType::Int4), "ddr4-2400");
    arch.noc.left_words = arch.noc.top_words = arch.noc.out_words = 8;
    const LayerStats l = simulate(arch, {layer}).layers.at(0);
    CHECK(l.verification == Verification::Passed);
    noc_words[i] = l[Counter::NocLeftWords];
    noc_busy[i] = l[Counter::NocLeftBusyCycles];
  }
  CHECK(noc_words[1] == noc_words[0]);
  CHECK(noc_busy[1] == noc_busy[0]);
  // 16 rows on an 8-word bus: two cycles per stream element, at both widths.
  CHECK(noc_busy[0] >= noc_words[0] / 8);
}
