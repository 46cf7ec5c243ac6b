#include "models/clocked_unit.hpp"

#include <algorithm>

namespace systole {

ClockedUnit::ClockedUnit(const sc_core::sc_module_name& name)
    : sc_core::sc_module(name), clk("clk") {
  SC_METHOD(on_rising_edge);
  sensitive << clk.pos();
  dont_initialize();
}

void ClockedUnit::start(Execution& execution, std::int64_t pause_interval) {
  execution_ = &execution;
  pause_interval_ = pause_interval;
  cycles_since_pause_ = 0;
}

void ClockedUnit::remove_observer(CycleObserver& observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), &observer),
                   observers_.end());
}

void ClockedUnit::on_rising_edge() {
  if (execution_ == nullptr) return;
  const CycleActivity activity = execution_->step();
  for (CycleObserver* observer : observers_) observer->on_cycle(activity, *execution_);
  if (execution_->finished()) {
    execution_ = nullptr;
    sc_core::sc_pause();
  } else if (++cycles_since_pause_ >= pause_interval_) {
    cycles_since_pause_ = 0;
    sc_core::sc_pause();
  }
}

}  // namespace systole
