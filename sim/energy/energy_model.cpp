#include "sim/energy/energy_model.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <spdlog/fmt/fmt.h>

#include "models/dram/dram_power.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/memspec.hpp"
#include "sim/energy/energy_scaling.hpp"

namespace systole {

namespace {

// The width an action is priced at.
enum class Width {
  OperandProduct,  // a multiply of two operands
  Operand,
  Accumulator,
  VerticalLink,    // what the dataflow's vertical links carry
  BufferIfmap,     // one access of the ifmap partition
  BufferFilter,
  BufferOfmap,
  Byte,
};

// Every action the energy model prices: the component and action it is
// reported as, the counter that counts it, the table entry that prices it
// and the width it is priced at.
struct ActionRule {
  const char* component;
  const char* action;
  Counter counter;
  const char* table_component;
  const char* table_action;
  Width width;
};

// Multiplies and adds performed are the MACs less the gated ones; the
// energy model subtracts (see performed_count).
constexpr ActionRule kActionRules[] = {
    {"multiplier", "multiply", Counter::Macs, "multiplier", "multiply", Width::OperandProduct},
    {"multiplier", "gated", Counter::MacsGated, "multiplier", "gated", Width::OperandProduct},
    {"adder", "add", Counter::Macs, "adder", "add", Width::Accumulator},
    {"adder", "gated", Counter::MacsGated, "adder", "gated", Width::Accumulator},
    {"rf_stationary", "read", Counter::RfStationaryReads, "register", "read", Width::Operand},
    {"rf_stationary", "write", Counter::RfStationaryWrites, "register", "write", Width::Operand},
    {"rf_operand", "read", Counter::RfOperandReads, "register", "read", Width::Operand},
    {"rf_operand", "write", Counter::RfOperandWrites, "register", "write", Width::Operand},
    {"rf_psum", "read", Counter::RfPsumReads, "register", "read", Width::Accumulator},
    {"rf_psum", "write", Counter::RfPsumWrites, "register", "write", Width::Accumulator},
    {"link", "hop_horizontal", Counter::LinkHopsHorizontal, "link", "hop", Width::Operand},
    {"link", "hop_vertical", Counter::LinkHopsVertical, "link", "hop", Width::VerticalLink},
    {"noc_left", "transfer", Counter::NocLeftWords, "noc", "transfer", Width::Operand},
    {"noc_top", "transfer", Counter::NocTopWords, "noc", "transfer", Width::Operand},
    {"noc_out", "transfer", Counter::NocOutWords, "noc", "transfer", Width::Accumulator},
    {"buffer_ifmap", "read", Counter::BufferIfmapReadAccesses, "buffer", "read", Width::BufferIfmap},
    {"buffer_ifmap", "write", Counter::BufferIfmapWriteAccesses, "buffer", "write", Width::BufferIfmap},
    {"buffer_filter", "read", Counter::BufferFilterReadAccesses, "buffer", "read", Width::BufferFilter},
    {"buffer_filter", "write", Counter::BufferFilterWriteAccesses, "buffer", "write", Width::BufferFilter},
    {"buffer_ofmap", "read", Counter::BufferOfmapReadAccesses, "buffer", "read", Width::BufferOfmap},
    {"buffer_ofmap", "write", Counter::BufferOfmapWriteAccesses, "buffer", "write", Width::BufferOfmap},
    {"vector_unit", "operation", Counter::VectorOperations, "vector", "operation", Width::Accumulator},
};

// Floating-point MACs are priced by their own entries (fp_multiplier,
// fp_adder): an fp32 multiply is not a 32-bit integer one.
std::string arithmetic_component(const std::string& component, DataType type) {
  const bool arithmetic = component == "multiplier" || component == "adder";
  return arithmetic && type == DataType::Fp32 ? "fp_" + component : component;
}

// Partial sums as the hardware being priced keeps them (energy.psum_bits),
// whatever width the simulation computes them at.
int priced_psum_bits(const ArchConfig& arch) {
  return arch.energy_psum_bits > 0 ? arch.energy_psum_bits : accumulator_bits(arch.array.data_type);
}

std::string unit_of(Counter counter) { return std::string(info(counter).unit); }

std::string trim_number(double value) { return fmt::format("{:.6g}", value); }

}  // namespace

double LayerEnergy::dynamic() const {
  double sum = 0;
  for (const EnergyLine& line : lines)
    if (!line.background) sum += line.energy;
  return sum;
}

double LayerEnergy::background() const {
  double sum = 0;
  for (const EnergyLine& line : lines)
    if (line.background) sum += line.energy;
  return sum;
}

EnergyModel::EnergyModel(EnergyTable table, const ArchConfig& arch, LinkPayload vertical_link)
    : table_(std::move(table)), clock_period_ns_(arch.clock_period_ns()) {
  const std::string where = "energy table '" + table_.name + "'";
  technology_nm_ = arch.energy_technology_nm > 0 ? arch.energy_technology_nm : table_.technology_nm;
  if (technology_nm_ != table_.technology_nm) {
    if (!table_.absolute())
      throw InputError(where + " is in " + table_.unit +
                       ", relative to a MAC of its own node: energy.technology_nm cannot rescale it");
    try {
      technology_factor_ = technology_energy_factor(table_.technology_nm, technology_nm_);
    } catch (const std::invalid_argument& e) {
      throw InputError("energy.technology_nm: " + std::string(e.what()));
    }
  }
  price_actions(arch, vertical_link);
  price_dram(arch);
  price_static(arch);
  compute_area(arch, vertical_link);
}

const ActionEntry& EnergyModel::entry(const std::string& component, const std::string& action) const {
  const ActionEntry* found = table_.find_action(component, action);
  if (found == nullptr)
    throw InputError("energy table '" + table_.name + "'" +
                     (table_.source.empty() ? "" : " (" + table_.source + ")") + " has no entry for " + component +
                     "." + action + ", an action this run performs");
  return *found;
}

void EnergyModel::price_actions(const ArchConfig& arch, LinkPayload vertical_link) {
  const int operand_bits = systole::operand_bits(arch.array.data_type);
  const int psum_bits = priced_psum_bits(arch);
  const GlobalBufferConfig& buffer = arch.buffer;
  // A buffer access moves one port word, or one value when ports are as
  // wide as a value; it hits one bank of its partition.
  const auto access_bits = [&](int value_bits) { return buffer.word_bytes > 0 ? buffer.word_bytes * 8 : value_bits; };
  const auto bank_bytes = [&](std::int64_t partition_bytes) {
    if (buffer.organization == BufferOrganization::Shared)
      return buffer.shared_bytes / std::max(1, buffer.banks);
    return partition_bytes / std::max(1, buffer.banks);
  };
  for (const ActionRule& rule : kActionRules) {
    const ActionEntry& e = entry(arithmetic_component(rule.table_component, arch.array.data_type), rule.table_action);
    int bits = operand_bits, other_bits = operand_bits;
    std::int64_t capacity = 0;
    std::string what;
    switch (rule.width) {
      case Width::OperandProduct:
        // At one bit the "multiply" is an XNOR gate; the product rule still
        // prices it (1/64 of an 8-bit multiply), and the entry says so.
        what = fmt::format("{}×{} bits{}", operand_bits, operand_bits, operand_bits == 1 ? ", an XNOR" : "");
        break;
      case Width::Operand: what = fmt::format("{} bits", bits); break;
      case Width::Accumulator: bits = psum_bits; break;
      case Width::VerticalLink:
        bits = vertical_link == LinkPayload::PartialSum ? psum_bits : operand_bits;
        break;
      case Width::BufferIfmap: bits = access_bits(operand_bits); capacity = bank_bytes(buffer.ifmap_bytes); break;
      case Width::BufferFilter: bits = access_bits(operand_bits); capacity = bank_bytes(buffer.filter_bytes); break;
      case Width::BufferOfmap:
        bits = access_bits(psum_bits);
        capacity = bank_bytes(buffer.ofmap_bytes);
        break;
      case Width::Byte: bits = 8; break;
    }
    if (what.empty()) what = fmt::format("{} bits", bits);
    const double width = e.width_bits > 0 ? width_factor(e.scaling, e.width_bits, bits, other_bits) : 1;
    const double sram = e.capacity_bytes > 0 && capacity > 0 ? capacity_factor(e.capacity_bytes, capacity) : 1;
    PricedAction priced;
    priced.component = rule.component;
    priced.action = rule.action;
    priced.counter = rule.counter;
    priced.count_unit = unit_of(rule.counter);
    priced.per_action = e.energy * width * sram * technology_factor_;
    priced.entry = fmt::format("{}.{} = {} {}", e.component, e.action, trim_number(e.energy), table_.unit);
    if (e.width_bits > 0)
      priced.entry += fmt::format(" per {} bits × {} ({}, {})", e.width_bits, trim_number(width), to_string(e.scaling), what);
    if (sram != 1)
      priced.entry += fmt::format(" × {} (bank {} B vs {} B, capacity^{})", trim_number(sram), capacity,
                                  e.capacity_bytes, kSramCapacityExponent);
    if (technology_factor_ != 1)
      priced.entry += fmt::format(" × {} ({:g} → {:g} nm)", trim_number(technology_factor_), table_.technology_nm,
                                  technology_nm_);
    priced.entry += " [" + e.source + "]";
    priced_.push_back(std::move(priced));
  }
}

void EnergyModel::price_dram(const ArchConfig& arch) {
  if (arch.memory_model != MemoryModel::Dram) return;
  const DramSpec spec = resolve_dram(arch.dram, "dram.spec");
  const std::optional<DramCommandEnergy> dram = dram_command_energy(spec);
  if (dram && table_.absolute()) {
    const std::string source = " [" + spec.name + " currents, " + spec.source + "]";
    const double tck_ns = spec.tck_ps * 1e-3;  // mW × ns = pJ
    const auto add = [&](const char* action, Counter counter, double pj, bool background, std::string how) {
      priced_.push_back({"dram", action, counter, unit_of(counter), pj, background, std::move(how) + source});
    };
    add("activate", Counter::DramActivates, dram->activate_pj, false, "V·(IDD0 − IDD3N)·tRAS per rank");
    add("precharge", Counter::DramPrecharges, dram->precharge_pj, false, "V·(IDD0 − IDD2N)·(tRC − tRAS) per rank");
    add("read_burst", Counter::DramReadBursts, dram->read_burst_pj, false, "V·(IDD4R − IDD3N)·tBURST per rank");
    add("write_burst", Counter::DramWriteBursts, dram->write_burst_pj, false, "V·(IDD4W − IDD3N)·tBURST per rank");
    add("refresh", Counter::DramRefreshes, dram->refresh_pj, false, "V·(IDD5B − IDD3N)·tRFC per rank");
    add("active_standby", Counter::DramActiveStandbyCycles, dram->active_standby_mw * tck_ns, true,
        fmt::format("V·IDD3N = {} mW per rank × tCK {} ns", trim_number(dram->active_standby_mw), trim_number(tck_ns)));
    add("precharge_standby", Counter::DramPrechargeStandbyCycles, dram->precharge_standby_mw * tck_ns, true,
        fmt::format("V·IDD2N = {} mW per rank × tCK {} ns", trim_number(dram->precharge_standby_mw),
                    trim_number(tck_ns)));
    return;
  }
  for (const auto& [action, counter] : {std::pair{"read", Counter::DramIfmapReadBytes},
                                        std::pair{"read", Counter::DramFilterReadBytes},
                                        std::pair{"read", Counter::DramOfmapReadBytes},
                                        std::pair{"write", Counter::DramOfmapWriteBytes}}) {
    const ActionEntry& e = entry("dram", action);
    const double width = e.width_bits > 0 ? width_factor(e.scaling, e.width_bits, 8, 8) : 1;
    const std::string name = std::string(info(counter).name);
    const std::string operand = name.substr(5, name.find('_', 5) - 5);  // dram_<operand>_...
    PricedAction priced{"dram_" + operand, action, counter, unit_of(counter), e.energy * width * technology_factor_,
                        false,
                        fmt::format("dram.{} = {} {} per {} bits × {} per byte", action, trim_number(e.energy),
                                    table_.unit, e.width_bits, trim_number(width))};
    if (technology_factor_ != 1) priced.entry += fmt::format(" × {}", trim_number(technology_factor_));
    priced.entry += " [" + e.source + "]";
    priced_.push_back(std::move(priced));
  }
}

void EnergyModel::price_static(const ArchConfig& arch) {
  if (table_.statics.empty()) return;
  if (!table_.absolute())
    throw InputError("energy table '" + table_.name + "' gives static power but its unit is " + table_.unit +
                     ", not pJ");
  double milliwatts = 0;
  std::string how;
  if (const StaticEntry* pe = table_.find_static("pe")) {
    milliwatts += pe->milliwatts * static_cast<double>(arch.array.pe_count());
    how += fmt::format("{} mW per PE × {} PEs [{}]", trim_number(pe->milliwatts), arch.array.pe_count(), pe->source);
  }
  if (const StaticEntry* buffer = table_.find_static("buffer")) {
    const GlobalBufferConfig& b = arch.buffer;
    const double kib = static_cast<double>(b.organization == BufferOrganization::Shared
                                               ? b.shared_bytes
                                               : b.ifmap_bytes + b.filter_bytes + b.ofmap_bytes) /
                       1024;
    milliwatts += buffer->milliwatts * kib;
    how += fmt::format("{}{} mW per KiB × {} KiB [{}]", how.empty() ? "" : " + ", trim_number(buffer->milliwatts),
                       trim_number(kib), buffer->source);
  }
  milliwatts *= technology_factor_;
  if (technology_factor_ != 1) how += fmt::format(" × {} (technology)", trim_number(technology_factor_));
  static_milliwatts_ = milliwatts;
  priced_.push_back({"chip", "static", Counter::Cycles, "cycles", milliwatts * clock_period_ns_, true,
                     fmt::format("{} mW × {} ns per cycle: {}", trim_number(milliwatts),
                                 trim_number(clock_period_ns_), how)});
}

void EnergyModel::compute_area(const ArchConfig& arch, LinkPayload vertical_link) {
  if (table_.areas.empty()) return;
  const int operand_bits = systole::operand_bits(arch.array.data_type);
  const int psum_bits = priced_psum_bits(arch);
  const double pes = static_cast<double>(arch.array.pe_count());
  const auto add = [&](const char* component, double count, const char* unit, const char* entry_name, int bits_a,
                       int bits_b) {
    const AreaEntry* e = table_.find_area(entry_name);
    if (e == nullptr) return;
    const double width = e->width_bits > 0 ? width_factor(e->scaling, e->width_bits, bits_a, bits_b) : 1;
    const double each = e->um2 * width;
    area_.push_back({component, count, unit, each, each * count,
                     fmt::format("{} = {} µm²{} [{}]", entry_name, trim_number(e->um2),
                                 e->width_bits > 0 ? fmt::format(" per {} bits × {}", e->width_bits, trim_number(width))
                                                   : std::string(),
                                 e->source)});
  };
  const DataType type = arch.array.data_type;
  add("multiplier", pes, "PEs", arithmetic_component("multiplier", type).c_str(), operand_bits, operand_bits);
  add("adder", pes, "PEs", arithmetic_component("adder", type).c_str(), psum_bits, psum_bits);
  // The registers a PE of this dataflow holds: in the stationary mode the
  // stationary operand (two with the pipelined shadow copy), the moving
  // operand and the partial sum; in output stationary two moving operands
  // and the accumulator.
  const int stationary_copies = arch.array.microarch == Microarch::Pipelined ? 2 : 1;
  const double bits_per_pe = vertical_link == LinkPayload::PartialSum
                                 ? stationary_copies * operand_bits + operand_bits + psum_bits
                                 : 2.0 * operand_bits + psum_bits;
  add("pe_registers", pes * bits_per_pe, "bits", "register_bit", 1, 1);
  const GlobalBufferConfig& b = arch.buffer;
  const double buffer_bytes = static_cast<double>(
      b.organization == BufferOrganization::Shared ? b.shared_bytes : b.ifmap_bytes + b.filter_bytes + b.ofmap_bytes);
  add("global_buffer", buffer_bytes, "bytes", "sram_byte", 8, 8);
}

LayerEnergy EnergyModel::price(const Counters& counters) const {
  LayerEnergy energy;
  energy.lines.reserve(priced_.size());
  for (const PricedAction& p : priced_) {
    std::int64_t count = counters[p.counter];
    if (p.counter == Counter::Macs) count -= counters[Counter::MacsGated];
    energy.lines.push_back({p.component, p.action, count, p.count_unit, p.per_action,
                            static_cast<double>(count) * p.per_action, p.background, p.entry});
  }
  return energy;
}

std::vector<std::string> priced_table_actions() {
  std::vector<std::string> names;
  const auto add = [&](const std::string& name) {
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  };
  for (const ActionRule& rule : kActionRules) {
    add(std::string(rule.table_component) + "." + rule.table_action);
    add(arithmetic_component(rule.table_component, DataType::Fp32) + "." + rule.table_action);
  }
  for (const char* name : {"dram.read", "dram.write"}) add(name);
  return names;
}

std::vector<std::string> energy_components() {
  std::vector<std::string> components;
  const auto add = [&](const std::string& component) {
    if (std::find(components.begin(), components.end(), component) == components.end())
      components.push_back(component);
  };
  for (const ActionRule& rule : kActionRules) add(rule.component);
  for (const char* component : {"dram", "dram_ifmap", "dram_filter", "dram_ofmap", "chip"}) add(component);
  return components;
}

std::vector<ActionPrice> EnergyModel::action_prices() const {
  std::vector<ActionPrice> prices;
  for (const PricedAction& p : priced_) prices.push_back({p.component, p.counter, p.per_action});
  return prices;
}

std::optional<double> EnergyModel::static_milliwatts() const { return static_milliwatts_; }

double EnergyModel::area_mm2() const {
  double um2 = 0;
  for (const AreaLine& line : area_) um2 += line.um2;
  return um2 * 1e-6;
}

}  // namespace systole
