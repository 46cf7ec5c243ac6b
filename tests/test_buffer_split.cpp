// The shared global buffer (buffer.organization = shared): one set of equal
// banks that every step splits between the ifmap, filter and ofmap
// partitions (sim/dataflow/gemm_step_plan.hpp).

#include <catch2/catch.hpp>

#include <array>

#include <nlohmann/json.hpp>

#include "models/accelerator.hpp"
#include "models/memory/global_buffer.hpp"
#include "sim/config/input_error.hpp"
#include "sim/engine/simulator.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

ArchConfig shared_buffer(ArchConfig arch, int banks, std::int64_t bank_bytes) {
  arch.buffer.organization = BufferOrganization::Shared;
  arch.buffer.banks = banks;
  arch.buffer.shared_bytes = banks * bank_bytes;
  return arch;
}

}  // namespace

TEST_CASE("a shared buffer of three banks runs exactly as three one-bank buffers", "[memory][buffer]") {
  // Three banks leave one split, one bank per partition: the same buffer as
  // separate partitions of one bank each, so every figure must agree.
  const std::vector<Layer> layers = {conv_layer(10, 10, 8, 12, 3, 3), make_gemm_layer("g", 40, 24, 72)};
  for (const std::string dataflow : {"ws", "os", "is"})
    for (Microarch microarch : {Microarch::Baseline, Microarch::Pipelined}) {
      INFO(dataflow << " " << to_string(microarch));
      ArchConfig separate = with_dram(array_config(8, 8, dataflow, microarch), "ddr4-2400");
      separate.buffer = GlobalBufferConfig::separate(2048, 2048, 2048);
      separate.buffer.banks = 1;
      separate.buffer.word_bytes = 8;
      ArchConfig shared = shared_buffer(separate, 3, 2048);
      const RunResult a = simulate(separate, layers), b = simulate(shared, layers);
      REQUIRE(a.layers.size() == b.layers.size());
      for (std::size_t i = 0; i < a.layers.size(); ++i) {
        const LayerStats &x = a.layers[i], &y = b.layers[i];
        CHECK(y.verification == Verification::Passed);
        CHECK(x[Counter::Cycles] == y[Counter::Cycles]);
        CHECK(x[Counter::StallDramCycles] == y[Counter::StallDramCycles]);
        CHECK(x[Counter::StallBufferCycles] == y[Counter::StallBufferCycles]);
        CHECK(x[Counter::Folds] == y[Counter::Folds]);
        CHECK(x[Counter::DramOfmapWriteBytes] == y[Counter::DramOfmapWriteBytes]);
        for (int o = 0; o < kOperands; ++o) {
          CHECK(x[per_operand(Counter::DramIfmapReadBytes, static_cast<Operand>(o))] == y[per_operand(Counter::DramIfmapReadBytes, static_cast<Operand>(o))]);
          CHECK(x[per_operand(Counter::BufferIfmapCapacityBytes, static_cast<Operand>(o))] == 2048);
          CHECK(y[per_operand(Counter::BufferIfmapCapacityBytes, static_cast<Operand>(o))] == 2048);
        }
      }
    }
}

TEST_CASE("a shared buffer gives its banks where the ports and DRAM traffic need them", "[memory][buffer]") {
  // GEMM M=64, N=16, K=16 on a 4x4 int8 WS array: T = 64, Sr = Sc = 16, 16
  // folds. Banks of 512 B with one 4-byte read and write port each; i, f, o
  // banks for ifmap, filter, ofmap.
  //  - Left edge: 4 int8 values a cycle need one bank (4 per port).
  //  - Stationary rows of C = 4 values: one filter bank loads a row a cycle,
  //    and the filter matrix (256 B) stays on chip in one bank.
  //  - Bottom edge: 4 int32 partial sums a cycle, one per ofmap bank, so the
  //    stream is spaced ceil(4/o): the edge needs 16·(64 + 4) = 1088 cycles
  //    with o >= 4, 16·(128 + 4) = 2112 with 2 or 3.
  //  - The ifmap matrix (64·16 = 1024 B) stays on chip when it fits half
  //    its partition, i >= 4. Otherwise each fold reads its own 64×4 slice:
  //    4096 B instead of 1024.
  //  - DRAM time is small: at most ~5.4 KB at HBM2's 32 B a cycle, < 170.
  //  - Bytes each partition moves: ifmap 16·256 array reads plus its fills
  //    (1024 or 4096), ofmap 16·64·4·4 partial sums plus 1024 B of outputs.
  auto split_for = [](int banks) {
    ArchConfig arch = with_dram(array_config(4, 4, "ws"), "hbm2");
    arch.buffer.word_bytes = 4;
    const RunResult result = simulate(shared_buffer(arch, banks, 512), {make_gemm_layer("g", 64, 16, 16)});
    const LayerStats& l = result.layers.at(0);
    CHECK(l.verification == Verification::Passed);
    CHECK(l[Counter::StallBufferCycles] == 0);  // the chosen split never narrows a path
    std::array<std::int64_t, kOperands> split;
    for (int o = 0; o < kOperands; ++o) split[o] = l[per_operand(Counter::BufferIfmapCapacityBytes, static_cast<Operand>(o))] / 512;
    return std::make_pair(split, l[Counter::DramIfmapReadBytes]);
  };
  SECTION("the fastest edge first") {
    // Seven banks: (4,1,2) keeps the ifmap on chip but halves the bottom
    // edge (bound 2112 cycles); (2,1,4) and (1,1,5) read 3 KB more, in
    // ~170 cycles, and bound at 1088. Of those two, (2,1,4)'s busiest
    // partition moves fewer bytes a bank: ofmap 17408/4 = 4352, against
    // (1,1,5)'s ifmap (4096 + 4096)/1.
    const auto [split, ifmap_bytes] = split_for(7);
    CHECK(split == std::array<std::int64_t, kOperands>{2, 1, 4});
    CHECK(ifmap_bytes == 4096);
  }
  SECTION("then the fewest DRAM bytes") {
    // Nine banks: (4,1,4) is the only split with both i >= 4 and o >= 4.
    // (3,1,5) is as fast and its busiest bank moves fewer bytes
    // (17408/5 = 3482 against 4352), but it reads the ifmap four times.
    const auto [split, ifmap_bytes] = split_for(9);
    CHECK(split == std::array<std::int64_t, kOperands>{4, 1, 4});
    CHECK(ifmap_bytes == 1024);
  }
}

TEST_CASE("a shared buffer without a split that fits is refused with one line", "[memory][buffer]") {
  // GEMM M = N = 8, K = 64 on an 8x8 int8 OS array, four banks. The whole
  // reduction in one fold needs 2·8·64 B of ifmap (four banks of 256 B or
  // more); cut into chunks, every fold adds to 8·8 int32 partial sums, two
  // of which (256 B each) the ofmap partition must hold: two banks of
  // 256 B, not of 128 B.
  ArchConfig arch = shared_buffer(with_dram(array_config(8, 8, "os"), "ddr4-2400"), 4, 128);
  Workload workload;
  workload.layers = {make_gemm_layer("g", 8, 8, 64)};
  const std::string problem = memory_problem(arch, workload);
  CHECK(problem.find("layer 'g': no split of the shared buffer (4 banks of 128 B)") == 0);
  CHECK(problem.find('\n') == std::string::npos);
  arch.buffer.shared_bytes = 4 * 256;
  CHECK(memory_problem(arch, workload).empty());
}

TEST_CASE("shared buffer keys and their errors", "[memory][buffer][inputs]") {
  const std::string dir = make_temp_dir();
  auto load = [&](const std::string& buffer) {
    const std::string path = dir + "/arch.ini";
    write_file(path, "[memory]\nmodel = dram\n[buffer]\n" + buffer);
    ArchConfig arch = load_arch_config(path);
    validate(arch, path);
    return arch;
  };
  const ArchConfig arch = load("organization = shared\nsize_kb = 108\nbanks = 27\n");
  CHECK(arch.buffer.organization == BufferOrganization::Shared);
  CHECK(arch.buffer.bank_bytes() == 4096);
  auto error = [&](const std::string& buffer) {
    try {
      load(buffer);
    } catch (const InputError& e) {
      return std::string(e.what()).substr(dir.size() + std::string("/arch.ini").size());
    }
    return std::string("no error");
  };
  CHECK(error("organization = pooled\n") ==
        ":4: buffer.organization: unknown buffer organization 'pooled' (expected separate or shared)");
  CHECK(error("organization = shared\nbanks = 2\n") ==
        ": buffer.banks = 2: a shared buffer needs at least one bank for each of ifmap, filter and ofmap");
  CHECK(error("organization = shared\nsize_kb = 1024\nbanks = 512\n") ==
        ": buffer.banks = 512: a shared buffer has at most 256 banks");
  CHECK(error("organization = shared\nsize_kb = 100\nbanks = 3\n") ==
        ": buffer.size_kb = 100 is not a whole number of 3 equal banks (bytes)");
}

TEST_CASE("the array's results take the ofmap ports from DRAM's transfers", "[memory][buffer]") {
  // One ofmap bank with one read and one write port of 4 bytes: an int32
  // partial sum a cycle, or 4 int8 outputs. A write-back of 40 int8
  // outputs takes 10 cycles of the read port: cycles 0-9 alone.
  // The accelerator's own buffer: SystemC builds modules only before the
  // first run, which another test case in this process may have started.
  GlobalBuffer& buffer = accelerator().global_buffer;
  BufferPartition partition;
  partition.banks = {1, 1, 1};
  partition.word_bytes = 4;
  buffer.begin_step(partition, /*operand_bits=*/8, /*accumulator_bits=*/32);
  const GlobalBuffer::Transfer alone = buffer.read_write_back(40, 40, /*partial_sums=*/false, 0);
  CHECK(buffer.last_cycle(alone) == 9);
  for (std::int64_t cycle = 0; cycle <= 9; ++cycle) {
    // Fresh results take a write port only: the write-back is not delayed.
    buffer.array_results(1, /*accumulating=*/false);
    buffer.end_cycle(cycle);
  }
  CHECK(buffer.last_cycle(alone) == 9);

  // From cycle 20: the same write-back while the array adds one partial sum
  // a cycle (a read and a write) in cycles 20-24. Each of those cycles the
  // array has the only read port, so the write-back ends 5 cycles later.
  const GlobalBuffer::Transfer shared = buffer.read_write_back(40, 40, false, 20);
  // A second write-back queues behind it: 5 cycles, 30-34 alone.
  const GlobalBuffer::Transfer queued = buffer.read_write_back(20, 20, false, 20);
  CHECK(buffer.last_cycle(shared) == 29);
  CHECK(buffer.last_cycle(queued) == 34);
  for (std::int64_t cycle = 20; cycle <= 40; ++cycle) {
    if (cycle <= 24) buffer.array_results(1, /*accumulating=*/true);
    buffer.end_cycle(cycle);
  }
  CHECK(buffer.last_cycle(shared) == 34);
  CHECK(buffer.last_cycle(queued) == 39);
  CHECK(buffer.ports_free_at() == 40);

  // Two banks of one 8-byte read port: 64 int8 outputs at 16 B a cycle
  // take 4 cycles, 50-53 alone. The array's one partial sum a cycle takes
  // one of the two ports (a port moves whole words), so every second cycle
  // of it costs the write-back a whole cycle: 4 cycles of it, 2 more, 55.
  partition.banks = {2, 2, 2};
  partition.word_bytes = 8;
  buffer.begin_step(partition, 8, 32);
  const GlobalBuffer::Transfer half = buffer.read_write_back(64, 64, false, 50);
  CHECK(buffer.last_cycle(half) == 53);
  for (std::int64_t cycle = 50; cycle <= 53; ++cycle) {
    buffer.array_results(1, true);
    buffer.end_cycle(cycle);
  }
  CHECK(buffer.last_cycle(half) == 55);
  // Two folds sending one partial sum each in the same cycle share one
  // port's word: still one port a cycle, 4 cycles of it cost 2.
  const GlobalBuffer::Transfer pair = buffer.read_write_back(64, 64, false, 60);
  for (std::int64_t cycle = 60; cycle <= 63; ++cycle) {
    buffer.array_results(1, true);
    buffer.array_results(1, true);
    buffer.end_cycle(cycle);
  }
  CHECK(buffer.last_cycle(pair) == 65);
}

TEST_CASE("summary.json describes the buffer each organisation had", "[memory][buffer][cli]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml",
             "name: net\nlayers:\n"
             "  - {name: pool, type: pool, op: max, input: [8, 8, 4], kernel: 2, stride: 2}\n"
             "  - {name: fc, type: fc, inputs: 64, outputs: 32}\n");
  write_file(dir + "/pool.yaml",
             "name: pool\nlayers:\n  - {name: pool, type: pool, op: max, input: [8, 8, 4], kernel: 2, stride: 2}\n");
  auto buffer_json = [&](const std::vector<std::string>& options, const std::string& out,
                         const std::string& workload = "net.yaml") {
    std::vector<std::string> args = {"run", "--arch", "systole-32x32", "--memory", "dram", "--workload",
                                     dir + "/" + workload, "--out", dir + "/" + out};
    args.insert(args.end(), options.begin(), options.end());
    const CommandResult r = run_systole(args);
    REQUIRE(r.exit_code == 0);
    return nlohmann::json::parse(read_file(dir + "/" + out + "/summary.json"))["buffer"];
  };
  // Separate: the configured capacities, even when no layer used the array.
  const nlohmann::json separate = buffer_json({"--buffer.ifmap_kb=8"}, "separate", "pool.yaml");
  CHECK(separate["organization"] == "separate");
  CHECK(separate["partitions"]["ifmap"]["capacity"]["value"] == 8 * 1024);
  CHECK(separate["partitions"]["ofmap"]["capacity"]["value"] == 64 * 1024);
  // Shared: the size, the banks, and each partition's largest split.
  const nlohmann::json shared =
      buffer_json({"--buffer.organization=shared", "--buffer.size_kb=12", "--buffer.banks=6"}, "shared");
  CHECK(shared["organization"] == "shared");
  CHECK(shared["size"]["value"] == 12 * 1024);
  CHECK(shared["banks"] == 6);
  std::int64_t total = 0;
  for (const char* p : {"ifmap", "filter", "ofmap"}) {
    const std::int64_t capacity = shared["partitions"][p]["capacity"]["value"];
    CHECK(capacity % 2048 == 0);
    CHECK(capacity >= 2048);
    total += capacity;
  }
  CHECK(total == 12 * 1024);  // one array layer: one split
}
