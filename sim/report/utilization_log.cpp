#include "sim/report/utilization_log.hpp"

#include <algorithm>

namespace systole {

UtilizationLog::UtilizationLog(const std::string& path, std::int64_t window, long long pe_count,
                               double clock_period_ns, std::optional<CycleEnergy> energy)
    : file_(path),
      window_(window),
      pe_count_(pe_count),
      clock_period_ns_(clock_period_ns),
      energy_(std::move(energy)),
      next_dram_read_(first_dram_read()) {
  if (energy_) {
    open_.energy = &window_energy_;
    open_.priced = &energy_->priced();
  }
  write_header(file_.stream());
}

void UtilizationLog::write_header(std::ostream& out) {
  const std::vector<UtilizationColumn>& columns = utilization_columns();
  for (std::size_t c = 0; c < columns.size(); ++c) out << (c > 0 ? "," : "") << columns[c].doc.name;
  out << '\n';
}

void UtilizationLog::begin_step(int layer, std::int64_t first_cycle) {
  // A window never spans two steps, so each row is one layer's, and a step's
  // rows do not depend on the steps before it (sim/engine/layer_pool.hpp).
  flush_window();
  layer_ = layer;
  step_first_cycle_ = first_cycle;
  if (energy_) energy_->begin_step();
}

inline void UtilizationLog::add_cycles(const CycleActivity& activity, std::int64_t count) {
  if (open_.cycles == 0) {
    open_.first_cycle = step_first_cycle_ + activity.cycle;
    open_.layer = layer_;
  }
  open_.sums.add(activity, static_cast<std::uint64_t>(count));
  open_.cycles += count;
  if (open_.cycles == window_)
    flush_window();
  else if (open_.cycles == next_dram_read_)
    read_dram_when_due();
}

void UtilizationLog::read_dram_when_due() {
  energy_->read_dram(open_.first_cycle - step_first_cycle_ + open_.cycles - 1);
  next_dram_read_ += kDramReadEvery;
}

void UtilizationLog::on_cycle(const CycleActivity& activity, const Execution&) { add_cycles(activity, 1); }

void UtilizationLog::on_cycles(const CycleActivity& activity, std::int64_t count, const Execution&) {
  add_cycles(activity, count);
}

void UtilizationLog::on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                                 const Execution&) {
  if (open_.cycles == 0) {
    open_.first_cycle = step_first_cycle_ + cycles[0].cycle;
    open_.layer = layer_;
  }
  open_.sums += totals;
  open_.cycles += count;
  if (open_.cycles == window_)
    flush_window();
  else if (open_.cycles == next_dram_read_)
    read_dram_when_due();
}

void UtilizationLog::flush_window() {
  if (open_.cycles == 0) return;
  if (energy_)
    window_energy_ = energy_->take(open_.sums, open_.cycles, open_.first_cycle - step_first_cycle_ + open_.cycles - 1);
  const std::vector<UtilizationColumn>& columns = utilization_columns();
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (c > 0) file_.stream() << ',';
    columns[c].cell(file_.stream(), open_, pe_count_, clock_period_ns_);
  }
  file_.stream() << '\n';
  open_.cycles = 0;
  open_.sums = CycleTotals{};
  next_dram_read_ = first_dram_read();
}

void UtilizationLog::commit() {
  flush_window();
  file_.commit();
}

}  // namespace systole
