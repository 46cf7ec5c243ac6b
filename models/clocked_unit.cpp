#include "models/clocked_unit.hpp"

#include <algorithm>
#include <limits>

namespace systole {

void CycleObserver::on_cycles(const CycleActivity& activity, std::int64_t count, const Execution& execution) {
  CycleActivity cycle = activity;
  for (std::int64_t c = 0; c < count; ++c, ++cycle.cycle) on_cycle(cycle, execution);
}

void CycleObserver::on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals&,
                                const Execution& execution) {
  for (std::int64_t c = 0; c < count; ++c) on_cycle(cycles[c], execution);
}

void CycleObserver::on_slept(const CycleActivity* cycles, std::int64_t count, std::int64_t,
                             const CycleTotals& totals, const Execution& execution) {
  on_sequence(cycles, count, totals, execution);
}

ClockedUnit::ClockedUnit(const sc_core::sc_module_name& name) : sc_core::sc_module(name) {
  SC_METHOD(on_edge);
  sensitive << started_;
  dont_initialize();
}

void ClockedUnit::start(Execution& execution, const sc_core::sc_time& period, std::int64_t pause_interval,
                        std::chrono::milliseconds pause_after, MemoryWakeup* memory) {
  pause_after_ = pause_after;
  paused_at_ = std::chrono::steady_clock::now();
  execution_ = &execution;
  period_ = period;
  last_edge_ = sc_core::sc_time_stamp();
  memory_ = memory;
  caught_up_pending_ = false;
  pause_interval_ = pause_interval;
  cycles_since_pause_ = 0;
  clock_read_at_ = -256;
  started_.notify(period);
}

void ClockedUnit::remove_observer(CycleObserver& observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), &observer), observers_.end());
}

std::int64_t ClockedUnit::observers_max_run() const {
  std::int64_t run = std::numeric_limits<std::int64_t>::max();
  for (const CycleObserver* observer : observers_) run = std::min(run, observer->max_run());
  return run;
}

void ClockedUnit::step_slept(std::int64_t count) {
  // In runs that end where an observer's must, at most a chunk at a time.
  constexpr std::int64_t kChunk = 4096;
  if (slept_.size() < static_cast<std::size_t>(std::min(count, kChunk)))
    slept_.resize(static_cast<std::size_t>(std::min(count, kChunk)));
  const bool write_alike = std::any_of(observers_.begin(), observers_.end(),
                                       [](const CycleObserver* observer) { return observer->reads_each_alike_cycle(); });
  while (count > 0) {
    const std::int64_t run = std::min({count, observers_max_run(), kChunk});
    CycleTotals totals;
    const std::int64_t alike_from = execution_->step_quiet_run(slept_.data(), run, totals, write_alike);
    for (CycleObserver* observer : observers_) observer->on_slept(slept_.data(), run, alike_from, totals, *execution_);
    last_edge_ += sc_core::sc_time::from_value(period_.value() * static_cast<sc_dt::uint64>(run));
    cycles_since_pause_ += run;
    slept_cycles_ += run;
    count -= run;
  }
}

void ClockedUnit::step() {
  const CycleActivity activity = execution_->step();
  std::int64_t cycles = 1;
  // Runs of repeats (which the work offers only where no memory acts on its
  // cycles) and replays only if every observer takes runs, and never past a
  // pause: the pauses fall on the same cycles either way.
  std::int64_t replayed_cycles = 0;
  const std::int64_t before_pause = pause_interval_ - cycles_since_pause_ - 1;
  const std::int64_t known = execution_->replayable();
  if (known > 0 && known <= before_pause && observers_max_run() > 1) {
    replayed_cycles = known;
  } else if (execution_->may_repeat()) {
    const std::int64_t limit = std::min(observers_max_run() - 1, before_pause);
    if (limit > 0) cycles += execution_->skip_repeats(limit);
  }
  if (cycles == 1) {
    for (CycleObserver* observer : observers_) observer->on_cycle(activity, *execution_);
    last_edge_ += period_;
  } else {
    for (CycleObserver* observer : observers_) observer->on_cycles(activity, cycles, *execution_);
    repeated_cycles_ += cycles - 1;
    last_edge_ += sc_core::sc_time::from_value(period_.value() * static_cast<sc_dt::uint64>(cycles));
  }
  cycles_since_pause_ += cycles;
  if (replayed_cycles == 0) return;
  // In runs that end where an observer's must (a window's end), each
  // observed before the next is replayed.
  for (std::int64_t first = 0; first < replayed_cycles;) {
    const std::int64_t count = std::min(replayed_cycles - first, observers_max_run());
    const CycleActivity* replayed = execution_->replay(count);
    const CycleTotals* totals = execution_->replayed_totals();
    const CycleTotals run = totals[count].minus(totals[0]);
    for (CycleObserver* observer : observers_) observer->on_sequence(replayed, count, run, *execution_);
    first += count;
  }
  replayed_cycles_ += replayed_cycles;
  last_edge_ += sc_core::sc_time::from_value(period_.value() * static_cast<sc_dt::uint64>(replayed_cycles));
  cycles_since_pause_ += replayed_cycles;
}

bool ClockedUnit::overdue() {
  // The wall clock is read every 256 cycles or so: often enough for a
  // 1024x1024 array, rarely enough to cost nothing. Where it pauses changes
  // nothing the run reports. Asked again in the cycle it was last read in
  // (after a run ahead, before its pause), it reads it again.
  if (cycles_since_pause_ != clock_read_at_) {
    if (cycles_since_pause_ < clock_read_at_ + 256) return false;
    clock_read_at_ = cycles_since_pause_;
  }
  return std::chrono::steady_clock::now() - paused_at_ >= pause_after_;
}

void ClockedUnit::on_edge() {
  if (execution_ == nullptr) {
    next_trigger(started_);
    return;
  }
  if (caught_up_pending_) {
    // SystemC's time has reached the last cycle stepped ahead of it.
    caught_up_pending_ = false;
  } else {
    // Woken by memory, possibly between edges: wait for the first edge at or
    // after now, then account the cycles before it as quiet ones.
    const sc_dt::uint64 since = (sc_core::sc_time_stamp() - last_edge_).value(), period = period_.value();
    const sc_dt::uint64 cycles = std::max<sc_dt::uint64>(1, (since + period - 1) / period);
    if (cycles * period != since) {
      next_trigger(sc_core::sc_time::from_value(cycles * period - since));
      return;
    }
    step_slept(static_cast<std::int64_t>(cycles - 1));
    step();
    while (!execution_->finished() && cycles_since_pause_ < pause_interval_ && !overdue() && !sleeps()) step();
    if (last_edge_ > sc_core::sc_time_stamp()) {
      caught_up_pending_ = true;
      next_trigger(last_edge_ - sc_core::sc_time_stamp());
      return;
    }
  }
  if (execution_->finished()) {
    execution_ = nullptr;
    next_trigger(started_);
    sc_core::sc_pause();
    return;
  }
  const bool sleeping = sleeps();
  // The wall clock never interrupts a sleep, and the sleeps' bounds follow
  // the cycle count alone.
  if (cycles_since_pause_ >= pause_interval_ || (!sleeping && overdue())) {
    // Paused, the process waits for resume() or the next start(), so no
    // wake-up of this run can reach a later one.
    if (cycles_since_pause_ >= pause_interval_) {
      cycles_since_pause_ = 0;
      clock_read_at_ = -256;
    }
    next_trigger(started_);
    sc_core::sc_pause();
    return;
  }
  if (sleeping) {  // until memory or the next pause
    const sc_core::sc_time timeout = period_ * static_cast<double>(pause_interval_ - cycles_since_pause_);
    next_trigger(timeout, memory_->sleep_until(sc_core::sc_time_stamp() + timeout));
  } else
    next_trigger(period_);
}

}  // namespace systole
