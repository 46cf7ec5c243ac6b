#include "sim/report/vcd_tracer.hpp"

#include <algorithm>

#include "sim/report/figures.hpp"

namespace systole {

namespace {

const char* const kRegisterNames[] = {"left_operand", "left_valid",  "stationary0", "stationary1",
                                      "partial_sum",  "top_operand", "top_valid",   "accumulator"};

// The signals before the PEs': layer, fold, phase, then the aggregates.
constexpr std::size_t kLayer = 0, kFold = 1, kPhase = 2, kFirstFigure = 3;

VcdSignal value_signal(const std::string& name, bool sum, DataType type) {
  if (type == DataType::Fp32) return {name, 64, VcdSignal::Kind::Real};
  // int1's values are -1 and +1: two bits in two's complement.
  const int bits = sum ? accumulator_bits(type) : std::max(2, operand_bits(type));
  return {name, bits, VcdSignal::Kind::Signed};
}

VcdSignal register_signal(const std::string& name, PeRegister reg, DataType type) {
  if (reg == PeRegister::LeftValid || reg == PeRegister::TopValid) return {name, 1, VcdSignal::Kind::Unsigned};
  return value_signal(name, reg == PeRegister::PartialSum || reg == PeRegister::Accumulator, type);
}

int count_bits(int entries) {
  int bits = 1;
  while ((std::int64_t{1} << bits) <= entries) ++bits;
  return bits;
}

// Each PE's signals: its registers, then per scratchpad its count and entries.
std::size_t signals_per_pe(const PeTraceLayout& pe) {
  std::size_t signals = pe.registers.size();
  for (const ScratchpadLayout& pad : pe.scratchpads) signals += 1 + static_cast<std::size_t>(pad.entries);
  return signals;
}

double read(const PeSnapshot& snap, PeRegister reg) {
  switch (reg) {
    case PeRegister::Left: return snap.left_operand;
    case PeRegister::LeftValid: return snap.left_valid;
    case PeRegister::Stationary0: return snap.stationary[0];
    case PeRegister::Stationary1: return snap.stationary[1];
    case PeRegister::PartialSum: return snap.partial_sum;
    case PeRegister::Top: return snap.top_operand;
    case PeRegister::TopValid: return snap.top_valid;
    case PeRegister::Accumulator: return snap.accumulator;
  }
  return 0;
}

}  // namespace

// The power figures that `priced` gives.
std::vector<std::size_t> traced_power_figures(const PricedGroups& priced) {
  std::vector<std::size_t> traced;
  const std::vector<PowerFigure>& figures = power_figures();
  for (std::size_t f = 0; f < figures.size(); ++f)
    if (figures[f].milliwatts(GroupEnergy{}, priced, 1)) traced.push_back(f);
  return traced;
}

std::vector<VcdSignal> vcd_signals(const VcdOptions& options, const ArrayConfig& array, const PeTraceLayout& pe,
                                   const PricedGroups* power) {
  std::vector<VcdSignal> signals = {{"layer", 16, VcdSignal::Kind::Unsigned},
                                    {"fold", 32, VcdSignal::Kind::Unsigned},
                                    {"phase", 3, VcdSignal::Kind::Unsigned}};
  for (const CycleFigure& figure : cycle_figures())
    signals.push_back({figure.doc.name, figure.bits, VcdSignal::Kind::Unsigned});
  if (power != nullptr)
    for (std::size_t f : traced_power_figures(*power))
      signals.push_back({power_figures()[f].doc.name, 64, VcdSignal::Kind::Real});
  for (int r = options.row_first; r <= options.row_last; ++r)
    for (int c = options.col_first; c <= options.col_last; ++c) {
      const std::string prefix = "array.pe_" + std::to_string(r) + "_" + std::to_string(c) + ".";
      for (PeRegister reg : pe.registers)
        signals.push_back(register_signal(prefix + kRegisterNames[static_cast<int>(reg)], reg, array.data_type));
      for (const ScratchpadLayout& pad : pe.scratchpads) {
        signals.push_back({prefix + pad.name + ".count", count_bits(pad.entries), VcdSignal::Kind::Unsigned});
        for (int e = 0; e < pad.entries; ++e)
          signals.push_back(value_signal(prefix + pad.name + "." + std::to_string(e), pad.sums, array.data_type));
      }
    }
  return signals;
}

std::uint64_t vcd_size_bound(const VcdOptions& options, const ArrayConfig& array, std::uint64_t clock_period_fs,
                             const PeTraceLayout& pe) {
  const std::uint64_t cycles = static_cast<std::uint64_t>(options.cycle_last - options.cycle_first) + 1;
  const std::uint64_t units = vcd_timescale(clock_period_fs).units_per_period;
  const std::uint64_t last_cycle = static_cast<std::uint64_t>(options.cycle_last) + 1;
  const std::uint64_t last_time =
      last_cycle > UINT64_MAX / units ? UINT64_MAX : last_cycle * units;
  PricedGroups every_part;
  for (bool& priced : every_part.priced) priced = true;
  return VcdWriter::size_bound(vcd_signals(options, array, pe, &every_part), cycles, last_time);
}

VcdTracer::VcdTracer(const VcdOptions& options, const ArrayConfig& array, std::uint64_t clock_period_fs,
                     PeTraceLayout pe, std::optional<CycleEnergy> energy)
    : options_(options),
      real_values_(array.data_type == DataType::Fp32),
      traced_(std::move(pe)),
      timescale_(vcd_timescale(clock_period_fs)),
      file_(options.path),
      energy_(std::move(energy)),
      clock_period_ns_(static_cast<double>(clock_period_fs) * 1e-6) {
  const std::vector<VcdSignal> signals =
      vcd_signals(options, array, traced_, energy_ ? &energy_->priced() : nullptr);
  std::size_t next = kFirstFigure + cycle_figures().size();
  if (energy_)
    for (std::size_t f : traced_power_figures(energy_->priced())) power_signals_.push_back({f, next++});
  for (int r = options.row_first; r <= options.row_last; ++r)
    for (int c = options.col_first; c <= options.col_last; ++c) {
      pes_.push_back({r, c, next});
      next += signals_per_pe(traced_);
    }
  writer_.emplace(file_.stream(), signals, timescale_);
}

void VcdTracer::begin_step(int layer, std::int64_t first_cycle) {
  running_layer_ = layer;
  step_first_cycle_ = first_cycle;
  if (energy_) energy_->begin_step();
}

void VcdTracer::on_cycle(const CycleActivity& activity, const Execution& execution) {
  const std::int64_t cycle = step_first_cycle_ + activity.cycle;
  const bool before_window = cycle == options_.cycle_first - 1;
  if (!before_window && (cycle < options_.cycle_first || cycle > options_.cycle_last)) return;
  CycleTotals totals;
  totals.add(activity);
  if (before_window) {
    if (energy_) energy_->take(totals, 1, activity.cycle);  // what the cycles before the window did
    return;
  }
  if (energy_) {
    const GroupEnergy energy = energy_->take(totals, 1, activity.cycle);
    for (const auto& [figure, signal] : power_signals_)
      writer_->set_real(signal, *power_figures()[figure].milliwatts(energy, energy_->priced(), clock_period_ns_));
  }
  writer_->set(kLayer, running_layer_);
  // Before a step's first fold starts, fold 0 is next.
  writer_->set(kFold, std::max(activity.fold, 0));
  writer_->set(kPhase, static_cast<int>(activity.phase));
  const std::vector<CycleFigure>& figures = cycle_figures();
  for (std::size_t f = 0; f < figures.size(); ++f)
    writer_->set(kFirstFigure + f, static_cast<std::int64_t>(figures[f].value(totals)));
  for (const TracedPe& pe : pes_) {
    const PeSnapshot snap = execution.probe(pe.row, pe.col);
    std::size_t signal = pe.first_signal;
    for (PeRegister reg : traced_.registers) {
      const double value = read(snap, reg);
      if (real_values_ && reg != PeRegister::LeftValid && reg != PeRegister::TopValid)
        writer_->set_real(signal++, value);
      else
        writer_->set(signal++, static_cast<std::int64_t>(value));
    }
    if (traced_.scratchpads.empty()) continue;
    execution.probe_scratchpads(pe.row, pe.col, scratchpads_);
    for (std::size_t p = 0; p < traced_.scratchpads.size(); ++p) {
      const ScratchpadSnapshot* values = p < scratchpads_.size() ? &scratchpads_[p] : nullptr;
      const int live = values ? static_cast<int>(values->size()) : 0;
      writer_->set(signal++, live);
      for (int e = 0; e < traced_.scratchpads[p].entries; ++e) {
        const double value = e < live ? (*values)[static_cast<std::size_t>(e)] : 0;
        if (real_values_)
          writer_->set_real(signal++, value);
        else
          writer_->set(signal++, static_cast<std::int64_t>(value));
      }
    }
  }
  // Cycle c's values hold from the end of the cycle, c + 1 periods after the
  // run started.
  writer_->emit(static_cast<std::uint64_t>(cycle + 1) * timescale_.units_per_period);
}

void VcdTracer::commit() { file_.commit(); }

}  // namespace systole
