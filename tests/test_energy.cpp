// The energy model: scaling rules against their published ratios, pricing
// against sums worked by hand from the tables' entries, static power against
// the Eyeriss chip's figure, and bad tables refused before anything runs.
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "sim/config/input_error.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/energy/builtin_tables.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/energy_scaling.hpp"
#include "sim/energy/energy_table_file.hpp"
#include "sim/energy/power_group.hpp"
#include "sim/report/figures.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

const EnergyTable& builtin(const std::string& name) {
  const EnergyTable* table = find_builtin_table(name);
  REQUIRE(table != nullptr);
  return *table;
}

double line_energy(const LayerEnergy& energy, const std::string& component, const std::string& action) {
  for (const EnergyLine& line : energy.lines)
    if (line.component == component && line.action == action) return line.energy;
  FAIL("no line " << component << "." << action);
  return 0;
}

double per_action(const EnergyModel& model, const std::string& component, const std::string& action) {
  Counters one;
  for (const CounterInfo& counter : counter_infos()) one[counter.counter] = 1;
  one[Counter::MacsGated] = 0;
  for (const EnergyLine& line : model.price(one).lines)
    if (line.component == component && line.action == action) return line.per_action;
  FAIL("no line " << component << "." << action);
  return 0;
}

}  // namespace

TEST_CASE("multipliers scale with the product of operand widths, adders and storage linearly") {
  // energy.md §5: 8/16/32-bit multipliers 1 : 4 : 16; adders and storage 1 : 2 : 4.
  CHECK(width_factor(WidthScaling::Product, 8, 8, 8) == Approx(1));
  CHECK(width_factor(WidthScaling::Product, 8, 16, 16) == Approx(4));
  CHECK(width_factor(WidthScaling::Product, 8, 32, 32) == Approx(16));
  CHECK(width_factor(WidthScaling::Linear, 8, 16, 16) == Approx(2));
  CHECK(width_factor(WidthScaling::Linear, 8, 32, 32) == Approx(4));
  CHECK(width_factor(WidthScaling::None, 8, 32, 32) == Approx(1));

  // The same through the model: the 45 nm table's 8-bit multiply (0.2 pJ)
  // on int16 operands costs 0.8 pJ, Horowitz's 16-bit figure; its register
  // entry is per bit, so an int16 register read costs twice an int8 one.
  const EnergyModel int8(builtin("45nm"), array_config(4, 4, "ws"), LinkPayload::PartialSum);
  const EnergyModel int16(builtin("45nm"), array_config(4, 4, "ws", Microarch::Baseline, DataType::Int16),
                          LinkPayload::PartialSum);
  CHECK(per_action(int8, "multiplier", "multiply") == Approx(0.2));
  CHECK(per_action(int16, "multiplier", "multiply") == Approx(0.8));
  CHECK(per_action(int16, "rf_operand", "read") / per_action(int8, "rf_operand", "read") == Approx(2));
}

TEST_CASE("SRAM energy per access follows the square root of the bank's capacity, as Horowitz's figures do") {
  // 10 pJ per 64-bit read of 8 KB; Horowitz gives 20 pJ at 32 KB.
  CHECK(capacity_factor(8 * 1024, 32 * 1024) == Approx(2));
  ArchConfig arch = array_config(4, 4, "ws");
  arch.buffer.word_bytes = 8;  // 64-bit accesses
  arch.buffer.ifmap_bytes = 32 * 1024;
  arch.buffer.filter_bytes = 8 * 1024;
  arch.buffer.banks = 1;
  const EnergyModel model(builtin("45nm"), arch, LinkPayload::PartialSum);
  CHECK(per_action(model, "buffer_ifmap", "read") == Approx(20));
  CHECK(per_action(model, "buffer_filter", "read") == Approx(10));
  // Four banks of the 32 KiB partition: each access hits an 8 KiB bank.
  arch.buffer.banks = 4;
  const EnergyModel banked(builtin("45nm"), arch, LinkPayload::PartialSum);
  CHECK(per_action(banked, "buffer_ifmap", "read") == Approx(10));
}

TEST_CASE("technology scaling uses the Stillmaker-Baas factors of energy.md") {
  CHECK(technology_energy_factor(45, 28) == Approx(0.37));
  CHECK(technology_energy_factor(45, 65) == Approx(1.24));
  CHECK(technology_energy_factor(32, 45) == Approx(1.52));
  CHECK(technology_energy_factor(65, 65) == 1);
  CHECK_THROWS_AS(technology_energy_factor(45, 22), std::invalid_argument);

  ArchConfig arch = array_config(4, 4, "ws");
  arch.energy_technology_nm = 28;
  const EnergyModel scaled(builtin("45nm"), arch, LinkPayload::PartialSum);
  CHECK(scaled.technology_factor() == Approx(0.37));
  CHECK(per_action(scaled, "multiplier", "multiply") == Approx(0.2 * 0.37));
  // A normalised table has no node to leave.
  CHECK_THROWS_AS(EnergyModel(builtin("eyeriss-normalized"), arch, LinkPayload::PartialSum), InputError);
  arch.energy_technology_nm = 22;
  CHECK_THROWS_WITH(EnergyModel(builtin("45nm"), arch, LinkPayload::PartialSum),
                    Catch::Contains("energy.technology_nm") && Catch::Contains("22"));
}

TEST_CASE("a layer's energy is the sum of its counts times the table's entries, worked by hand") {
  // 65nm-16bit on an int16 WS array: operands 16 bits, accumulators 64 bits.
  // Entries (pJ per 16 bits): MAC 2, register 1, array transfer 4, buffer 15.
  ArchConfig arch = array_config(4, 4, "ws", Microarch::Baseline, DataType::Int16);
  arch.buffer.word_bytes = 0;  // one value per access
  arch.buffer.ifmap_bytes = arch.buffer.filter_bytes = arch.buffer.ofmap_bytes = 108 * 1024;
  arch.buffer.banks = 1;
  const EnergyModel model(builtin("65nm-16bit"), arch, LinkPayload::PartialSum);
  Counters c;
  c[Counter::Macs] = 100;
  c[Counter::MacsGated] = 10;
  c[Counter::RfStationaryReads] = 100;
  c[Counter::RfOperandWrites] = 30;
  c[Counter::RfPsumWrites] = 100;
  c[Counter::LinkHopsVertical] = 12;
  c[Counter::NocOutWords] = 5;
  c[Counter::BufferIfmapReadAccesses] = 7;
  c[Counter::BufferOfmapWriteAccesses] = 5;
  c[Counter::Cycles] = 40;
  const LayerEnergy e = model.price(c);
  // multiply: 90 performed × 2 pJ (16×16, the entry's width) = 180
  CHECK(line_energy(e, "multiplier", "multiply") == Approx(180));
  CHECK(line_energy(e, "multiplier", "gated") == Approx(0));
  // registers: stationary 100 × 1, operand 30 × 1, psum 100 × 1 × 64/16 = 400
  CHECK(line_energy(e, "rf_stationary", "read") == Approx(100));
  CHECK(line_energy(e, "rf_operand", "write") == Approx(30));
  CHECK(line_energy(e, "rf_psum", "write") == Approx(400));
  // vertical hops carry 64-bit partial sums: 12 × 4 × 4 = 192
  CHECK(line_energy(e, "link", "hop_vertical") == Approx(192));
  // output bus: 5 partial sums × 4 × 4 = 80
  CHECK(line_energy(e, "noc_out", "transfer") == Approx(80));
  // buffer: ifmap 7 × 15 (16-bit value, 108 KiB bank = the entry's) = 105;
  // ofmap 5 × 15 × 64/16 = 300
  CHECK(line_energy(e, "buffer_ifmap", "read") == Approx(105));
  CHECK(line_energy(e, "buffer_ofmap", "write") == Approx(300));
  // static: 30 mW / 168 PEs × 16 PEs × 1 ns × 40 cycles
  CHECK(line_energy(e, "chip", "static") == Approx(30.0 / 168 * 16 * 1 * 40));
  CHECK(e.dynamic() == Approx(180 + 100 + 30 + 400 + 192 + 80 + 105 + 300));
  CHECK(e.background() == Approx(30.0 / 168 * 16 * 40));
}

TEST_CASE("fp32 MACs are priced by the floating-point entries, and a table without them is refused for fp32") {
  // Horowitz 45 nm: fp32 multiply 3.7 pJ, fp32 add 0.9 pJ; registers per bit.
  const ArchConfig fp32 = array_config(4, 4, "ws", Microarch::Baseline, DataType::Fp32);
  const EnergyModel model(builtin("45nm"), fp32, LinkPayload::PartialSum);
  CHECK(per_action(model, "multiplier", "multiply") == Approx(3.7));
  CHECK(per_action(model, "adder", "add") == Approx(0.9));
  CHECK(per_action(model, "rf_operand", "read") == Approx(32 * 0.009 * 1.27));
  CHECK_THROWS_WITH(EnergyModel(builtin("eyeriss-normalized"), fp32, LinkPayload::PartialSum),
                    Catch::Contains("fp_multiplier.multiply"));
}

TEST_CASE("the Eyeriss chip's static power is 0.15 nJ per cycle at 200 MHz") {
  // energy.md §3: 30 mW for the 168-PE chip, 0.15 nJ per cycle at 200 MHz.
  ArchConfig arch = array_config(12, 14, "ws", Microarch::Baseline, DataType::Int16);
  arch.clock_mhz = 200;
  const EnergyModel model(builtin("65nm-16bit"), arch, LinkPayload::PartialSum);
  REQUIRE(model.static_milliwatts());
  CHECK(*model.static_milliwatts() == Approx(30));
  Counters one_cycle;
  one_cycle[Counter::Cycles] = 1;
  CHECK(model.price(one_cycle).background() == Approx(150));
}

TEST_CASE("a table without an entry the run needs is refused, naming the entry") {
  EnergyTable table = builtin("45nm");
  table.name = "partial";
  table.actions.erase(std::remove_if(table.actions.begin(), table.actions.end(),
                                     [](const ActionEntry& e) { return e.component == "link"; }),
                      table.actions.end());
  CHECK_THROWS_WITH(EnergyModel(table, array_config(4, 4, "ws"), LinkPayload::PartialSum),
                    Catch::Contains("partial") && Catch::Contains("link.hop"));
  // DRAM entries are needed only with the DRAM model, for a part without
  // currents (DRAMSys's HBM2 memspec has none; DDR4's are priced by theirs).
  table = builtin("45nm");
  table.actions.erase(std::remove_if(table.actions.begin(), table.actions.end(),
                                     [](const ActionEntry& e) { return e.component == "dram"; }),
                      table.actions.end());
  CHECK_NOTHROW(EnergyModel(table, array_config(4, 4, "ws"), LinkPayload::PartialSum));
  CHECK_NOTHROW(EnergyModel(table, with_dram(array_config(4, 4, "ws"), "ddr4-2400"), LinkPayload::PartialSum));
  CHECK_THROWS_WITH(EnergyModel(table, with_dram(array_config(4, 4, "ws"), "hbm2"), LinkPayload::PartialSum),
                    Catch::Contains("dram.read"));
}

TEST_CASE("an unknown energy table exits 2 before writing anything") {
  const std::string out = make_temp_dir() + "/out";
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/alexnet_scalesim.csv",
                                       "--energy", "nosuch", "--out", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("nosuch") && Catch::Contains("45nm"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(!std::filesystem::exists(out + "/layers.csv"));
  CHECK(!std::filesystem::exists(out + "/energy.csv"));
}

TEST_CASE("a malformed energy table file exits 2 with one line naming file, line and entry, and writes nothing") {
  const std::string dir = make_temp_dir();
  const std::string table = dir + "/table.yaml";
  write_file(table,
             "unit: pJ\n"
             "technology_nm: 45\n"
             "actions:\n"
             "  - {component: multiplier, action: multiply, energy: 0.2, width_bits: 8, scaling: product}\n"
             "  - {component: register, action: read, energy: -1, width_bits: 8}\n");
  const std::string out = dir + "/out";
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload",
                                       std::string(SYSTOLE_SOURCE_DIR) + "/workloads/alexnet_scalesim.csv",
                                       "--energy", table, "--out", out});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("table.yaml:5") && Catch::Contains("register"));
  CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
  CHECK(!std::filesystem::exists(out));

  // Well formed but incomplete: the first action the run needs and lacks.
  write_file(table,
             "unit: pJ\n"
             "technology_nm: 45\n"
             "actions:\n"
             "  - {component: multiplier, action: multiply, energy: 0.2, width_bits: 8, scaling: product}\n");
  const CommandResult incomplete = run_systole({"run", "--arch", "systole-32x32", "--workload",
                                                std::string(SYSTOLE_SOURCE_DIR) + "/workloads/alexnet_scalesim.csv",
                                                "--energy", table, "--out", out});
  CHECK(incomplete.exit_code == 2);
  CHECK_THAT(incomplete.err, Catch::Contains("table.yaml") && Catch::Contains("multiplier.gated"));
  CHECK(!std::filesystem::exists(out));
}

TEST_CASE("operands read from .npy files: all-zero weights gate every MAC, and the outputs pass verification") {
  const std::string dir = make_temp_dir();
  // conv: a 1×4×4×2 input, three 2×2×2 filters: M = 3·3 = 9, N = 3, K = 8,
  // 216 MACs. Input values 1..32 (none zero); weights all zero.
  std::vector<int> input(32);
  for (int i = 0; i < 32; ++i) input[i] = i + 1;
  write_npy_int8(dir + "/input.npy", {1, 4, 4, 2}, input);
  write_npy_int8(dir + "/zeros.npy", {3, 2, 2, 2}, std::vector<int>(24, 0));
  write_file(dir + "/net.yaml",
             "layers:\n"
             "  - {name: c, type: conv, input: [4, 4, 2], kernel: 2, filters: 3, ifmap_data: input.npy, "
             "weights_data: zeros.npy}\n");
  for (const char* dataflow : {"ws", "os", "is"}) {
    const std::string out = dir + "/out_" + dataflow;
    const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--array", "4x4", "--dataflow", dataflow,
                                         "--workload", dir + "/net.yaml", "--verify", "--out", out});
    INFO(dataflow << ": " << r.err);
    REQUIRE(r.exit_code == 0);
    const auto rows = read_csv(out + "/layers.csv");
    const auto column = [&](const std::string& name) {
      const auto at = std::find(rows[0].begin(), rows[0].end(), name);
      REQUIRE(at != rows[0].end());
      return rows[1][static_cast<std::size_t>(at - rows[0].begin())];
    };
    CHECK(column("macs") == "216");
    CHECK(column("macs_gated") == "216");
    CHECK(column("verification") == "passed");
  }
}

TEST_CASE("a .npy operand that does not fit the layer or the data type is refused before the run") {
  const std::string dir = make_temp_dir();
  write_npy_int8(dir + "/small.npy", {2, 2}, {1, 2, 3, 4});
  write_file(dir + "/net.yaml",
             "layers:\n"
             "  - {name: c, type: conv, input: [4, 4, 2], kernel: 2, filters: 3, ifmap_data: small.npy}\n");
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/net.yaml"});
  CHECK(r.exit_code == 2);
  CHECK_THAT(r.err, Catch::Contains("net.yaml:2") && Catch::Contains("small.npy") && Catch::Contains("4 values") &&
                        Catch::Contains("1×4×4×2"));
  // int16 values beyond int8, in a file whose count fits.
  std::string header = "{'descr': '<i2', 'fortran_order': False, 'shape': (32,), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string bytes = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(header.size()) + '\0' + header;
  for (int i = 0; i < 32; ++i) {
    const int v = i == 5 ? 300 : 1;
    bytes += static_cast<char>(v & 0xFF);
    bytes += static_cast<char>(v >> 8);
  }
  write_file(dir + "/wide.npy", bytes);
  write_file(dir + "/net2.yaml",
             "layers:\n"
             "  - {name: c, type: conv, input: [4, 4, 2], kernel: 2, filters: 3, ifmap_data: wide.npy}\n");
  const CommandResult wide = run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/net2.yaml"});
  CHECK(wide.exit_code == 2);
  CHECK_THAT(wide.err, Catch::Contains("wide.npy") && Catch::Contains("index 5") && Catch::Contains("300"));
  // The same file is fine for an int16 array.
  CHECK(run_systole({"run", "--arch", "systole-32x32", "--data-type", "int16", "--workload", dir + "/net2.yaml"})
            .exit_code == 0);

  // int4 holds -8 to 7; int1 only -1 and +1, never 0.
  std::vector<int> values(32, 1);
  values[7] = 8;
  write_npy_int8(dir + "/eight.npy", {1, 4, 4, 2}, values);
  values[7] = 0;
  write_npy_int8(dir + "/zero.npy", {1, 4, 4, 2}, values);
  values[7] = -1;
  write_npy_int8(dir + "/signs.npy", {1, 4, 4, 2}, values);
  const auto run_with = [&](const std::string& file, const std::string& type) {
    write_file(dir + "/net3.yaml", "layers:\n  - {name: c, type: conv, input: [4, 4, 2], kernel: 2, filters: 3, "
                                   "ifmap_data: " + file + "}\n");
    return run_systole({"run", "--arch", "systole-32x32", "--data-type", type, "--workload", dir + "/net3.yaml",
                        "--verify"});
  };
  const CommandResult eight = run_with("eight.npy", "int4");
  CHECK(eight.exit_code == 2);
  CHECK_THAT(eight.err, Catch::Contains("index 7") && Catch::Contains("from -8 to 7") && Catch::Contains("int4"));
  CHECK(run_with("eight.npy", "int8").exit_code == 0);
  const CommandResult zero = run_with("zero.npy", "int1");
  CHECK(zero.exit_code == 2);
  CHECK_THAT(zero.err, Catch::Contains("zero.npy") && Catch::Contains("index 7") && Catch::Contains("-1 or +1"));
  CHECK(run_with("zero.npy", "int2").exit_code == 0);
  CHECK(run_with("signs.npy", "int1").exit_code == 0);
}

TEST_CASE("DDR4 energy per command is dram.md's current-based figure for a 64-bit rank") {
  // dram.md §10, per rank of 8 x8 devices (MICRON DDR4-2400 currents):
  // ACT + PRE ≈ 12 nJ, read burst ≈ 4.5 nJ, write burst ≈ 4.0 nJ, REF ≈ 185 nJ,
  // active standby 422 mW, precharge standby 367 mW.
  const ArchConfig arch = with_dram(array_config(4, 4, "ws"), "ddr4-2400");
  const EnergyModel model(builtin("45nm"), arch, LinkPayload::PartialSum);
  const double tck_ns = 1 / 1.2;  // DDR4-2400: 1200 MHz
  CHECK(per_action(model, "dram", "activate") + per_action(model, "dram", "precharge") ==
        Approx(8 * 1.48e3).epsilon(0.03));
  CHECK(per_action(model, "dram", "read_burst") == Approx(4.5e3).epsilon(0.03));
  CHECK(per_action(model, "dram", "write_burst") == Approx(4.0e3).epsilon(0.03));
  CHECK(per_action(model, "dram", "refresh") == Approx(185e3).epsilon(0.03));
  CHECK(per_action(model, "dram", "active_standby") == Approx(422 * tck_ns).epsilon(0.01));
  CHECK(per_action(model, "dram", "precharge_standby") == Approx(367 * tck_ns).epsilon(0.01));
  // Priced by the currents, the table's per-byte DRAM entries are not used.
  Counters bytes;
  bytes[Counter::DramIfmapReadBytes] = 1000;
  for (const EnergyLine& line : model.price(bytes).lines) CHECK(line.component.rfind("dram_", 0) != 0);

  // A normalised table cannot add pJ: it prices DRAM per byte (200 per
  // 16 bits: 100 per byte).
  const EnergyModel normalised(builtin("eyeriss-normalized"), arch, LinkPayload::PartialSum);
  CHECK(per_action(normalised, "dram_ifmap", "read") == Approx(100));
  // HBM2's DRAMSys memspec has no currents: per byte from the table
  // (1300 pJ per 64 bits: 162.5 per byte).
  const EnergyModel hbm2(builtin("45nm"), with_dram(array_config(4, 4, "ws"), "hbm2"), LinkPayload::PartialSum);
  CHECK(per_action(hbm2, "dram_filter", "read") == Approx(162.5));
}

TEST_CASE("a 256x256 int8 WS array at 700 MHz, 45 nm scaled to 28 nm, stays under the TPU v1's 0.87 pJ per MAC") {
  // energy.md §7: the TPU v1 (256×256 int8 WS, 700 MHz, 28 nm) drew at most
  // 40 W at 45.9 TMAC/s: ≤ 0.87 pJ per MAC for the whole chip. A model above
  // it has a wrong per-hop or per-access energy. A GEMM as deep as the array
  // and as wide, streaming 8192 rows, keeps it above 90% busy.
  ArchConfig arch = array_config(256, 256, "ws");
  arch.clock_mhz = 700;
  arch.energy_technology_nm = 28;
  const RunResult result = simulate(arch, {make_gemm_layer("gemm", 8192, 256, 256)});
  REQUIRE(result.layers.at(0).verification == Verification::Passed);
  CHECK(result.layers[0].utilization > 0.9);
  const EnergyModel model(builtin("45nm"), arch, LinkPayload::PartialSum);
  const LayerEnergy energy = model.price(result.layers[0].counters);
  const double pj_per_mac = energy.total() / static_cast<double>(result.total_macs);
  INFO("pJ per MAC: " << pj_per_mac);
  CHECK(pj_per_mac < 0.87);
  // And the MAC alone (an 8-bit multiply and a 32-bit add, 0.3 pJ at 45 nm,
  // × 0.37) is a floor no count can go under.
  CHECK(pj_per_mac > 0.3 * 0.37);
}

TEST_CASE("energy per MAC of one layer orders WS, OS and IS as their reuse predicts") {
  // The prediction, from reuse, before any figure: AlexNet's Conv1 (M = 3025
  // output pixels, N = 96 filters, K = 363) on a 32×32 int8 array, priced
  // with the ISCA 2016 ratios.
  // - OS keeps each output in its PE for all of K: M·N = 290,400 results leave
  //   the array once, and its vertical links carry 8-bit operands. WS and IS
  //   send 32-bit partial sums out once per K fold (12 folds: 3.5 M values)
  //   and down the column every cycle. Both stream about the same operand
  //   traffic (3.3 M values on each edge). So OS is the cheapest.
  // - WS keeps each weight for a whole stream of M pixels (reuse M = 3025),
  //   IS each input for a stream of N filters (reuse N = 96): IS loads its
  //   stationary operand (K·M = 1.1 M inputs) where WS loads K·N = 35 k
  //   weights. So WS is cheaper than IS.
  // Prediction: OS < WS < IS.
  const Layer conv1 = conv_layer(227, 227, 3, 96, 11, 11, 4);
  std::map<std::string, double> per_mac;
  for (const char* dataflow : {"ws", "os", "is"}) {
    const ArchConfig arch = array_config(32, 32, dataflow);
    const RunResult result = simulate(arch, {conv1});
    REQUIRE(result.layers.at(0).verification == Verification::Passed);
    const EnergyModel model(builtin("eyeriss-normalized"), arch, find_dataflow(dataflow)->vertical_link_payload());
    per_mac[dataflow] = model.price(result.layers[0].counters).total() / static_cast<double>(result.total_macs);
  }
  INFO("MAC-equivalents per MAC: ws " << per_mac["ws"] << ", os " << per_mac["os"] << ", is " << per_mac["is"]);
  CHECK(per_mac["os"] < per_mac["ws"]);
  CHECK(per_mac["ws"] < per_mac["is"]);
}

TEST_CASE("utilization.csv's power windows add up to energy.csv, part by part, with DRAM and without") {
  // Windows of 7 cycles cross layer and step boundaries (the pool runs on
  // the vector unit); each window's energy is its power × its cycles × the
  // clock period. Every part is priced per cycle, DRAM commands and standby
  // included, so the windows hold all of energy.csv -- except a DRAM priced
  // per byte (hbm2 has no currents), which has no per-cycle figure.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.yaml", kConvPoolFcYaml);
  const auto at = [](const std::vector<std::string>& header, const std::string& name) {
    const auto found = std::find(header.begin(), header.end(), name);
    REQUIRE(found != header.end());
    return static_cast<std::size_t>(found - header.begin());
  };
  for (const std::vector<std::string>& memory : std::vector<std::vector<std::string>>{
           {"--memory", "ideal"}, {"--dram", "ddr4-2400"}, {"--dram", "lpddr4-3200"}, {"--dram", "hbm2"},
           {"--memory", "ideal", "--dataflow", "rs"}}) {
    INFO(memory.back());
    const std::string out = dir + "/out_" + memory.back() + std::to_string(memory.size());
    std::vector<std::string> args = {"run", "--arch", "systole-32x32", "--array", "4x4", "--data-type", "int16",
                                     "--energy", "65nm-16bit", "--clock-mhz", "250", "--sparsity", "ifmap=0.3",
                                     "--workload", dir + "/net.yaml", "--sample", "7", "--out", out};
    args.insert(args.end(), memory.begin(), memory.end());
    const CommandResult r = run_systole(args);
    REQUIRE(r.exit_code == 0);
    const auto windows = read_csv(out + "/utilization.csv");
    const std::size_t cycles = at(windows[0], "cycles");
    const bool dram_per_byte = memory.back() == "hbm2";
    std::map<std::string, double> windows_pj;
    for (const PowerFigure& figure : power_figures()) {
      const std::size_t column = at(windows[0], figure.doc.name);
      const bool empty = figure.doc.name == "power_mw" || figure.doc.name == "power_dram_mw" ? dram_per_byte : false;
      for (std::size_t i = 1; i < windows.size(); ++i) {
        INFO(figure.doc.name << " window " << i);
        REQUIRE(windows[i][column].empty() == empty);
        if (!empty) windows_pj[figure.doc.name] += std::stod(windows[i][column]) * std::stod(windows[i][cycles]) * 4.0;
      }
    }
    const auto rows = read_csv(out + "/energy.csv");
    const std::size_t component = at(rows[0], "component"), energy = at(rows[0], "energy");
    std::map<std::string, double> table_pj;
    for (std::size_t i = 1; i < rows.size(); ++i) {
      const double pj = std::stod(rows[i][energy]);
      table_pj["power_" + std::string(to_string(power_group(rows[i][component]))) + "_mw"] += pj;
      table_pj["power_mw"] += pj;
    }
    CHECK(table_pj["power_pe_mw"] > 0);
    CHECK(table_pj["power_links_mw"] > 0);
    CHECK(table_pj["power_buffer_mw"] > 0);
    CHECK(table_pj["power_vector_unit_mw"] > 0);
    CHECK(table_pj["power_static_mw"] > 0);
    CHECK((table_pj["power_dram_mw"] > 0) == (memory.front() == "--dram"));
    for (const auto& [name, pj] : windows_pj) {
      INFO(name);
      CHECK(pj == Approx(table_pj[name]).epsilon(1e-5).margin(1e-6));
    }
    CHECK(windows_pj.size() == (dram_per_byte ? power_figures().size() - 2 : power_figures().size()));
  }
}

TEST_CASE("energy.psum_bits prices partial sums at the chip's width, and is refused outside operand to accumulator") {
  // 65nm-16bit, int16: partial sums are computed in 64 bits. At psum_bits
  // 16 every action priced at the accumulator width costs 16/64 of its
  // default (linear entries), operand actions do not change.
  const ArchConfig exact = array_config(4, 4, "ws", Microarch::Baseline, DataType::Int16);
  ArchConfig narrow = exact;
  narrow.energy_psum_bits = 16;
  const EnergyModel wide_model(builtin("65nm-16bit"), exact, LinkPayload::PartialSum);
  const EnergyModel narrow_model(builtin("65nm-16bit"), narrow, LinkPayload::PartialSum);
  for (const auto& [component, action] : {std::pair{"rf_psum", "read"}, std::pair{"rf_psum", "write"},
                                          std::pair{"noc_out", "transfer"}, std::pair{"link", "hop_vertical"}})
    CHECK(per_action(narrow_model, component, action) == Approx(per_action(wide_model, component, action) / 4));
  CHECK(per_action(narrow_model, "rf_psum", "read") == Approx(1));  // the entry's own 16 bits: 1 pJ
  CHECK(per_action(narrow_model, "rf_operand", "read") == Approx(per_action(wide_model, "rf_operand", "read")));
  CHECK(per_action(narrow_model, "multiplier", "multiply") == Approx(per_action(wide_model, "multiplier", "multiply")));

  ArchConfig too_narrow = exact;
  too_narrow.energy_psum_bits = 8;
  CHECK_THROWS_WITH(validate(too_narrow, "x.ini"), Catch::Contains("energy.psum_bits = 8"));
  CHECK_THROWS_AS(set_config_key(too_narrow, "energy.psum_bits", "65"), std::invalid_argument);
}
