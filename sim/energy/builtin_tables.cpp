#include "sim/energy/builtin_tables.hpp"

#include <map>

namespace systole {

namespace {

constexpr const char* kIsca2016 = "Chen, Emer, Sze, ISCA 2016, Table IV";
constexpr const char* kNnDataflow = "nn_dataflow test_eyeriss_isscc16 (Eyeriss chip calibration)";
constexpr const char* kHorowitz = "Horowitz, ISSCC 2014";
constexpr const char* kIscaArea = "ominux/eyeriss-dataflow area model (ISCA 2016), 65 nm";
constexpr const char* kNoGatedSwitching =
    "a gated MAC does not switch; its leakage is static power (no published dynamic figure)";

// The PE and storage areas of the ISCA 2016 area model: an ALU (the whole
// 16-bit MAC) of 20,000 µm², SRAM of 12.70 µm²/B at 4 KB and above, and
// 103.47 µm²/B for the smallest (2 B) register files.
std::vector<AreaEntry> eyeriss_areas() {
  return {
      {"multiplier", 20000, 16, WidthScaling::Product, std::string(kIscaArea) + ": PE ALU, adder included"},
      {"adder", 0, 16, WidthScaling::Linear, std::string(kIscaArea) + ": included in the PE ALU"},
      {"sram_byte", 12.70, 0, WidthScaling::None, std::string(kIscaArea) + ": SRAM of 4 KB and above"},
      {"register_bit", 103.47 / 8, 1, WidthScaling::Linear, std::string(kIscaArea) + ": 103.47 µm²/B at 2 B"},
  };
}

EnergyTable eyeriss_normalized() {
  EnergyTable t;
  t.name = "eyeriss-normalized";
  t.unit = "MAC-equivalents";
  t.technology_nm = 65;
  t.source = std::string(kIsca2016) + ": energy per 16-bit access relative to one 16-bit MAC";
  t.actions = {
      {"multiplier", "multiply", 1, 16, WidthScaling::Product, 0, std::string(kIsca2016) + ": ALU 1× (one MAC)"},
      {"multiplier", "gated", 0, 16, WidthScaling::Product, 0, kNoGatedSwitching},
      {"adder", "add", 0, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": the ALU's 1× includes the add"},
      {"adder", "gated", 0, 16, WidthScaling::Linear, 0, kNoGatedSwitching},
      {"register", "read", 1, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": RF 1× (0.5 kB)"},
      {"register", "write", 1, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": RF 1× (0.5 kB)"},
      {"link", "hop", 2, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": array 2× (inter-PE transfer)"},
      {"noc", "transfer", 2, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": array 2× (buffer to PE)"},
      {"buffer", "read", 6, 16, WidthScaling::Linear, 128 * 1024, std::string(kIsca2016) + ": GLB 6× (128 kB)"},
      {"buffer", "write", 6, 16, WidthScaling::Linear, 128 * 1024, std::string(kIsca2016) + ": GLB 6× (128 kB)"},
      {"dram", "read", 200, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": DRAM 200×"},
      {"dram", "write", 200, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": DRAM 200×"},
      {"vector", "operation", 1, 16, WidthScaling::Linear, 0, std::string(kIsca2016) + ": ALU 1× per operation"},
  };
  t.areas = eyeriss_areas();
  return t;
}

EnergyTable nm65_16bit() {
  EnergyTable t;
  t.name = "65nm-16bit";
  t.unit = "pJ";
  t.technology_nm = 65;
  t.source = std::string(kNnDataflow) + ": pJ per 16-bit access";
  t.actions = {
      {"multiplier", "multiply", 2, 16, WidthScaling::Product, 0, std::string(kNnDataflow) + ": mac_op 2 pJ"},
      {"multiplier", "gated", 0, 16, WidthScaling::Product, 0, kNoGatedSwitching},
      {"adder", "add", 0, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": mac_op includes the add"},
      {"adder", "gated", 0, 16, WidthScaling::Linear, 0, kNoGatedSwitching},
      {"register", "read", 1, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": REGF 1 pJ"},
      {"register", "write", 1, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": REGF 1 pJ"},
      {"link", "hop", 4, 16, WidthScaling::Linear, 0,
       std::string(kNnDataflow) + ": ITCN 4 pJ (an inter-PE pass is an array-level transfer)"},
      {"noc", "transfer", 4, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": ITCN 4 pJ"},
      {"buffer", "read", 15, 16, WidthScaling::Linear, 108 * 1024,
       std::string(kNnDataflow) + ": GBUF 15 pJ (108 KB)"},
      {"buffer", "write", 15, 16, WidthScaling::Linear, 108 * 1024,
       std::string(kNnDataflow) + ": GBUF 15 pJ (108 KB)"},
      {"dram", "read", 460, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": DRAM 460 pJ"},
      {"dram", "write", 460, 16, WidthScaling::Linear, 0, std::string(kNnDataflow) + ": DRAM 460 pJ"},
      {"vector", "operation", 2, 16, WidthScaling::Linear, 0,
       std::string(kNnDataflow) + ": mac_op 2 pJ per operation"},
  };
  // 30 mW for the GLB and scratchpads of the 168-PE chip, charged per PE.
  t.statics = {{"pe", 30.0 / 168, std::string(kNnDataflow) + ": idl_unit 30 mW / 168 PEs (derived)"}};
  t.areas = eyeriss_areas();
  return t;
}

EnergyTable nm45() {
  EnergyTable t;
  t.name = "45nm";
  t.unit = "pJ";
  t.technology_nm = 45;
  t.source = std::string(kHorowitz) + ", 0.9 V";
  // The 16-bit MAC at 45 nm (multiply 0.8 + add 0.05 pJ) and Eyeriss's
  // array-level cost of 2× a MAC per 16-bit word give the NoC's figure.
  const double noc_per_16_bits = 2 * (0.8 + 0.05);
  t.actions = {
      {"multiplier", "multiply", 0.2, 8, WidthScaling::Product, 0, std::string(kHorowitz) + ": 8-bit multiply"},
      {"multiplier", "gated", 0, 8, WidthScaling::Product, 0, kNoGatedSwitching},
      {"adder", "add", 0.1, 32, WidthScaling::Linear, 0, std::string(kHorowitz) + ": 32-bit add"},
      {"adder", "gated", 0, 32, WidthScaling::Linear, 0, kNoGatedSwitching},
      {"register", "read", 0.009 * 1.27, 1, WidthScaling::Linear, 0,
       "Accelergy Aladdin plug-in: register 0.009 pJ/bit at 40 nm, × 1.27 to 45 nm (derived)"},
      {"register", "write", 0.009 * 1.27, 1, WidthScaling::Linear, 0,
       "Accelergy Aladdin plug-in: register 0.009 pJ/bit at 40 nm, × 1.27 to 45 nm (derived)"},
      {"link", "hop", 0, 16, WidthScaling::Linear, 0,
       "a hop to the neighbouring PE is charged as the register write it ends in (energy.md §7)"},
      {"noc", "transfer", noc_per_16_bits, 16, WidthScaling::Linear, 0,
       "Eyeriss array 2× a 16-bit MAC, the MAC from Horowitz (derived)"},
      {"buffer", "read", 10, 64, WidthScaling::Linear, 8 * 1024, std::string(kHorowitz) + ": 64-bit read, 8 KB"},
      {"buffer", "write", 10, 64, WidthScaling::Linear, 8 * 1024,
       std::string(kHorowitz) + ": 64-bit access, 8 KB"},
      {"dram", "read", 1300, 64, WidthScaling::Linear, 0, std::string(kHorowitz) + ": 64-bit access, 20 pJ/bit"},
      {"dram", "write", 1300, 64, WidthScaling::Linear, 0, std::string(kHorowitz) + ": 64-bit access, 20 pJ/bit"},
      {"vector", "operation", 0.1, 32, WidthScaling::Linear, 0, std::string(kHorowitz) + ": 32-bit add"},
      {"fp_multiplier", "multiply", 3.7, 32, WidthScaling::None, 0, std::string(kHorowitz) + ": fp32 multiply"},
      {"fp_multiplier", "gated", 0, 32, WidthScaling::None, 0, kNoGatedSwitching},
      {"fp_adder", "add", 0.9, 32, WidthScaling::None, 0, std::string(kHorowitz) + ": fp32 add"},
      {"fp_adder", "gated", 0, 32, WidthScaling::None, 0, kNoGatedSwitching},
  };
  t.areas = {
      {"multiplier", 282, 8, WidthScaling::Product, std::string(kHorowitz) + ": 8-bit multiply"},
      {"adder", 137, 32, WidthScaling::Linear, std::string(kHorowitz) + ": 32-bit add"},
      {"fp_multiplier", 7700, 32, WidthScaling::None, std::string(kHorowitz) + ": fp32 multiply"},
      {"fp_adder", 4184, 32, WidthScaling::None, std::string(kHorowitz) + ": fp32 add"},
  };
  return t;
}

const std::map<std::string, EnergyTable>& builtin_tables() {
  static const std::map<std::string, EnergyTable> tables = [] {
    std::map<std::string, EnergyTable> all;
    for (EnergyTable table : {eyeriss_normalized(), nm65_16bit(), nm45()}) all.emplace(table.name, table);
    return all;
  }();
  return tables;
}

}  // namespace

const EnergyTable* find_builtin_table(const std::string& name) {
  const auto found = builtin_tables().find(name);
  return found == builtin_tables().end() ? nullptr : &found->second;
}

std::vector<std::string> builtin_table_names() {
  std::vector<std::string> names;
  for (const auto& [name, table] : builtin_tables()) names.push_back(name);
  return names;
}

}  // namespace systole
