#include "sim/config/scalesim_config.hpp"

#include <optional>
#include <sstream>
#include <set>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"

namespace systole {

namespace {

// Keys SCALE-Sim v2 (and v3) define that shape only its memory model.
const std::set<std::string>& unused_keys() {
  static const std::set<std::string> keys = {
      "bandwidth",      "memorybanks",   "interfacebandwidth", "topologycsvloc",
      "readrequestbuffer", "writerequestbuffer", "useramulatortrace"};
  return keys;
}

}  // namespace

bool is_scalesim_config(const std::string& path) {
  std::istringstream in(read_input_file(path, "architecture file"));
  std::string text;
  while (std::getline(in, text))
    if (to_lower(trim(text)) == "[architecture_presets]") return true;
  return false;
}

ArchConfig load_scalesim_config(const std::string& path) {
  std::istringstream in(read_input_file(path, "architecture file"));
  ArchConfig config;
  config.source = path;
  config.name = "scalesim";
  std::string text, section;
  int line = 0;
  std::set<std::string> seen, ignored;
  int user_bandwidth_line = 0;
  while (std::getline(in, text)) {
    ++line;
    const std::string t = trim(text);
    if (t.empty() || t.front() == '#' || t.front() == ';') continue;
    if (t.front() == '[') {
      if (t.back() != ']') throw_input_error(path, line, "unterminated section header");
      section = trim(t.substr(1, t.size() - 2));
      continue;
    }
    const std::size_t colon = t.find(':'), equals = t.find('=');
    const std::size_t separator = std::min(colon, equals);
    if (separator == std::string::npos)
      throw_input_error(path, line, "expected 'key : value', got '" + t + "'");
    const std::string key = to_lower(trim(t.substr(0, separator)));
    const std::string value = trim(t.substr(separator + 1));
    if (!seen.insert(section + "." + key).second)
      throw_input_error(path, line, "key '" + key + "' is set twice in [" + section + "]");
    try {
      if (key == "run_name") {
        set_config_key(config, "general.name", value);
      } else if (key == "arrayheight") {
        set_config_key(config, "array.rows", value);
      } else if (key == "arraywidth") {
        set_config_key(config, "array.cols", value);
      } else if (key == "dataflow") {
        set_config_key(config, "array.dataflow", value);
      } else if (key == "ifmapsramszkb") {
        set_config_key(config, "buffer.ifmap_kb", value);
      } else if (key == "filtersramszkb") {
        set_config_key(config, "buffer.filter_kb", value);
      } else if (key == "ofmapsramszkb") {
        set_config_key(config, "buffer.ofmap_kb", value);
      } else if (key == "ifmapoffset" || key == "filteroffset" || key == "ofmapoffset") {
        const std::optional<std::int64_t> offset = parse_integer(value);
        if (!offset || *offset < 0 || *offset > (std::int64_t{1} << 48))
          throw std::invalid_argument("expected a word address from 0 to 2^48, got '" + value + "'");
        std::int64_t& base = key == "ifmapoffset"    ? config.scalesim_offsets.ifmap
                             : key == "filteroffset" ? config.scalesim_offsets.filter
                                                     : config.scalesim_offsets.ofmap;
        base = *offset;
      } else if (unused_keys().count(key)) {
        ignored.insert(key);
        if (key == "interfacebandwidth" && to_lower(value) == "user") user_bandwidth_line = line;
      } else {
        throw_input_error(path, line, "unknown key '" + key + "' in [" + section + "]");
      }
    } catch (const std::invalid_argument& e) {
      throw_input_error(path, line, key + ": " + e.what());
    }
  }
  for (const char* required : {"arrayheight", "arraywidth", "dataflow"})
    if (!seen.count("architecture_presets." + std::string(required)))
      throw_input_error(path, 0, std::string("missing key '") + required + "' in [architecture_presets]");
  // A user who fixed SCALE-Sim's interface bandwidth expects memory stalls;
  // without a word the run would have none.
  if (user_bandwidth_line > 0)
    spdlog::warn("{}:{}: InterfaceBandwidth: USER (with Bandwidth) is ignored: Systole does not model SCALE-Sim's "
                 "fixed-bandwidth interface: without --memory dram a run has ideal memory (no memory stalls); "
                 "--memory dram with --dram ddr4-2400, lpddr4-3200, hbm2 or a memspec models the DRAM (docs/memory.md)",
                 path, user_bandwidth_line);
  if (!ignored.empty()) {
    std::string names;
    for (const std::string& key : ignored) names += (names.empty() ? "" : ", ") + key;
    spdlog::info("{}: keys of SCALE-Sim's memory model Systole does not use: {}", path, names);
  }
  return config;
}

}  // namespace systole
