#include "models/dram/dram.hpp"

namespace systole {

Dram::Dram(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
  SC_METHOD(on_clock);
  sensitive << replan_;
  dont_initialize();
}

void Dram::attach(DramBackend& system) {
  system_ = &system;
  origin_ = sc_core::sc_time_stamp();
  system.on_transfer([this] { replan_.notify(sc_core::SC_ZERO_TIME); });
  replan_.notify(sc_core::SC_ZERO_TIME);
}

void Dram::detach(const DramBackend& system) {
  if (system_ != &system) return;
  system_->on_transfer(nullptr);
  system_ = nullptr;
}

std::int64_t Dram::time_fs() const {
  return static_cast<std::int64_t>((sc_core::sc_time_stamp() - origin_).value());
}

void Dram::on_clock() {
  if (system_ == nullptr) {
    next_trigger(replan_);
    return;
  }
  const std::int64_t now = time_fs();
  system_->advance_to(now);
  if (system_->take_finished_transfers()) transfer_finished_.notify(sc_core::SC_ZERO_TIME);
  const std::int64_t next = system_->next_event_fs();
  if (next == DramBackend::kNever)
    next_trigger(replan_);
  else
    next_trigger(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(next - now)), replan_);
}

}  // namespace systole
