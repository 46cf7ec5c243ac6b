// Action counts (sim/report/counters.hpp) of a small GEMM worked out by hand
// in every dataflow: MACs gated by a zero operand, idle PE-cycles, the PEs'
// register reads and writes, NoC deliveries, the buffer's values and
// accesses; and the vector unit's operations. The operands are given
// (OperandValues), so which MACs meet a zero is known.

#include <catch2/catch.hpp>

#include <utility>
#include <vector>

#include "sim/engine/simulator.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

// GEMM M=5, N=3, K=6. A (M×K) is the input: pixel m, channel k.
constexpr int kM = 5, kN = 3, kK = 6;
constexpr int kA[kM][kK] = {
    {0, 1, 0, 2, 3, 1},
    {1, 2, 0, 1, 1, 2},
    {2, 3, 0, 1, 0, 1},
    {1, 1, 0, 2, 1, 1},
    {3, 1, 0, 1, 2, 0},
};
// Filter n's K weights: B[k][n] = kFilters[n][k].
constexpr int kFilters[kN][kK] = {
    {1, 0, 1, 2, 1, 1},
    {0, 0, 1, 1, 2, 1},
    {2, 1, 1, 0, 1, 1},
};
// MACs with a zero operand: for each k, za inputs A[m][k] and zb weights
// B[k][n] are zero, so za·N + zb·M − za·zb of its M·N MACs are gated:
//   k  za zb
//   0  1  1   1·3 + 1·5 − 1 =  7
//   1  0  2           2·5 = 10
//   2  5  0           5·3 = 15
//   3  0  1           1·5 =  5
//   4  1  0           1·3 =  3
//   5  1  0           1·3 =  3
// 43 of the 90 MACs, whichever PE does each.
constexpr std::int64_t kMacs = kM * kN * kK;
constexpr std::int64_t kGated = 43;

double given_values(Operand operand, std::int64_t i) {
  return operand == Operand::Ifmap ? kA[i / kK][i % kK] : kFilters[i / kK][i % kK];
}

double zero_weights(Operand operand, std::int64_t i) {
  return operand == Operand::Ifmap ? given_values(operand, i) : 0;
}

const Layer& gemm() {
  static const Layer layer = make_gemm_layer("g", kM, kN, kK);
  return layer;
}

// The 4x4 baseline array, int8, ideal memory, with 8-byte buffer words:
// 8 operands or 2 int32 partial sums per access.
ArchConfig small_array(const std::string& dataflow) {
  ArchConfig arch = array_config(4, 4, dataflow);
  arch.buffer.word_bytes = 8;
  return arch;
}

}  // namespace

TEST_CASE("the hand count of gated MACs is the data's", "[counts]") {
  std::int64_t gated = 0;
  for (int m = 0; m < kM; ++m)
    for (int n = 0; n < kN; ++n)
      for (int k = 0; k < kK; ++k) gated += kA[m][k] == 0 || kFilters[n][k] == 0;
  CHECK(gated == kGated);
}

TEST_CASE("hand-worked action counts: weight stationary", "[counts]") {
  // Rows K = 6 (folds of 4 and 2 rows), columns N = 3, stream T = M = 5:
  // two folds in baseline slots of 2R + T + C − 2 = 15 cycles, 30 in all.
  // Idle: 16·30 − 90 = 390 PE-cycles.
  // Stationary registers: one read per MAC; 4·3 + 2·3 = 18 weights written.
  // Operands: one read per MAC; the 4·5 + 2·5 = 30 inputs each pass all 4
  // columns of their row: 120 writes. Partial sums: one read and one write
  // per MAC.
  // NoC: 30 left words, and 2 folds × 4 rows × 4 words (padded) on the top
  // bus: 62 deliveries.
  // Buffer: 30 inputs and 18 weights read; each fold writes its 5·3 partial
  // sums (30), the second adds to the first's (15 read).
  // Accesses: a fold of r rows feeds its inputs over T + r − 1 cycles, at
  // most 4 (< 8) a cycle: 8 + 6 = 14; weights go one row of 3 a cycle, used
  // rows only: 4 + 2 = 6; a fold's results leave 1, 2, 3, 3, 3, 2, 1 a cycle
  // (element m of column c at m + c), 1+1+2+2+2+1+1 = 10 int32 accesses:
  // 20 writes, 10 reads.
  const LayerStats layer = simulate(small_array("ws"), {gemm()}, given_values).layers.at(0);
  check_counts(layer, {{Counter::Cycles, 30},
                       {Counter::Macs, kMacs},
                       {Counter::MacsGated, kGated},
                       {Counter::IdlePeCycles, 390},
                       {Counter::RfStationaryReads, 90},
                       {Counter::RfStationaryWrites, 18},
                       {Counter::RfOperandReads, 90},
                       {Counter::RfOperandWrites, 120},
                       {Counter::RfPsumReads, 90},
                       {Counter::RfPsumWrites, 90},
                       {Counter::NocDeliveries, 62},
                       {Counter::VectorOperations, 0},
                       {Counter::BufferIfmapReads, 30},
                       {Counter::BufferFilterReads, 18},
                       {Counter::BufferOfmapReads, 15},
                       {Counter::BufferIfmapWrites, 0},
                       {Counter::BufferFilterWrites, 0},
                       {Counter::BufferOfmapWrites, 30},
                       {Counter::BufferIfmapReadAccesses, 14},
                       {Counter::BufferFilterReadAccesses, 6},
                       {Counter::BufferOfmapReadAccesses, 10},
                       {Counter::BufferIfmapWriteAccesses, 0},
                       {Counter::BufferFilterWriteAccesses, 0},
                       {Counter::BufferOfmapWriteAccesses, 20}});
}

TEST_CASE("hand-worked action counts: output stationary", "[counts]") {
  // Rows M = 5 (folds of 4 and 1 rows), columns N = 3, stream T = K = 6:
  // two folds in baseline slots of T + R + C − 2 = 12 cycles, 24 in all.
  // Idle: 16·24 − 90 = 294 PE-cycles.
  // No stationary registers. Operands: two reads per MAC (180); the
  // 4·6 + 1·6 = 30 inputs each pass all 4 columns (120 writes) and the
  // 2 × 3·6 = 36 weights all 4 rows (144): 264 writes. Accumulators: one
  // read and one write per MAC, and the 15 results drained: 105 reads.
  // NoC: 30 left and 36 top words, 66 deliveries.
  // Buffer: 30 inputs and 36 weights read, 15 results written.
  // Accesses: inputs enter a fold of r rows over T + r − 1 cycles, at most
  // 4 a cycle: 9 + 6 = 15; weights the 3 columns over T + 2 = 8 cycles per
  // fold: 16; results leave PE (r, c) at r + c: the 4x3 fold sends 1, 2, 3,
  // 3, 2, 1 a cycle, 1+1+2+2+1+1 = 8 int32 accesses, the 1x3 fold 1, 1, 1:
  // 11 writes.
  const LayerStats layer = simulate(small_array("os"), {gemm()}, given_values).layers.at(0);
  check_counts(layer, {{Counter::Cycles, 24},
                       {Counter::Macs, kMacs},
                       {Counter::MacsGated, kGated},
                       {Counter::IdlePeCycles, 294},
                       {Counter::RfStationaryReads, 0},
                       {Counter::RfStationaryWrites, 0},
                       {Counter::RfOperandReads, 180},
                       {Counter::RfOperandWrites, 264},
                       {Counter::RfPsumReads, 105},
                       {Counter::RfPsumWrites, 90},
                       {Counter::NocDeliveries, 66},
                       {Counter::VectorOperations, 0},
                       {Counter::BufferIfmapReads, 30},
                       {Counter::BufferFilterReads, 36},
                       {Counter::BufferOfmapReads, 0},
                       {Counter::BufferIfmapWrites, 0},
                       {Counter::BufferFilterWrites, 0},
                       {Counter::BufferOfmapWrites, 15},
                       {Counter::BufferIfmapReadAccesses, 15},
                       {Counter::BufferFilterReadAccesses, 16},
                       {Counter::BufferOfmapReadAccesses, 0},
                       {Counter::BufferIfmapWriteAccesses, 0},
                       {Counter::BufferFilterWriteAccesses, 0},
                       {Counter::BufferOfmapWriteAccesses, 11}});
}

TEST_CASE("hand-worked action counts: input stationary", "[counts]") {
  // Rows K = 6 (folds of 4 and 2 rows), columns M = 5 (4 and 1), stream
  // T = N = 3: four folds, column block outer, in baseline slots of
  // 2R + T + C − 2 = 13 cycles, 52 in all. Idle: 16·52 − 90 = 742.
  // Stationary registers: one read per MAC; the K·M = 30 inputs written
  // (4·4, 2·4, 4·1, 2·1). Operands: one read per MAC; the filters stream
  // from the left, 3·(4 + 2 + 4 + 2) = 36 weights, each passing all 4
  // columns: 144 writes. Partial sums: one read and one write per MAC.
  // NoC: 36 left words, 4 folds × 16 top words: 100 deliveries.
  // Buffer: 36 weights and 30 inputs read; each fold writes its 3 × columns
  // partial sums (12, 12, 3, 3: 30); the second fold of each column block
  // adds to the first's (12 + 3 read).
  // Accesses: weights enter a fold of r rows over T + r − 1 cycles: 6, 4,
  // 6, 4 = 20; inputs a row a cycle, used rows only: 4 + 2 + 4 + 2 = 12;
  // results leave a 4-column fold 1, 2, 3, 3, 2, 1 a cycle (8 accesses), a
  // 1-column fold 1, 1, 1 (3): 22 writes, 8 + 3 = 11 reads.
  const LayerStats layer = simulate(small_array("is"), {gemm()}, given_values).layers.at(0);
  check_counts(layer, {{Counter::Cycles, 52},
                       {Counter::Macs, kMacs},
                       {Counter::MacsGated, kGated},
                       {Counter::IdlePeCycles, 742},
                       {Counter::RfStationaryReads, 90},
                       {Counter::RfStationaryWrites, 30},
                       {Counter::RfOperandReads, 90},
                       {Counter::RfOperandWrites, 144},
                       {Counter::RfPsumReads, 90},
                       {Counter::RfPsumWrites, 90},
                       {Counter::NocDeliveries, 100},
                       {Counter::VectorOperations, 0},
                       {Counter::BufferIfmapReads, 30},
                       {Counter::BufferFilterReads, 36},
                       {Counter::BufferOfmapReads, 15},
                       {Counter::BufferIfmapWrites, 0},
                       {Counter::BufferFilterWrites, 0},
                       {Counter::BufferOfmapWrites, 30},
                       {Counter::BufferIfmapReadAccesses, 12},
                       {Counter::BufferFilterReadAccesses, 20},
                       {Counter::BufferOfmapReadAccesses, 11},
                       {Counter::BufferIfmapWriteAccesses, 0},
                       {Counter::BufferFilterWriteAccesses, 0},
                       {Counter::BufferOfmapWriteAccesses, 22}});
}

TEST_CASE("weights of zero gate every MAC", "[counts]") {
  for (const std::string dataflow : {"ws", "os", "is"}) {
    INFO(dataflow);
    const LayerStats layer = simulate(small_array(dataflow), {gemm()}, zero_weights).layers.at(0);
    CHECK(layer.verification == Verification::Passed);
    CHECK(layer[Counter::Macs] == kMacs);
    CHECK(layer[Counter::MacsGated] == kMacs);
  }
}

TEST_CASE("what the PEs, the NoC and the buffer do does not depend on microarchitecture, data type or memory",
          "[counts]") {
  // The hand-worked counts above, per dataflow, for every value of the rest:
  // gating, register accesses, deliveries and the array's buffer values
  // follow from the folds and the data, not from when things happen. With
  // DRAM the operands (30 inputs, 18 weights) fit on chip and are written
  // into the buffer once, and the 15 outputs are read out of it for their
  // write-back. Words of 0 bytes: an access per value.
  // One exception: pipelined with ideal memory, a layer ends in the cycle
  // its last result leaves, before the operands still drifting to the far
  // edge get there (the baseline's last slot, or the wait for the last
  // write-back, outlasts them). OS's last fold (1 row, 3 columns, T = 6,
  // starting at s) sends its last result at s + 5 + 2; its input k would
  // reach column c at s + k + c, after that for (5, 3); its weight k of
  // column c reaches row r at s + k + c + r, after that for 10 (k, c, r):
  // (5,2,1..3), (5,1,2..3), (5,0,3), (4,2,2..3), (4,1,3), (3,2,3). 11
  // operand writes fewer. IS's last fold (2 rows, 1 column, T = 3) sends its
  // last result at s + 2 + 3; weight 2 of row 1 would reach column 3 at
  // s + 2 + 1 + 3: 1 fewer. WS's (2 rows, 3 columns, T = 5) ends at
  // s + 4 + 3 + 2, when its last input has passed column 3 (s + 4 + 1 + 3).
  struct ByHand {
    const char* dataflow;
    std::int64_t stationary_reads, stationary_writes, operand_reads, operand_writes, psum_reads;
    std::int64_t operand_writes_cut_short;  // pipelined, ideal memory
    std::int64_t deliveries, ifmap_reads, filter_reads, ofmap_reads, ofmap_writes;
  };
  const ByHand cases[] = {{"ws", 90, 18, 90, 120, 90, 120, 62, 30, 18, 15, 30},
                          {"os", 0, 0, 180, 264, 105, 264 - 11, 66, 30, 36, 0, 15},
                          {"is", 90, 30, 90, 144, 90, 144 - 1, 100, 30, 36, 15, 30}};
  for (const ByHand& c : cases)
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (DataType type : {DataType::Int8, DataType::Int16, DataType::Fp32})
        for (bool dram : {false, true}) {
          INFO(c.dataflow << " " << to_string(microarch) << " " << to_string(type) << (dram ? " dram" : " ideal"));
          ArchConfig arch = array_config(4, 4, c.dataflow, microarch, type);
          if (dram) arch = with_dram(arch, "ddr4-2400");
          const LayerStats layer = simulate(arch, {gemm()}, given_values).layers.at(0);
          const std::int64_t tiles = dram ? 1 : 0;
          const bool cut_short = microarch == Microarch::Pipelined && !dram;
          check_counts(layer, {{Counter::Macs, kMacs},
                               {Counter::MacsGated, kGated},
                               {Counter::IdlePeCycles, 16 * layer[Counter::Cycles] - kMacs},
                               {Counter::RfStationaryReads, c.stationary_reads},
                               {Counter::RfStationaryWrites, c.stationary_writes},
                               {Counter::RfOperandReads, c.operand_reads},
                               {Counter::RfOperandWrites, cut_short ? c.operand_writes_cut_short : c.operand_writes},
                               {Counter::RfPsumReads, c.psum_reads},
                               {Counter::RfPsumWrites, kMacs},
                               {Counter::NocDeliveries, c.deliveries},
                               {Counter::BufferIfmapReads, c.ifmap_reads},
                               {Counter::BufferFilterReads, c.filter_reads},
                               {Counter::BufferOfmapReads, c.ofmap_reads + tiles * 15},
                               {Counter::BufferIfmapWrites, tiles * 30},
                               {Counter::BufferFilterWrites, tiles * 18},
                               {Counter::BufferOfmapWrites, c.ofmap_writes},
                               {Counter::BufferIfmapReadAccesses, c.ifmap_reads},
                               {Counter::BufferFilterReadAccesses, c.filter_reads},
                               {Counter::BufferOfmapReadAccesses, c.ofmap_reads + tiles * 15},
                               {Counter::BufferIfmapWriteAccesses, tiles * 30},
                               {Counter::BufferFilterWriteAccesses, tiles * 18},
                               {Counter::BufferOfmapWriteAccesses, c.ofmap_writes}});
        }
}

TEST_CASE("the vector unit's operations, and the array idling meanwhile", "[counts]") {
  // An element-wise addition of 100 elements at batch 2: 200 operations at
  // 64 lanes, ceil(200 / 64) = 4 cycles, in which the 16 PEs idle.
  Layer add;
  add.name = "add";
  add.kind = LayerKind::Eltwise;
  add.elements = 100;
  add.batch = 2;
  const LayerStats layer = simulate(array_config(4, 4, "ws"), {add}).layers.at(0);
  CHECK(layer[Counter::VectorOperations] == 200);
  CHECK(layer[Counter::VectorCycles] == 4);
  CHECK(layer[Counter::IdlePeCycles] == 64);
  CHECK(layer[Counter::Macs] == 0);
  CHECK(layer[Counter::MacsGated] == 0);
}

namespace {

// Counts, from the PE registers themselves, the valid moving operands the
// PEs hold after each cycle: each was registered in that cycle.
class OperandRegisters : public RunObserver {
 public:
  OperandRegisters(int rows, int cols) : rows_(rows), cols_(cols) {}
  void begin_step(int, std::int64_t) override {}
  void on_cycle(const CycleActivity&, const Execution& execution) override {
    for (int r = 0; r < rows_; ++r)
      for (int c = 0; c < cols_; ++c) {
        const PeSnapshot pe = execution.probe(r, c);
        valid += pe.left_valid + pe.top_valid;
      }
  }
  std::int64_t valid = 0;

 private:
  int rows_, cols_;
};

// Operand values with zeros among them: every seventh input and every fifth
// weight.
double some_zeros(Operand operand, std::int64_t i) {
  if (operand == Operand::Ifmap) return i % 7 == 3 ? 0 : 1 + i % 5;
  return i % 5 == 1 ? 0 : -1 - i % 3;
}

// The MACs of a convolution that meet a zero, counted over its windows
// directly: an input of zero or in the padding, or a weight of zero.
std::int64_t zero_meeting_macs(const Layer& layer) {
  const ConvShape& s = layer.shape;
  const std::int64_t cg = s.in_channels / s.groups, ng = s.filters / s.groups;
  std::int64_t gated = 0;
  for (std::int64_t b = 0; b < layer.batch; ++b)
    for (std::int64_t p = 0; p < layer.out_h(); ++p)
      for (std::int64_t q = 0; q < layer.out_w(); ++q)
        for (std::int64_t f = 0; f < s.filters; ++f)
          for (std::int64_t fr = 0; fr < s.filter_h; ++fr)
            for (std::int64_t fc = 0; fc < s.filter_w; ++fc)
              for (std::int64_t ch = 0; ch < cg; ++ch) {
                const std::int64_t y = p * s.stride_h - s.pad_top + fr * s.dilation_h;
                const std::int64_t x = q * s.stride_w - s.pad_left + fc * s.dilation_w;
                const bool padding = y < 0 || y >= s.in_h || x < 0 || x >= s.in_w;
                const std::int64_t input = ((b * s.in_h + y) * s.in_w + x) * s.in_channels + f / ng * cg + ch;
                const std::int64_t weight = (f * s.filter_h * s.filter_w + fr * s.filter_w + fc) * cg + ch;
                gated += padding || some_zeros(Operand::Ifmap, input) == 0 || some_zeros(Operand::Filter, weight) == 0;
              }
  return gated;
}

}  // namespace

TEST_CASE("operand register writes are the valid operands the PEs' registers take", "[counts]") {
  // With narrow buses (DRAM model) streams are spaced out and stationary
  // rows load slower; every operand still moves one PE a cycle.
  const std::vector<Layer> layers = {make_gemm_layer("g", 5, 6, 7), conv_layer(6, 6, 3, 5, 3, 3, 2, 1)};
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (bool narrow : {false, true}) {
        INFO(dataflow << " " << to_string(microarch) << (narrow ? " narrow NoC" : " ideal"));
        ArchConfig arch = array_config(4, 5, dataflow, microarch);
        if (narrow) {
          arch = with_dram(arch, "hbm2");
          arch.noc = {2, 1, 2, 0};
        }
        RunOptions options;
        options.engine = PeEngine::Cycle;  // the observer reads PE registers
        options.verify = true;
        Simulator simulator(accelerator(), arch, options);
        OperandRegisters registers(4, 5);
        simulator.add_observer(registers);
        Workload workload;
        workload.layers = layers;
        const RunResult result = simulator.run(workload);
        std::int64_t counted = 0;
        for (const LayerStats& layer : result.layers) {
          CHECK(layer.verification == Verification::Passed);
          counted += layer[Counter::RfOperandWrites];
        }
        CHECK(registers.valid > 0);
        CHECK(counted == registers.valid);
      }
}

TEST_CASE("gated MACs are those whose window position meets a zero, padding included", "[counts]") {
  // A grouped, strided, padded convolution: 7x6x4 input, six 3x3 filters in
  // two groups, stride 2, padding 1, batch 2.
  Layer conv = conv_layer(7, 6, 4, 6, 3, 3, /*stride=*/2, /*pad=*/1, /*groups=*/2);
  conv.batch = 2;
  const std::int64_t expected = zero_meeting_macs(conv);
  CHECK(expected > 0);
  CHECK(expected < conv.macs());
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined})
      for (DataType type : {DataType::Int8, DataType::Int16, DataType::Fp32}) {
        INFO(dataflow << " " << to_string(microarch) << " " << to_string(type));
        const LayerStats layer =
            simulate(array_config(4, 4, dataflow, microarch, type), {conv}, some_zeros).layers.at(0);
        CHECK(layer.verification == Verification::Passed);
        CHECK(layer[Counter::Macs] == conv.macs());
        CHECK(layer[Counter::MacsGated] == expected);
      }
}
