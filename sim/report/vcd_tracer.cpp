#include "sim/report/vcd_tracer.hpp"

#include <cstdio>

#include "sim/report/atomic_file.hpp"
#include "sim/report/figures.hpp"

namespace systole {

namespace {
const char* const kRegisterNames[] = {"left_operand", "left_valid",  "stationary0", "stationary1",
                                      "partial_sum",  "top_operand", "top_valid",   "accumulator"};
}

VcdTracer::VcdTracer(const VcdOptions& options, const ArrayConfig& array, std::vector<PeRegister> registers,
                     double clock_period_ns, std::optional<CycleEnergy> energy)
    : options_(options),
      real_values_(array.data_type == DataType::Fp32),
      traced_registers_(std::move(registers)),
      clock_period_ns_(clock_period_ns),
      energy_(std::move(energy)) {
  partial_stem_ = options.path + ".partial";
  // SystemC announces the timescale as an info report on stdout.
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  file_ = sc_core::sc_create_vcd_trace_file(partial_stem_.c_str());
  // The kernel's own unit: DRAM and accelerator edges can fall within a
  // picosecond of each other, and SystemC warns when a coarser unit merges
  // two time steps.
  file_->set_time_unit(1, sc_core::SC_FS);
  sc_core::sc_trace(file_, layer_, "layer", 16);
  sc_core::sc_trace(file_, fold_, "fold", 32);
  sc_core::sc_trace(file_, phase_, "phase", 3);
  const std::vector<CycleFigure>& figures = cycle_figures();
  figures_.assign(figures.size(), 0);
  for (std::size_t f = 0; f < figures.size(); ++f)
    sc_core::sc_trace(file_, figures_[f], figures[f].doc.name, figures[f].bits);
  if (energy_) {
    const std::vector<PowerFigure>& power = power_figures();
    power_.assign(power.size(), 0);
    for (std::size_t f = 0; f < power.size(); ++f)
      if (power[f].milliwatts(GroupEnergy{}, energy_->priced(), 1)) sc_core::sc_trace(file_, power_[f], power[f].doc.name);
  }

  for (int r = options.row_first; r <= options.row_last; ++r)
    for (int c = options.col_first; c <= options.col_last; ++c) pes_.push_back({r, c, {}, {}});
  for (PeMirror& pe : pes_) {
    const std::string prefix = "array.pe_" + std::to_string(pe.row) + "_" + std::to_string(pe.col) + ".";
    for (PeRegister reg : traced_registers_) {
      const int r = static_cast<int>(reg);
      const std::string name = prefix + kRegisterNames[r];
      const bool flag = reg == PeRegister::LeftValid || reg == PeRegister::TopValid;
      if (real_values_ && !flag)
        sc_core::sc_trace(file_, pe.reals[r], name);
      else
        sc_core::sc_trace(file_, pe.values[r], name, flag ? 1 : 64);
    }
  }
}

VcdTracer::~VcdTracer() {
  if (file_ != nullptr) {
    sc_core::sc_close_vcd_trace_file(file_);
    std::remove((partial_stem_ + ".vcd").c_str());
  }
}

void VcdTracer::begin_step(int layer, std::int64_t first_cycle) {
  running_layer_ = static_cast<unsigned>(layer);
  step_first_cycle_ = first_cycle;
  if (energy_) energy_->begin_step();
}

double VcdTracer::read(const PeSnapshot& snap, PeRegister reg) {
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

void VcdTracer::on_cycle(const CycleActivity& activity, const Execution& execution) {
  const std::int64_t cycle = step_first_cycle_ + activity.cycle;
  if (energy_ && cycle == options_.cycle_first - 1) {
    energy_->add(activity);
    energy_->take();  // what the cycles before the window did
  }
  if (cycle < options_.cycle_first || cycle > options_.cycle_last) return;
  if (energy_) {
    energy_->add(activity);
    const GroupEnergy energy = energy_->take();
    const std::vector<PowerFigure>& power = power_figures();
    for (std::size_t f = 0; f < power.size(); ++f)
      power_[f] = power[f].milliwatts(energy, energy_->priced(), clock_period_ns_).value_or(0);
  }
  layer_ = running_layer_;
  fold_ = activity.fold;
  phase_ = static_cast<unsigned>(activity.phase);
  CycleTotals totals;
  totals.add(activity);
  const std::vector<CycleFigure>& figures = cycle_figures();
  for (std::size_t f = 0; f < figures.size(); ++f) figures_[f] = static_cast<unsigned>(figures[f].value(totals));
  for (PeMirror& pe : pes_) {
    const PeSnapshot snap = execution.probe(pe.row, pe.col);
    for (PeRegister reg : traced_registers_) {
      const double value = read(snap, reg);
      pe.reals[static_cast<int>(reg)] = value;
      pe.values[static_cast<int>(reg)] = static_cast<sc_dt::int64>(value);
    }
  }
}

void VcdTracer::commit() {
  sc_core::sc_close_vcd_trace_file(file_);
  file_ = nullptr;
  commit_file(partial_stem_ + ".vcd", options_.path);
}

}  // namespace systole
