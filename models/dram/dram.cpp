#include "models/dram/dram.hpp"

#include <stdexcept>

namespace systole {

Dram::Dram(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
  SC_METHOD(on_clock);
  sensitive << sleeper_;
  dont_initialize();
}

void Dram::attach(DramBackend& system) {
  system_ = &system;
  origin_ = sc_core::sc_time_stamp();
  sleeper_deadline_fs_ = -1;
  ahead_to_fs_ = 0;
  system.on_transfer([this] {
    if (time_fs() < ahead_to_fs_)
      throw std::logic_error("Dram: a transfer started while a sleeping unit let the DRAM run ahead");
  });
}

void Dram::detach(const DramBackend& system) {
  if (system_ != &system) return;
  system_->on_transfer(nullptr);
  system_ = nullptr;
}

std::int64_t Dram::time_fs() const {
  return static_cast<std::int64_t>((sc_core::sc_time_stamp() - origin_).value());
}

const sc_core::sc_event& Dram::sleep_until(const sc_core::sc_time& deadline) {
  sleeper_deadline_fs_ = static_cast<std::int64_t>((deadline - origin_).value());
  // The sleeper saw every transfer that completed by now.
  if (system_ != nullptr) system_->take_finished_transfers();
  sleeper_.notify(sc_core::SC_ZERO_TIME);
  return transfer_finished_;
}

void Dram::on_clock() {
  if (system_ == nullptr || sleeper_deadline_fs_ < 0) return;
  const std::int64_t now = time_fs();
  const std::int64_t deadline = sleeper_deadline_fs_;
  sleeper_deadline_fs_ = -1;
  system_->advance_to(now);
  ahead_to_fs_ = now;
  while (true) {
    const std::int64_t next = system_->next_event_fs();
    if (next == DramBackend::kNever || next > deadline) return;  // the sleeper wakes at its deadline
    ahead_to_fs_ = system_->run_ahead_through(next, deadline);
    if (system_->take_finished_transfers()) {
      transfer_finished_.notify(sc_core::sc_time::from_value(static_cast<sc_dt::uint64>(next - now)));
      return;
    }
  }
}

}  // namespace systole
