#include "sim/config/arch_config.hpp"

#include <algorithm>
#include <filesystem>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <stdexcept>

#include <boost/program_options.hpp>

#include "models/memory/dram_compression.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/scalesim_config.hpp"
#include "sim/config/text.hpp"
#include "sim/dataflow/registry.hpp"

namespace systole {

namespace po = boost::program_options;

namespace {

struct KeyAccess {
  ConfigKey key;
  std::function<void(ArchConfig&, const std::string&)> set;
  std::function<std::string(const ArchConfig&)> get;
  // Whether summary.json's config shows it (null: always): the PE
  // scratchpads only matter to the dataflow that has them.
  std::function<bool(const ArchConfig&)> shown = nullptr;
};

bool has_scratchpads(const ArchConfig& c) { return c.dataflow == "rs"; }

// Per-cycle occupancy is reported in 32 bits (models/execution.hpp).
constexpr int kMaxPartitionKb = 1 << 21;
constexpr int kMaxSharedBanks = 256;

int positive_int(const std::string& value, int limit) {
  const auto parsed = parse_integer(value);
  if (!parsed) throw std::invalid_argument("'" + value + "' is not an integer");
  if (*parsed <= 0 || *parsed > limit)
    throw std::invalid_argument("must be between 1 and " + std::to_string(limit) + ", got " + value);
  return static_cast<int>(*parsed);
}

const std::vector<KeyAccess>& key_table() {
  static const std::vector<KeyAccess> table = {
      {{"general.name", "name of the architecture, shown in reports"},
       [](ArchConfig& c, const std::string& v) { c.name = v; },
       [](const ArchConfig& c) { return c.name; }},
      {{"general.clock_mhz", "accelerator clock, MHz (1-100000)"},
       [](ArchConfig& c, const std::string& v) {
         char* end = nullptr;
         const double mhz = std::strtod(v.c_str(), &end);
         if (v.empty() || end != v.c_str() + v.size() || !(mhz >= 1 && mhz <= 100000))
           throw std::invalid_argument("'" + v + "' is not a clock between 1 and 100000 MHz");
         c.clock_mhz = mhz;
       },
       [](const ArchConfig& c) {
         std::ostringstream text;
         text << c.clock_mhz;
         return text.str();
       }},
      {{"array.rows", "PE rows R (1-4096)"},
       [](ArchConfig& c, const std::string& v) { c.array.rows = positive_int(v, 4096); },
       [](const ArchConfig& c) { return std::to_string(c.array.rows); }},
      {{"array.cols", "PE columns C (1-4096)"},
       [](ArchConfig& c, const std::string& v) { c.array.cols = positive_int(v, 4096); },
       [](const ArchConfig& c) { return std::to_string(c.array.cols); }},
      {{"array.dataflow", dataflow_names()},
       [](ArchConfig& c, const std::string& v) {
         const std::string name = to_lower(v);
         if (find_dataflow(name) == nullptr)
           throw std::invalid_argument("unknown dataflow '" + v + "' (expected " + dataflow_names() + ")");
         c.dataflow = name;
       },
       [](const ArchConfig& c) { return c.dataflow; }},
      {{"array.microarch",
        "baseline (SCALE-Sim v2: load, stream, drain per fold) or pipelined (shadow "
        "stationary registers, back-to-back folds)"},
       [](ArchConfig& c, const std::string& v) {
         const auto m = parse_microarch(to_lower(v));
         if (!m)
           throw std::invalid_argument("unknown microarch '" + v +
                                       "' (expected baseline or pipelined)");
         c.array.microarch = *m;
       },
       [](const ArchConfig& c) { return std::string(to_string(c.array.microarch)); }},
      {{"array.data_type",
        "int16 (int64 accumulators), int8, int4, int2 (int32), int1 (binary: -1 and +1, XNOR and popcount; "
        "int32) or fp32 (fp32)"},
       [](ArchConfig& c, const std::string& v) {
         const auto t = parse_data_type(to_lower(v));
         if (!t)
           throw std::invalid_argument("unknown data type '" + v + "' (expected " +
                                       std::string(data_type_names()) + ")");
         c.array.data_type = *t;
       },
       [](const ArchConfig& c) { return std::string(to_string(c.array.data_type)); }},
      {{"vector.lanes", "vector unit operations per cycle (1-65536)"},
       [](ArchConfig& c, const std::string& v) { c.vector.lanes = positive_int(v, 65536); },
       [](const ArchConfig& c) { return std::to_string(c.vector.lanes); }},
      {{"memory.model",
        "ideal (operands at the array edge when needed) or dram (tiles move through the global buffer "
        "from DRAM)"},
       [](ArchConfig& c, const std::string& v) {
         const std::string model = to_lower(v);
         if (model != "ideal" && model != "dram")
           throw std::invalid_argument("unknown memory model '" + v + "' (expected ideal or dram)");
         c.memory_model = model == "dram" ? MemoryModel::Dram : MemoryModel::Ideal;
       },
       [](const ArchConfig& c) { return std::string(to_string(c.memory_model)); }},
      {{"buffer.organization",
        "separate (ifmap, filter and ofmap buffers of fixed size, as in SCALE-Sim) or shared (one buffer whose "
        "banks each layer splits between the operands, as in Eyeriss)"},
       [](ArchConfig& c, const std::string& v) {
         const std::string organization = to_lower(v);
         if (organization != "separate" && organization != "shared")
           throw std::invalid_argument("unknown buffer organization '" + v + "' (expected separate or shared)");
         c.buffer.organization =
             organization == "shared" ? BufferOrganization::Shared : BufferOrganization::Separate;
       },
       [](const ArchConfig& c) {
         return std::string(c.buffer.organization == BufferOrganization::Shared ? "shared" : "separate");
       }},
      {{"buffer.size_kb", "the whole shared buffer, KB (up to 2 GiB)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.shared_bytes = 1024LL * positive_int(v, kMaxPartitionKb); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.shared_bytes / 1024); }},
      {{"buffer.ifmap_kb", "ifmap partition of the global buffer, KB (double buffered; up to 2 GiB)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.ifmap_bytes = 1024LL * positive_int(v, kMaxPartitionKb); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.ifmap_bytes / 1024); }},
      {{"buffer.filter_kb", "filter partition of the global buffer, KB (double buffered; up to 2 GiB)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.filter_bytes = 1024LL * positive_int(v, kMaxPartitionKb); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.filter_bytes / 1024); }},
      {{"buffer.ofmap_kb", "ofmap partition of the global buffer, KB (double buffered; up to 2 GiB)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.ofmap_bytes = 1024LL * positive_int(v, kMaxPartitionKb); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.ofmap_bytes / 1024); }},
      {{"buffer.banks",
        "separate: banks per partition (0: as many as any access needs); shared: banks in all (3-256)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.banks = v == "0" ? 0 : positive_int(v, 1 << 16); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.banks); }},
      {{"buffer.read_ports", "read ports per bank"},
       [](ArchConfig& c, const std::string& v) { c.buffer.read_ports = positive_int(v, 1 << 10); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.read_ports); }},
      {{"buffer.write_ports", "write ports per bank"},
       [](ArchConfig& c, const std::string& v) { c.buffer.write_ports = positive_int(v, 1 << 10); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.write_ports); }},
      {{"buffer.word_bytes", "bytes a port moves per cycle (0: one value of any width)"},
       [](ArchConfig& c, const std::string& v) { c.buffer.word_bytes = v == "0" ? 0 : positive_int(v, 1 << 12); },
       [](const ArchConfig& c) { return std::to_string(c.buffer.word_bytes); }},
      {{"noc.left_words", "words per cycle of the bus feeding the left edge (0: the whole edge)"},
       [](ArchConfig& c, const std::string& v) { c.noc.left_words = v == "0" ? 0 : positive_int(v, 1 << 20); },
       [](const ArchConfig& c) { return std::to_string(c.noc.left_words); }},
      {{"noc.top_words", "words per cycle of the bus feeding the top edge (OS) or stationary rows (0: the whole edge)"},
       [](ArchConfig& c, const std::string& v) { c.noc.top_words = v == "0" ? 0 : positive_int(v, 1 << 20); },
       [](const ArchConfig& c) { return std::to_string(c.noc.top_words); }},
      {{"noc.out_words", "words per cycle of the bus collecting results from the array (0: the whole edge)"},
       [](ArchConfig& c, const std::string& v) { c.noc.out_words = v == "0" ? 0 : positive_int(v, 1 << 20); },
       [](const ArchConfig& c) { return std::to_string(c.noc.out_words); }},
      {{"noc.latency", "cycles a word takes between the buffer and the array edge (0-1000)"},
       [](ArchConfig& c, const std::string& v) { c.noc.latency = v == "0" ? 0 : positive_int(v, 1000); },
       [](const ArchConfig& c) { return std::to_string(c.noc.latency); }},
      {{"pe.filter_spad_entries", "row stationary: weights a PE's filter scratchpad holds (1-65536)"},
       [](ArchConfig& c, const std::string& v) { c.array.scratchpads.filter_entries = positive_int(v, 1 << 16); },
       [](const ArchConfig& c) { return std::to_string(c.array.scratchpads.filter_entries); }, has_scratchpads},
      {{"pe.ifmap_spad_entries", "row stationary: input values a PE's ifmap scratchpad holds (1-65536)"},
       [](ArchConfig& c, const std::string& v) { c.array.scratchpads.ifmap_entries = positive_int(v, 1 << 16); },
       [](const ArchConfig& c) { return std::to_string(c.array.scratchpads.ifmap_entries); }, has_scratchpads},
      {{"pe.psum_spad_entries", "row stationary: partial sums a PE's psum scratchpad holds (1-65536)"},
       [](ArchConfig& c, const std::string& v) { c.array.scratchpads.psum_entries = positive_int(v, 1 << 16); },
       [](const ArchConfig& c) { return std::to_string(c.array.scratchpads.psum_entries); }, has_scratchpads},
      {{"pe.mapper", "row stationary: what the mapper minimises, energy or delay"},
       [](ArchConfig& c, const std::string& v) {
         if (v != "energy" && v != "delay") throw std::invalid_argument("'" + v + "' is not energy or delay");
         c.rs_mapper = v;
       },
       [](const ArchConfig& c) { return c.rs_mapper; }, has_scratchpads},
      {{"dram.spec", "ddr4-2400, lpddr4-3200, hbm2, or a DRAMSys memspec .json"},
       [](ArchConfig& c, const std::string& v) { c.dram = v; },
       [](const ArchConfig& c) { return c.dram; }},
      {{"dram.channels", "DRAM channels (1-64)"},
       [](ArchConfig& c, const std::string& v) { c.dram_channels = positive_int(v, 64); },
       [](const ArchConfig& c) { return std::to_string(c.dram_channels); }},
      {{"dram.compression", "how DRAM traffic is encoded: none, or rlc (Eyeriss's run-length coding of ifmap and "
                            "ofmap traffic; row stationary only)"},
       [](ArchConfig& c, const std::string& v) {
         if (find_dram_compression(v) == nullptr)
           throw std::invalid_argument("unknown compression '" + v + "' (expected " + dram_compression_names() + ")");
         c.dram_compression = v;
       },
       [](const ArchConfig& c) { return c.dram_compression; },
       [](const ArchConfig& c) { return c.memory_model == MemoryModel::Dram && c.dram_compression != "none"; }},
      {{"energy.table", "energy table: none, a built-in name (eyeriss-normalized, 65nm-16bit, 45nm) or a .yaml file"},
       [](ArchConfig& c, const std::string& v) {
         if (v.empty()) throw std::invalid_argument("empty energy table (none turns energy off)");
         c.energy_table = v;
       },
       [](const ArchConfig& c) { return c.energy_table; }},
      {{"energy.technology_nm", "technology node the table is scaled to, nm (0: the table's own)"},
       [](ArchConfig& c, const std::string& v) {
         char* end = nullptr;
         const double nm = std::strtod(v.c_str(), &end);
         if (v.empty() || end != v.c_str() + v.size() || !(nm >= 0 && nm <= 1000))
           throw std::invalid_argument("'" + v + "' is not a node between 0 and 1000 nm");
         c.energy_technology_nm = nm;
       },
       [](const ArchConfig& c) {
         std::ostringstream text;
         text << c.energy_technology_nm;
         return text.str();
       }},
      {{"energy.psum_bits",
        "bits partial sums are priced at: adders, psum registers, links and networks carrying them, the ofmap "
        "buffer, the vector unit (0: the accumulator width; from the operand width up to it)"},
       [](ArchConfig& c, const std::string& v) { c.energy_psum_bits = v == "0" ? 0 : positive_int(v, 64); },
       [](const ArchConfig& c) { return std::to_string(c.energy_psum_bits); },
       [](const ArchConfig& c) { return c.energy_psum_bits != 0; }},
  };
  return table;
}

}  // namespace

std::string_view to_string(MemoryModel model) { return model == MemoryModel::Dram ? "dram" : "ideal"; }

std::string renamed_key_hint(const std::string& key) {
  static const std::map<std::string, std::string> renamed = {
      {"memory.ifmap_kb", "buffer.ifmap_kb"},   {"memory.filter_kb", "buffer.filter_kb"},
      {"memory.ofmap_kb", "buffer.ofmap_kb"},   {"memory.banks", "buffer.banks"},
      {"memory.bank_ports", "buffer.read_ports and buffer.write_ports"},
      {"memory.dram", "dram.spec"},             {"memory.dram_channels", "dram.channels"}};
  const auto it = renamed.find(key);
  return it == renamed.end() ? std::string() : " (now " + it->second + ")";
}

namespace {

const KeyAccess* find_key(const std::string& name) {
  for (const KeyAccess& k : key_table())
    if (k.key.name == name) return &k;
  return nullptr;
}

// Boost's config parser reports keys, not lines; find the line of the key's
// `occurrence`-th appearance (0-based) ourselves.
int line_of_key(const std::string& path, const std::string& dotted, int occurrence) {
  const std::size_t dot = dotted.find('.');
  const std::string section = dot == std::string::npos ? "" : dotted.substr(0, dot);
  const std::string key = dot == std::string::npos ? dotted : dotted.substr(dot + 1);
  std::istringstream in(read_input_file(path, "architecture file"));
  std::string text, current;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    const std::string t = trim(text);
    if (t.size() > 1 && t.front() == '[' && t.back() == ']') {
      current = trim(t.substr(1, t.size() - 2));
    } else if (current == section && trim(t.substr(0, t.find('='))) == key && occurrence-- == 0) {
      return line;
    }
  }
  return 0;
}

int line_containing(const std::string& path, const std::string& needle) {
  std::istringstream in(read_input_file(path, "architecture file"));
  std::string text;
  int line = 0;
  while (std::getline(in, text)) {
    ++line;
    if (!needle.empty() && text.find(needle) != std::string::npos) return line;
  }
  return 0;
}

}  // namespace

const std::vector<ConfigKey>& config_keys() {
  static const std::vector<ConfigKey> keys = [] {
    std::vector<ConfigKey> k;
    for (const KeyAccess& access : key_table()) k.push_back(access.key);
    return k;
  }();
  return keys;
}

void set_config_key(ArchConfig& config, const std::string& key, const std::string& value) {
  const KeyAccess* access = find_key(key);
  if (access == nullptr) throw std::invalid_argument("unknown key '" + key + "'" + renamed_key_hint(key));
  // Every value ends up in summary.json, which must be UTF-8.
  if (!valid_utf8(value)) throw std::invalid_argument("the value is not UTF-8 text");
  access->set(config, trim(value));
}

std::string get_config_key(const ArchConfig& config, const std::string& key) {
  const KeyAccess* access = find_key(key);
  if (access == nullptr) throw std::invalid_argument("unknown key '" + key + "'");
  return access->get(config);
}

po::options_description config_key_options() {
  po::options_description options("Architecture keys (override the --arch file)");
  for (const KeyAccess& k : key_table())
    options.add_options()(k.key.name.c_str(), po::value<std::string>(), k.key.help.c_str());
  return options;
}

ArchConfig load_native_config(const std::string& path) {
  std::istringstream in(read_input_file(path, "architecture file"));
  po::parsed_options parsed(nullptr);
  try {
    parsed = po::parse_config_file(in, config_key_options(), /*allow_unregistered=*/true);
  } catch (const po::invalid_config_file_syntax& e) {
    throw_input_error(path, line_containing(path, e.tokens()), "not a 'key = value' line or [section]");
  } catch (const po::error& e) {
    throw_input_error(path, 0, e.what());
  }
  ArchConfig config;
  config.source = path;
  std::map<std::string, int> seen;
  for (const po::option& option : parsed.options) {
    const int line = line_of_key(path, option.string_key, seen[option.string_key]++);
    if (option.unregistered) {
      const std::size_t dot = option.string_key.find('.');
      const std::string section = dot == std::string::npos ? "" : option.string_key.substr(0, dot);
      throw_input_error(path, line,
                        "unknown key '" + option.string_key.substr(dot + 1) + "' in section [" + section + "]" +
                            renamed_key_hint(option.string_key));
    }
    if (seen[option.string_key] > 1)
      throw_input_error(path, line, "key '" + option.string_key + "' is set twice");
    try {
      set_config_key(config, option.string_key, option.value.empty() ? "" : option.value.front());
    } catch (const std::invalid_argument& e) {
      throw_input_error(path, line, option.string_key + ": " + e.what());
    }
  }
  return config;
}

std::vector<std::string> preset_names() {
  std::vector<std::string> names;
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator(SYSTOLE_PRESET_DIR, ignored))
    if (entry.path().extension() == ".ini") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

ArchConfig load_arch_config(const std::string& path_or_preset) {
  std::string path = path_or_preset;
  if (!std::filesystem::exists(path) && path.find('/') == std::string::npos) {
    const std::string preset = std::string(SYSTOLE_PRESET_DIR) + "/" + path + ".ini";
    if (std::filesystem::exists(preset)) path = preset;
  }
  if (!std::filesystem::is_regular_file(path)) {
    std::string names;
    for (const std::string& n : preset_names()) names += (names.empty() ? "" : ", ") + n;
    throw_input_error(path_or_preset, 0,
                      "no such architecture file or preset (presets: " + names + ")");
  }
  return is_scalesim_config(path) ? load_scalesim_config(path) : load_native_config(path);
}

void validate(const ArchConfig& config, const std::string& origin) {
  const long long pes = config.array.pe_count();
  if (pes > (1LL << 22))
    throw_input_error(origin, 0,
                      "array of " + std::to_string(config.array.rows) + "x" +
                          std::to_string(config.array.cols) + " PEs is larger than 4M PEs");
  if (config.buffer.organization == BufferOrganization::Shared) {
    const GlobalBufferConfig& b = config.buffer;
    if (b.banks < kOperands)
      throw_input_error(origin, 0,
                        "buffer.banks = " + std::to_string(b.banks) +
                            ": a shared buffer needs at least one bank for each of ifmap, filter and ofmap");
    // Every layer tries each split, about banks²/2 of them.
    if (b.banks > kMaxSharedBanks)
      throw_input_error(origin, 0,
                        "buffer.banks = " + std::to_string(b.banks) + ": a shared buffer has at most " +
                            std::to_string(kMaxSharedBanks) + " banks");
    if (b.shared_bytes % b.banks != 0)
      throw_input_error(origin, 0,
                        "buffer.size_kb = " + std::to_string(b.shared_bytes / 1024) + " is not a whole number of " +
                            std::to_string(b.banks) + " equal banks (bytes)");
  }
  if (const DramCompressionEntry* entry = find_dram_compression(config.dram_compression);
      entry != nullptr && entry->compression != nullptr && config.memory_model == MemoryModel::Dram) {
    if (config.dataflow != "rs")
      throw_input_error(origin, 0,
                        "dram.compression = " + config.dram_compression +
                            ": only the row-stationary dataflow models compressed DRAM traffic (array.dataflow = "
                            "rs); give --dram.compression none for " + config.dataflow);
    if (const std::string problem = entry->compression->value_problem(operand_bits(config.array.data_type));
        !problem.empty())
      throw_input_error(origin, 0,
                        "dram.compression = " + config.dram_compression + ": " + problem +
                            " (give --dram.compression none)");
  }
  if (const int bits = config.energy_psum_bits;
      bits != 0 && (bits < operand_bits(config.array.data_type) || bits > accumulator_bits(config.array.data_type)))
    throw_input_error(origin, 0,
                      "energy.psum_bits = " + std::to_string(bits) + " is outside " +
                          std::string(to_string(config.array.data_type)) + "'s operand to accumulator width (" +
                          std::to_string(operand_bits(config.array.data_type)) + "-" +
                          std::to_string(accumulator_bits(config.array.data_type)) + " bits)");
  // A port moves whole values: operands in, partial sums (accumulator width) out.
  const int widest = accumulator_bits(config.array.data_type) / 8;  // bytes: accumulators are 32 or 64 bits
  if (config.buffer.word_bytes != 0 && config.buffer.word_bytes < widest)
    throw_input_error(origin, 0,
                      "buffer.word_bytes = " + std::to_string(config.buffer.word_bytes) +
                          " cannot carry one partial sum of " + std::string(to_string(config.array.data_type)) +
                          " (" + std::to_string(widest) + " bytes)");
}

nlohmann::json to_json(const ArchConfig& config) {
  nlohmann::json json;
  for (const KeyAccess& k : key_table()) {
    if (k.shown && !k.shown(config)) continue;
    const std::size_t dot = k.key.name.find('.');
    const std::string value = k.get(config);
    auto& slot = json[k.key.name.substr(0, dot)][k.key.name.substr(dot + 1)];
    if (const auto number = parse_integer(value))
      slot = *number;
    else
      slot = value;
  }
  json["source"] = config.source;
  return json;
}

}  // namespace systole
