#include "sim/config/memspec.hpp"

#include <algorithm>
#include <array>
#include <fstream>
#include <initializer_list>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "sim/config/input_error.hpp"

namespace systole {

namespace {

// The largest a real part's timing is, in DRAM cycles (a refresh interval
// is tens of thousands): larger values are typing errors, and would make a
// run crawl.
constexpr long long kMaxTiming = 10000;
constexpr long long kMaxRefreshInterval = 1000000;

// A whole number in [low, high] under the first of `keys` that is there.
int required(const nlohmann::json& section, const std::string& path, const char* section_name,
             std::initializer_list<const char*> keys, long long low = 0, long long high = kMaxTiming) {
  for (const char* key : keys)
    if (section.contains(key)) {
      const nlohmann::json& value = section[key];
      const std::string name = std::string(section_name) + "." + key;
      if (!value.is_number_integer())
        throw_input_error(path, 0, name + " must be a whole number between " + std::to_string(low) + " and " +
                                       std::to_string(high));
      // Unsigned first: a value above the signed range must not wrap.
      const bool in_range =
          value.is_number_unsigned()
              ? value.get<unsigned long long>() >= static_cast<unsigned long long>(low) &&
                    value.get<unsigned long long>() <= static_cast<unsigned long long>(high)
              : value.get<long long>() >= low && value.get<long long>() <= high;
      if (!in_range)
        throw_input_error(path, 0, name + " must be between " + std::to_string(low) + " and " +
                                       std::to_string(high) + ", got " + value.dump());
      return static_cast<int>(value.get<long long>());
    }
  std::string names;
  for (const char* key : keys) names += (names.empty() ? "" : " or ") + std::string(key);
  throw_input_error(path, 0, std::string("missing ") + section_name + "." + names);
}

// A positive number of seconds or MHz within what real parts have.
double clock(const nlohmann::json& value, const std::string& path, const std::string& name, double low, double high) {
  if (!value.is_number() || !(value.get<double>() >= low && value.get<double>() <= high))
    throw_input_error(path, 0, name + " must be a number between " + nlohmann::json(low).dump() + " and " +
                                   nlohmann::json(high).dump() + ", got " + value.dump());
  return value.get<double>();
}

// A number as a person would write it (0.001, 10000).
std::string plain(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// The keys of one supply rail in a mempowerspec: its voltage, then IDD0,
// IDD2N, IDD3N, IDD4R, IDD4W and IDD5B.
struct RailKeys {
  const char* name;
  const char* volts;
  std::array<const char*, 6> currents;
};

// Reads `mempowerspec`, if there is one. DRAMSys has used two formats:
//  - DRAMSys 5 (DRAMPower 5) gives currents in amperes, named idd0 ...
//    idd5B and ipp0 ... ipp5B (VDD, VPP) for DDR4 and HBM2, idd01/idd02 ...
//    idd51/idd52 (VDD1, VDD2) for LPDDR4;
//  - DRAMSys 4 (DRAMPower 4) gave them in milliamperes, named idd0 ... idd5
//    for the first rail and idd02 ... idd52 for the second (vdd2: DDR4's
//    VPP, LPDDR4's VDD2), listing only the second rail's non-zero ones.
// `idd5` tells the second from the first. A mempowerspec whose currents are
// all 0 (DRAMSys's HBM2.json) gives none.
std::optional<DramPower> read_power(const nlohmann::json& spec, const std::string& path, int devices) {
  if (!spec.contains("mempowerspec")) return std::nullopt;
  const nlohmann::json& p = spec["mempowerspec"];
  if (!p.is_object()) throw_input_error(path, 0, "mempowerspec must be an object");
  const bool milliamperes = p.contains("idd5");
  const bool lpddr4 = spec.value("memoryType", "") == "LPDDR4";
  std::vector<RailKeys> rails;
  if (milliamperes) {
    rails.push_back({lpddr4 ? "VDD1" : "VDD", "vdd", {"idd0", "idd2n", "idd3n", "idd4r", "idd4w", "idd5"}});
    if (p.contains("vdd2"))
      rails.push_back(
          {lpddr4 ? "VDD2" : "VPP", "vdd2", {"idd02", "idd2n2", "idd3n2", "idd4r2", "idd4w2", "idd52"}});
  } else if (p.contains("vdd1")) {
    rails.push_back({"VDD1", "vdd1", {"idd01", "idd2n1", "idd3n1", "idd4r1", "idd4w1", "idd51"}});
    rails.push_back({"VDD2", "vdd2", {"idd02", "idd2n2", "idd3n2", "idd4r2", "idd4w2", "idd52"}});
  } else {
    // HBM2 memspecs spell the refresh currents idd5b and ipp5b.
    const bool hbm2_names = p.contains("idd5b") && !p.contains("idd5B");
    rails.push_back({"VDD", "vdd", {"idd0", "idd2n", "idd3n", "idd4r", "idd4w", hbm2_names ? "idd5b" : "idd5B"}});
    rails.push_back({"VPP", "vpp", {"ipp0", "ipp2n", "ipp3n", "ipp4r", "ipp4w", hbm2_names ? "ipp5b" : "ipp5B"}});
  }
  // Currents in the file's unit, converted to amperes. A real device draws
  // at most a few amperes on a rail.
  const double per_ampere = milliamperes ? 1000 : 1;
  const std::string unit = milliamperes ? "mA, as in a memspec with idd5" : "A, as in a memspec without idd5";
  // The value under `key`, in [low, high]; 0 when it is missing and may be.
  auto number = [&](const char* key, double low, double high, const std::string& what, bool may_miss) {
    if (!p.contains(key)) {
      if (may_miss) return 0.0;
      throw_input_error(path, 0, std::string("missing mempowerspec.") + key);
    }
    const nlohmann::json& value = p[key];
    if (!value.is_number() || !(value.get<double>() >= low && value.get<double>() <= high))
      throw_input_error(path, 0, std::string("mempowerspec.") + key + " must be between " + plain(low) + " and " +
                                     plain(high) + " " + what + ", got " + value.dump());
    return value.get<double>();
  };
  DramPower power;
  power.devices = devices;
  bool any_current = false;
  for (std::size_t r = 0; r < rails.size(); ++r) {
    const RailKeys& keys = rails[r];
    // DRAMSys 4 files list only the second rail's non-zero currents.
    const bool may_miss = milliamperes && r == 1;
    DramRail rail;
    rail.name = keys.name;
    rail.volts = number(keys.volts, 0.1, 5, "V", false);
    double* currents[6] = {&rail.idd0, &rail.idd2n, &rail.idd3n, &rail.idd4r, &rail.idd4w, &rail.idd5b};
    for (int i = 0; i < 6; ++i) {
      *currents[i] = number(keys.currents[i], 0, 10 * per_ampere, unit, may_miss) / per_ampere;
      any_current = any_current || *currents[i] > 0;
    }
    power.rails.push_back(rail);
  }
  if (!any_current) return std::nullopt;
  // The first rail carries the activations: its IDD0 is at least 1 mA, which
  // also catches currents given in the other unit.
  number(rails[0].currents[0], 1e-3 * per_ampere, 10 * per_ampere, unit, false);
  // A command's current is never below the standby current it is measured
  // over, or the command would cost negative energy.
  for (std::size_t r = 0; r < power.rails.size(); ++r) {
    const DramRail& rail = power.rails[r];
    const auto& key = rails[r].currents;
    auto at_least = [&](double current, int i, double standby, int s, const char* command) {
      if (current < standby)
        throw_input_error(path, 0, std::string("mempowerspec.") + key[i] + " (" + plain(current * per_ampere) +
                                       ") is below " + key[s] + " (" + plain(standby * per_ampere) + "): " +
                                       command + " would cost negative energy");
    };
    at_least(rail.idd0, 0, rail.idd3n, 2, "an activation");
    at_least(rail.idd0, 0, rail.idd2n, 1, "a precharge");
    at_least(rail.idd4r, 3, rail.idd3n, 2, "a read");
    at_least(rail.idd4w, 4, rail.idd3n, 2, "a write");
    at_least(rail.idd5b, 5, rail.idd3n, 2, "a refresh");
  }
  return power;
}

}  // namespace

DramSpec load_memspec(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw_input_error(path, 0, "cannot open memspec");
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception& e) {  // syntax, or a number out of range
    throw_input_error(path, 0, std::string("not valid JSON: ") + e.what());
  }
  const nlohmann::json& spec = root.contains("memspec") ? root["memspec"] : root;
  if (!spec.contains("memarchitecturespec") || !spec.contains("memtimingspec"))
    throw_input_error(path, 0, "a memspec needs memarchitecturespec and memtimingspec");
  const nlohmann::json& arch = spec["memarchitecturespec"];
  const nlohmann::json& timing = spec["memtimingspec"];
  DramSpec s;
  for (const char* key : {"memoryType", "memoryId"})
    if (spec.contains(key) && !spec[key].is_string()) throw_input_error(path, 0, std::string(key) + " must be a string");
  s.standard = spec.value("memoryType", "");
  s.name = spec.value("memoryId", path);
  s.source = path;
  if (s.standard != "DDR4" && s.standard != "LPDDR4" && s.standard != "HBM2")
    throw_input_error(path, 0, "memoryType '" + s.standard + "' is not supported (DDR4, LPDDR4 or HBM2)");
  const char* a = "memarchitecturespec";
  const char* m = "memtimingspec";
  // HBM2 memspecs count banks over both pseudo-channels; a DramSpec is one
  // pseudo-channel (each is a channel of its own: --dram-channels).
  const int pseudo_channels =
      arch.contains("nbrOfPseudoChannels") ? required(arch, path, a, {"nbrOfPseudoChannels"}, 1, 2) : 1;
  const int banks = required(arch, path, a, {"nbrOfBanks"}, 1, 1024) / pseudo_channels;
  s.bank_groups =
      (arch.contains("nbrOfBankGroups") ? required(arch, path, a, {"nbrOfBankGroups"}, 1, 64) : 1) / pseudo_channels;
  if (s.bank_groups <= 0 || banks <= 0 || banks % s.bank_groups != 0)
    throw_input_error(path, 0, "nbrOfBanks must be a positive multiple of nbrOfBankGroups");
  s.banks_per_group = banks / s.bank_groups;
  s.ranks = arch.contains("nbrOfRanks") ? required(arch, path, a, {"nbrOfRanks"}, 1, 16) : 1;
  s.rows = required(arch, path, a, {"nbrOfRows"}, 1, 1 << 22);
  const int columns = required(arch, path, a, {"nbrOfColumns"}, 1, 1 << 16);
  const int burst_length = required(arch, path, a, {"burstLength"}, 1, 64);
  const int width = required(arch, path, a, {"width"}, 1, 1024);
  const int devices = arch.contains("nbrOfDevices") ? required(arch, path, a, {"nbrOfDevices"}, 1, 64) : 1;
  const int data_rate = arch.contains("dataRate") ? required(arch, path, a, {"dataRate"}, 1, 8) : 2;
  // HBM2 memspecs count columns in bursts already.
  s.bursts_per_row = s.standard == "HBM2" ? columns : (burst_length > 0 ? columns / burst_length : 0);
  s.burst_bytes = burst_length * width * devices / 8;
  // Real parts clock between 10 MHz and 10 GHz.
  if (timing.contains("tCK"))
    s.tck_ps = clock(timing["tCK"], path, "memtimingspec.tCK", 1e-10, 1e-7) * 1e12;
  else if (timing.contains("clkMhz"))
    s.tck_ps = 1e6 / clock(timing["clkMhz"], path, "memtimingspec.clkMhz", 10, 10000);
  else
    throw_input_error(path, 0, "missing memtimingspec.tCK (seconds) or clkMhz");
  DramTiming& t = s.t;
  t.RL = required(timing, path, m, {"RL", "CL"});
  t.WL = required(timing, path, m, {"WL"});
  t.RCD_RD = required(timing, path, m, {"RCDRD", "RCD"});
  t.RCD_WR = required(timing, path, m, {"RCDWR", "RCD"});
  t.RP = required(timing, path, m, {"RP", "RPpb"});
  t.RAS = required(timing, path, m, {"RAS"});
  t.RC = required(timing, path, m, {"RC", "RCpb"});
  t.BURST = burst_length / data_rate;
  t.CCD_S = required(timing, path, m, {"CCD_S", "CCDS", "CCD"});
  t.CCD_L = required(timing, path, m, {"CCD_L", "CCDL", "CCD"});
  t.RRD_S = required(timing, path, m, {"RRD_S", "RRDS", "RRD"});
  t.RRD_L = required(timing, path, m, {"RRD_L", "RRDL", "RRD"});
  t.FAW = required(timing, path, m, {"FAW"});
  t.WR = required(timing, path, m, {"WR"});
  t.RTP = required(timing, path, m, {"RTP"});
  t.WTR_S = required(timing, path, m, {"WTR_S", "WTRS", "WTR"});
  t.WTR_L = required(timing, path, m, {"WTR_L", "WTRL", "WTR"});
  if (timing.contains("RTW")) {
    t.RTW = required(timing, path, m, {"RTW"});
  } else if (s.standard == "LPDDR4") {
    // RL + tDQSCK + BL/2 - WL + tWPRE + tRPST (postamble rounded up)
    const int dqsck = timing.contains("DQSCK") ? required(timing, path, m, {"DQSCK"}) : 0;
    t.RTW = t.RL + dqsck + t.BURST - t.WL + 2 + 1;
  } else {
    t.RTW = t.RL + t.BURST + 2 - t.WL;  // DDR4
  }
  t.RTRS = timing.contains("RTRS") ? required(timing, path, m, {"RTRS"}) : 0;
  t.REFI = required(timing, path, m, {"REFI"}, 1, kMaxRefreshInterval);
  // DDR4 fine-granularity refresh (RefMode 2 or 4) shortens tREFI and tRFC.
  const int ref_mode = arch.contains("RefMode") ? required(arch, path, a, {"RefMode"}, 1, 4) : 1;
  if (ref_mode == 2 || ref_mode == 4) {
    t.RFC = required(timing, path, m, {ref_mode == 2 ? "RFC2" : "RFC4"});
    t.REFI /= ref_mode;
  } else {
    t.RFC = required(timing, path, m, {"RFC", "RFC1", "RFCab"});
  }
  if (const std::string problem = dram_spec_problem(s); !problem.empty()) throw_input_error(path, 0, problem);
  s.power = read_power(spec, path, devices);
  return s;
}

DramSpec resolve_dram(const std::string& name_or_path, const std::string& option) {
  if (name_or_path.size() > 5 && name_or_path.substr(name_or_path.size() - 5) == ".json")
    return load_memspec(name_or_path);
  try {
    return dram_preset(name_or_path);
  } catch (const std::invalid_argument& e) {
    throw InputError(option + ": " + e.what());
  }
}

}  // namespace systole
