#pragma once
// The architecture a run simulates, read from a native INI file (sections
// [general], [array], [vector], [memory], [buffer], [noc], [dram]) or a
// SCALE-Sim .cfg, with any key overridden
// from the command line as --section.key=value.

#include <cmath>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <boost/program_options/options_description.hpp>
#include <nlohmann/json.hpp>

#include "models/array/array_config.hpp"
#include "models/memory/buffer_config.hpp"
#include "models/noc/noc_config.hpp"
#include "models/vector_unit_config.hpp"

namespace systole {

// Ideal: operands are at the array edge when needed. Dram: tiles move
// between DRAM and the global buffer (models/memory/memory_controller.hpp).
enum class MemoryModel { Ideal, Dram };
std::string_view to_string(MemoryModel model);

// The bases of SCALE-Sim's operand address spaces in the demand traces
// (--traces; sim/dataflow/scalesim_addresses.hpp): a SCALE-Sim cfg's
// IfmapOffset, FilterOffset and OfmapOffset, else the values SCALE-Sim's
// shipped configs give.
struct ScaleSimOffsets {
  std::int64_t ifmap = 0, filter = 10000000, ofmap = 20000000;
};

struct ArchConfig {
  std::string name = "systole";
  // The accelerator clock. Cycles are counted in it; it sets how many DRAM
  // cycles fit in one and converts cycles to time in the reports, SystemC
  // time and the VCD's time axis.
  double clock_mhz = 1000;
  double clock_period_ns() const { return 1000.0 / clock_mhz; }
  // The period SystemC runs the clock at: whole femtoseconds, its resolution.
  std::uint64_t clock_period_fs() const { return static_cast<std::uint64_t>(std::llround(1e9 / clock_mhz)); }
  ArrayConfig array;
  // The dataflow's name in the registry (sim/dataflow/registry.hpp).
  std::string dataflow = "ws";
  // What the row-stationary mapper minimises: "energy" or "delay"
  // (sim/dataflow/row_stationary.hpp).
  std::string rs_mapper = "energy";
  VectorUnitConfig vector;
  MemoryModel memory_model = MemoryModel::Ideal;
  std::string dram = "ddr4-2400";  // preset name or DRAMSys memspec .json
  int dram_channels = 1;
  // How traffic is encoded between the buffer and DRAM: a name in
  // models/memory/dram_compression.hpp's registry.
  std::string dram_compression = "none";
  // The global buffer and the network-on-chip; used with the DRAM memory
  // model.
  GlobalBufferConfig buffer;
  NocConfig noc;
  // How energy is priced (sim/energy/): a built-in table's name, a table
  // file, or "none"; and the node it is scaled to (0: the table's own).
  std::string energy_table = "45nm";
  double energy_technology_nm = 0;
  // The width energy and area price partial sums at (0: the accumulator
  // width the PEs compute at). A chip that keeps narrower partial sums than
  // Systole's exact accumulators (Eyeriss: 16 bits) is priced as built.
  int energy_psum_bits = 0;
  ScaleSimOffsets scalesim_offsets;
  std::string source;  // the file it was read from
};

struct ConfigKey {
  std::string name;  // "section.key"
  std::string help;
};

// Every native key, in file order.
const std::vector<ConfigKey>& config_keys();

// " (now buffer.ifmap_kb)" for a key an earlier version had; empty otherwise.
std::string renamed_key_hint(const std::string& key);

// Sets one key from text; throws std::invalid_argument saying what is wrong.
void set_config_key(ArchConfig& config, const std::string& key, const std::string& value);
std::string get_config_key(const ArchConfig& config, const std::string& key);

// A file path, or the name of a preset in models/presets (e.g. "tpu-v1").
ArchConfig load_arch_config(const std::string& path_or_preset);
ArchConfig load_native_config(const std::string& path);
std::vector<std::string> preset_names();

// Problems that no single key shows (the array must have PEs, ...).
void validate(const ArchConfig& config, const std::string& origin);

// The options that override keys: one --section.key per key.
boost::program_options::options_description config_key_options();

nlohmann::json to_json(const ArchConfig& config);

}  // namespace systole
