#include "models/dram/dram_controller.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>

namespace systole {

std::string to_string(DramCommand command) {
  switch (command) {
    case DramCommand::Activate: return "ACT";
    case DramCommand::Precharge: return "PRE";
    case DramCommand::Read: return "RD";
    case DramCommand::Write: return "WR";
    case DramCommand::Refresh: return "REF";
  }
  return "?";
}

DramChannelStats& DramChannelStats::operator+=(const DramChannelStats& o) {
  reads += o.reads;
  writes += o.writes;
  row_hits += o.row_hits;
  row_misses += o.row_misses;
  row_conflicts += o.row_conflicts;
  activates += o.activates;
  precharges += o.precharges;
  refreshes += o.refreshes;
  active_standby_cycles += o.active_standby_cycles;
  precharge_standby_cycles += o.precharge_standby_cycles;
  latency_sum += o.latency_sum;
  latency_max = std::max(latency_max, o.latency_max);
  data_bus_cycles += o.data_bus_cycles;
  return *this;
}

DramChannelStats repeated(const DramChannelStats& from, const DramChannelStats& period_end,
                          const DramChannelStats& period_start, std::int64_t times) {
  const auto grown = [times](std::int64_t value, std::int64_t end, std::int64_t start) {
    return value + (end - start) * times;
  };
  const DramChannelStats& e = period_end;
  const DramChannelStats& b = period_start;
  DramChannelStats s = from;
  s.reads = grown(from.reads, e.reads, b.reads);
  s.writes = grown(from.writes, e.writes, b.writes);
  s.row_hits = grown(from.row_hits, e.row_hits, b.row_hits);
  s.row_misses = grown(from.row_misses, e.row_misses, b.row_misses);
  s.row_conflicts = grown(from.row_conflicts, e.row_conflicts, b.row_conflicts);
  s.activates = grown(from.activates, e.activates, b.activates);
  s.precharges = grown(from.precharges, e.precharges, b.precharges);
  s.refreshes = grown(from.refreshes, e.refreshes, b.refreshes);
  s.active_standby_cycles = grown(from.active_standby_cycles, e.active_standby_cycles, b.active_standby_cycles);
  s.precharge_standby_cycles =
      grown(from.precharge_standby_cycles, e.precharge_standby_cycles, b.precharge_standby_cycles);
  s.latency_sum = grown(from.latency_sum, e.latency_sum, b.latency_sum);
  s.latency_max = std::max(from.latency_max, e.latency_max);
  s.data_bus_cycles = grown(from.data_bus_cycles, e.data_bus_cycles, b.data_bus_cycles);
  return s;
}

DramChannel::DramChannel(const DramSpec& spec, const DramControllerConfig& config)
    : spec_(spec),
      config_(config),
      banks_(static_cast<std::size_t>(spec.ranks) * spec.banks()),
      group_next_act_(static_cast<std::size_t>(spec.ranks) * spec.bank_groups),
      group_next_read_(group_next_act_.size()),
      group_next_write_(group_next_act_.size()),
      rank_next_act_(spec.ranks),
      rank_next_read_(spec.ranks),
      rank_next_write_(spec.ranks),
      recent_acts_(spec.ranks),
      open_banks_(spec.ranks),
      active_until_(spec.ranks),
      next_refresh_(spec.t.REFI) {
  queue_.reserve(static_cast<std::size_t>(config.queue_depth));
  for (std::size_t b = 0; b < banks_.size(); ++b) {
    banks_[b].rank = static_cast<int>(b / static_cast<std::size_t>(spec.banks()));
    banks_[b].group = b / static_cast<std::size_t>(spec.banks_per_group);
  }
}

void DramChannel::enqueue(const DramRequest& request) {
  queue_.push_back({request, now_, bank_index(request.location), group_index(request.location)});
  count_queued(queue_.back(), +1);
  next_command_ = kUnknown;
}

void DramChannel::count_queued(const Queued& q, int by) {
  Bank& bank = banks_[q.bank];
  const bool was_queued = bank.queued() > 0;
  bank.kind(q.request.location.row, q.request.write) += by;
  if (!was_queued && bank.queued() > 0) banks_with_requests_.push_back(q.bank);
  if (was_queued && bank.queued() == 0) {
    const auto at = std::find(banks_with_requests_.begin(), banks_with_requests_.end(), q.bank);
    *at = banks_with_requests_.back();
    banks_with_requests_.pop_back();
  }
}

void DramChannel::recount_queued(std::size_t bank) {
  Bank& b = banks_[bank];
  if (b.queued() == 0) return;
  b.row_reads = b.row_writes = b.other_rows = 0;
  for (const Queued& q : queue_)
    if (q.bank == bank) ++b.kind(q.request.location.row, q.request.write);
}

void DramChannel::record(DramCommand command, const DramLocation& l, int row, std::int64_t at) {
  if (config_.record_commands) commands_.push_back({at, command, l.rank, l.bank_group, l.bank, row});
}

std::int64_t DramChannel::data_bus_ready(int rank) const {
  return rank == bus_rank_ ? bus_free_ : bus_free_ + spec_.t.RTRS;
}

bool DramChannel::column_ready(const Queued& q, const Queued* starving) const {
  const Bank& bank = banks_[q.bank];
  if (bank.open_row != q.request.location.row) return false;
  if (starving != nullptr && &q != starving && starving->bank == q.bank &&
      starving->request.location.row != q.request.location.row)
    return false;
  return bank_column_ready(bank, q.request.write);
}

bool DramChannel::bank_column_ready(const Bank& bank, bool write) const {
  const std::size_t g = bank.group;
  if (write)
    return now_ >= bank.next_write && now_ >= group_next_write_[g] && now_ >= rank_next_write_[bank.rank] &&
           now_ + spec_.t.WL >= data_bus_ready(bank.rank);
  return now_ >= bank.next_read && now_ >= group_next_read_[g] && now_ >= rank_next_read_[bank.rank] &&
         now_ + spec_.t.RL >= data_bus_ready(bank.rank);
}

bool DramChannel::activate_ready(const Bank& bank) const {
  if (bank.open_row >= 0 || now_ < bank.next_act) return false;
  if (now_ < group_next_act_[bank.group] || now_ < rank_next_act_[bank.rank]) return false;
  const auto& acts = recent_acts_[bank.rank];
  return acts.size() < 4 || now_ >= acts.front() + spec_.t.FAW;
}

bool DramChannel::row_has_waiting_hit(const DramLocation& l, int row) const {
  for (const Queued& q : queue_) {
    const DramLocation& o = q.request.location;
    if (o.rank == l.rank && o.bank_group == l.bank_group && o.bank == l.bank && o.row == row) return true;
  }
  return false;
}

void DramChannel::issue_precharge(const DramLocation& l, std::int64_t at) {
  Bank& bank = bank_of(l);
  record(DramCommand::Precharge, l, bank.open_row, at);
  bank.open_row = -1;
  recount_queued(bank_index(l));
  bank.next_act = std::max(bank.next_act, at + spec_.t.RP);
  ++stats_.precharges;
  // An auto-precharge (at > now) closes the row only at `at`: the rank
  // stays active until then.
  --open_banks_[l.rank];
  active_until_[l.rank] = std::max(active_until_[l.rank], at);
}

void count_rank_standby(DramChannelStats& stats, std::int64_t active_until, std::int64_t from, std::int64_t to) {
  const std::int64_t active = std::clamp<std::int64_t>(active_until - from, 0, to - from);
  stats.active_standby_cycles += active;
  stats.precharge_standby_cycles += to - from - active;
}

void DramChannel::count_standby(DramChannelStats& stats, std::int64_t from, std::int64_t to) const {
  for (int rank = 0; rank < spec_.ranks; ++rank) count_rank_standby(stats, active_until(rank), from, to);
}

DramChannelStats DramChannel::stats() const {
  DramChannelStats stats = stats_;
  count_standby(stats, standby_from_, now_);
  return stats;
}

void DramChannel::issue_activate(Queued& q) {
  const DramLocation& l = q.request.location;
  const DramTiming& t = spec_.t;
  Bank& bank = bank_of(l);
  record(DramCommand::Activate, l, l.row, now_);
  bank.open_row = l.row;
  recount_queued(q.bank);
  ++stats_.activates;
  ++open_banks_[l.rank];
  bank.next_read = std::max(bank.next_read, now_ + t.RCD_RD);
  bank.next_write = std::max(bank.next_write, now_ + t.RCD_WR);
  bank.pre_after_activate = std::max(bank.pre_after_activate, now_ + t.RAS);
  bank.next_act = now_ + t.RC;
  group_next_act_[group_index(l)] = std::max(group_next_act_[group_index(l)], now_ + t.RRD_L);
  rank_next_act_[l.rank] = std::max(rank_next_act_[l.rank], now_ + t.RRD_S);
  auto& acts = recent_acts_[l.rank];
  acts.push_back(now_);
  if (acts.size() > 4) acts.pop_front();
  q.activated = true;
}

void DramChannel::issue_column(std::size_t index) {
  const Queued& q = queue_[index];
  count_queued(q, -1);
  const DramLocation l = q.request.location;
  const DramTiming& t = spec_.t;
  Bank& bank = bank_of(l);
  const std::size_t g = group_index(l);
  std::int64_t data_end;
  std::int64_t precharge_at;
  if (q.request.write) {
    record(DramCommand::Write, l, l.row, now_);
    data_end = now_ + t.WL + t.BURST;
    bank.pre_after_column = std::max(bank.pre_after_column, data_end + t.WR);
    precharge_at = bank.next_pre();
    group_next_write_[g] = std::max(group_next_write_[g], now_ + t.CCD_L);
    rank_next_write_[l.rank] = std::max(rank_next_write_[l.rank], now_ + t.CCD_S);
    group_next_read_[g] = std::max(group_next_read_[g], data_end + t.WTR_L);
    rank_next_read_[l.rank] = std::max(rank_next_read_[l.rank], data_end + t.WTR_S);
    ++stats_.writes;
  } else {
    record(DramCommand::Read, l, l.row, now_);
    data_end = now_ + t.RL + t.BURST;
    bank.pre_after_column = std::max(bank.pre_after_column, now_ + t.RTP);
    precharge_at = bank.next_pre();
    group_next_read_[g] = std::max(group_next_read_[g], now_ + t.CCD_L);
    rank_next_read_[l.rank] = std::max(rank_next_read_[l.rank], now_ + t.CCD_S);
    group_next_write_[g] = std::max(group_next_write_[g], now_ + std::max(t.CCD_L, t.RTW));
    rank_next_write_[l.rank] = std::max(rank_next_write_[l.rank], now_ + std::max(t.CCD_S, t.RTW));
    ++stats_.reads;
  }
  const std::int64_t latency = data_end - q.arrival;
  stats_.latency_sum += latency;
  stats_.latency_max = std::max(stats_.latency_max, latency);
  bus_free_ = data_end;
  bus_rank_ = l.rank;
  stats_.data_bus_cycles += t.BURST;
  if (q.precharged)
    ++stats_.row_conflicts;
  else if (q.activated)
    ++stats_.row_misses;
  else
    ++stats_.row_hits;
  // A column command issues only once its data follows the last burst's on
  // the bus (column_ready), so bursts end in the order they issue.
  if (!in_flight_.empty() && data_end <= in_flight_.back().done)
    throw std::logic_error("DRAM burst " + std::to_string(q.request.id) + " ends before the burst issued before it");
  if (in_flight_head_ == in_flight_.size()) {
    in_flight_.clear();
    in_flight_head_ = 0;
  } else if (in_flight_head_ > 0 && in_flight_.size() == in_flight_.capacity()) {
    in_flight_.erase(in_flight_.begin(), in_flight_.begin() + static_cast<std::ptrdiff_t>(in_flight_head_));
    in_flight_head_ = 0;
  }
  in_flight_.push_back({q.request.id, q.request.write, q.arrival, data_end, q.request.transfer});
  first_done_ = in_flight_[in_flight_head_].done;
  queue_.erase(index);
  // Closed page: precharge as soon as allowed unless another request wants the row.
  if (!config_.open_page && !row_has_waiting_hit(l, l.row)) issue_precharge(l, precharge_at);
}

bool DramChannel::refresh_step() {
  // All banks must be closed; then REF blocks every bank for tRFC.
  for (std::size_t i = 0; i < banks_.size(); ++i) {
    Bank& bank = banks_[i];
    if (bank.open_row < 0) continue;
    if (now_ < bank.next_pre()) return true;
    DramLocation l;
    l.rank = static_cast<int>(i / spec_.banks());
    l.bank_group = static_cast<int>(i % spec_.banks()) / spec_.banks_per_group;
    l.bank = static_cast<int>(i % spec_.banks_per_group);
    issue_precharge(l, now_);
    return true;
  }
  for (const Bank& bank : banks_)
    if (now_ < bank.next_act) return true;
  for (int rank = 0; rank < spec_.ranks; ++rank) {
    DramLocation l;
    l.rank = rank;
    record(DramCommand::Refresh, l, -1, now_);
    ++stats_.refreshes;
    active_until_[rank] = now_ + spec_.t.RFC;
  }
  for (Bank& bank : banks_) bank.next_act = now_ + spec_.t.RFC;
  next_refresh_ += spec_.t.REFI;
  refresh_due_ = false;
  return true;
}

void DramChannel::tick() {
  // A tick before next_command_ (in which only data ends, say) need not
  // look for a command.
  if (next_command_ == kUnknown || next_command_ <= now_) {
    next_command_ = kUnknown;
    // The cycles before this one end in the state the last command left;
    // this one's is the state after its command.
    count_standby(stats_, standby_from_, now_);
    standby_from_ = now_;
    issue_command();
  }
  ++now_;
}

void DramChannel::issue_command() {
  if (config_.refresh && now_ >= next_refresh_) refresh_due_ = true;
  if (refresh_due_) {
    refresh_step();
  } else {
    const Queued* starving =
        !queue_.empty() && now_ - queue_.front().arrival > config_.starvation_cycles ? &queue_.front() : nullptr;
    // Every request of a bank and kind waits for the same timing (Bank's
    // counts): the queue is walked for a command only when a bank could
    // take one. An open row is closed only once no queued request hits it,
    // or for the starving request.
    bool column_possible = false, row_possible = false;
    for (std::size_t b : banks_with_requests_) {
      const Bank& bank = banks_[b];
      column_possible = column_possible || (bank.row_reads > 0 && bank_column_ready(bank, false)) ||
                        (bank.row_writes > 0 && bank_column_ready(bank, true));
      const bool may_close = now_ >= bank.next_pre() && (bank.row_reads + bank.row_writes == 0 ||
                                                       (starving != nullptr && starving->bank == b));
      row_possible = row_possible || (bank.other_rows > 0 && (bank.open_row >= 0 ? may_close : activate_ready(bank)));
    }
    if (!column_possible && !row_possible) return;
    bool issued = false;
    // Ready row hits first, oldest first.
    for (std::size_t i = 0; i < queue_.size() && !issued && column_possible; ++i)
      if (column_ready(queue_[i], starving)) {
        issue_column(i);
        issued = true;
      }
    // Then the oldest request whose row command can go now.
    for (std::size_t i = 0; i < queue_.size() && !issued && row_possible; ++i) {
      Queued& q = queue_[i];
      const DramLocation& l = q.request.location;
      Bank& bank = bank_of(l);
      if (bank.open_row == l.row) continue;
      if (bank.open_row < 0) {
        if (activate_ready(bank)) {
          issue_activate(q);
          issued = true;
        }
      } else if (now_ >= bank.next_pre() && (&q == starving || !row_has_waiting_hit(l, bank.open_row))) {
        issue_precharge(l, now_);
        q.precharged = true;
        issued = true;
      }
    }
  }
}

std::int64_t DramChannel::next_event() const {
  // A completion is taken after the tick of the cycle before its data ends.
  if (in_flight_head_ == in_flight_.size()) return next_command();
  return std::max(std::min(next_command(), first_done_ - 1), now_);
}

std::int64_t DramChannel::compute_next_command() const {
  if (refresh_due_ || (config_.refresh && now_ >= next_refresh_)) return now_;
  const DramTiming& t = spec_.t;
  std::int64_t next = config_.refresh ? next_refresh_ : std::numeric_limits<std::int64_t>::max();
  // The answer is never before now: the first condition met now settles it.
  // The oldest request starts to block others once it has waited too long.
  // An open row with queued hits is closed only for the starving request.
  std::size_t starving_bank = banks_.size();
  if (!queue_.empty()) {
    const std::int64_t starving_from = queue_.front().arrival + config_.starvation_cycles + 1;
    if (starving_from > now_)
      next = std::min(next, starving_from);
    else
      starving_bank = queue_.front().bank;
  }
  for (std::size_t b : banks_with_requests_) {
    const Bank& bank = banks_[b];
    const std::size_t g = bank.group;
    const int rank = bank.rank;
    if (bank.row_reads > 0)
      next = std::min(next, std::max({bank.next_read, group_next_read_[g], rank_next_read_[rank],
                                      data_bus_ready(rank) - t.RL}));
    if (bank.row_writes > 0)
      next = std::min(next, std::max({bank.next_write, group_next_write_[g], rank_next_write_[rank],
                                      data_bus_ready(rank) - t.WL}));
    if (bank.other_rows > 0 && bank.open_row < 0) {
      std::int64_t ready = std::max({bank.next_act, group_next_act_[g], rank_next_act_[rank]});
      const auto& acts = recent_acts_[rank];
      if (acts.size() >= 4) ready = std::max(ready, acts.front() + t.FAW);
      next = std::min(next, ready);
    } else if (bank.other_rows > 0 && (bank.row_reads + bank.row_writes == 0 || b == starving_bank)) {
      next = std::min(next, bank.next_pre());
    }
    if (next <= now_) return now_;
  }
  return std::max(next, now_);
}

bool DramChannel::serves_only(std::uint64_t transfer) const {
  for (const Queued& q : queue_)
    if (q.request.transfer != transfer) return false;
  for (std::size_t i = in_flight_head_; i < in_flight_.size(); ++i)
    if (in_flight_[i].transfer != transfer) return false;
  return true;
}

void DramChannel::copy_state_to(DramChannel& mark) const {
  mark.banks_ = banks_;
  mark.group_next_act_ = group_next_act_;
  mark.group_next_read_ = group_next_read_;
  mark.group_next_write_ = group_next_write_;
  mark.rank_next_act_ = rank_next_act_;
  mark.rank_next_read_ = rank_next_read_;
  mark.rank_next_write_ = rank_next_write_;
  mark.recent_acts_ = recent_acts_;
  mark.open_banks_ = open_banks_;
  mark.active_until_ = active_until_;
  mark.bus_free_ = bus_free_;
  mark.bus_rank_ = bus_rank_;
  mark.next_refresh_ = next_refresh_;
  mark.refresh_due_ = refresh_due_;
  mark.now_ = now_;
  mark.queue_.assign(queue_);
  mark.banks_with_requests_ = banks_with_requests_;
  mark.in_flight_.assign(in_flight_.begin() + static_cast<std::ptrdiff_t>(in_flight_head_), in_flight_.end());
  mark.in_flight_head_ = 0;
  mark.first_done_ = first_done_;
  mark.next_command_ = next_command_;
  mark.stats_ = stats_;
  mark.standby_from_ = standby_from_;
}

std::size_t DramChannel::requests_before_only(std::uint64_t transfer) const {
  std::size_t others = 0;
  for (std::size_t i = in_flight_head_; i < in_flight_.size() && others == 0; ++i)
    if (in_flight_[i].transfer != transfer) others = 1;
  for (std::size_t i = 0; i < queue_.size(); ++i)
    if (queue_[i].request.transfer != transfer) others = i + 1;
  return others;
}

bool DramChannel::row_command_wanted() const {
  return std::any_of(banks_with_requests_.begin(), banks_with_requests_.end(),
                     [&](std::size_t b) { return banks_[b].other_rows > 0; });
}

bool DramChannel::row_timings_pending() const {
  const auto after_now = [&](std::int64_t at) { return at > now_; };
  if (std::any_of(banks_.begin(), banks_.end(), [&](const Bank& b) { return after_now(b.next_act); }) ||
      std::any_of(group_next_act_.begin(), group_next_act_.end(), after_now) ||
      std::any_of(rank_next_act_.begin(), rank_next_act_.end(), after_now))
    return true;
  return std::any_of(recent_acts_.begin(), recent_acts_.end(), [&](const std::deque<std::int64_t>& acts) {
    return std::any_of(acts.begin(), acts.end(), [&](std::int64_t at) { return after_now(at + spec_.t.FAW); });
  });
}

std::size_t DramChannel::queue_slot(std::uint64_t id) const {
  std::size_t slot = 0;
  while (slot < queue_.size() && queue_[slot].request.id != id) ++slot;
  return slot;
}

bool DramChannel::repeats(const DramChannel& e, std::size_t drained) const {
  const std::int64_t period = now_ - e.now_;
  // Each request queued or in flight is the one the same place held a
  // period before, that many requests on.
  const auto ids = static_cast<std::uint64_t>(bursts_issued() - e.bursts_issued());
  const auto same = [&](std::int64_t now_value, std::int64_t then_value, std::int64_t margin) {
    return now_value - period == then_value || (now_value + margin <= now_ && then_value + margin <= e.now_);
  };
  const auto all_same = [&](const std::vector<std::int64_t>& now_values, const std::vector<std::int64_t>& then_values,
                            std::int64_t margin) {
    for (std::size_t i = 0; i < now_values.size(); ++i)
      if (!same(now_values[i], then_values[i], margin)) return false;
    return true;
  };
  const bool rows_settled = config_.open_page && !row_command_wanted() && !e.row_command_wanted();
  const bool any_banks = banks_may_differ(e, drained);
  const auto same_row_timing = [&](std::int64_t now_value, std::int64_t then_value, std::int64_t margin) {
    return same(now_value, then_value, margin) || (rows_settled && now_value == then_value);
  };
  const auto all_same_row_timing = [&](const std::vector<std::int64_t>& now_values,
                                       const std::vector<std::int64_t>& then_values) {
    for (std::size_t i = 0; i < now_values.size(); ++i)
      if (!same_row_timing(now_values[i], then_values[i], 0)) return false;
    return true;
  };
  if (period <= 0 || refresh_due_ || e.refresh_due_ || bus_rank_ != e.bus_rank_ ||
      !same(bus_free_, e.bus_free_, spec_.t.RTRS) || standby_from_ - period != e.standby_from_ ||
      open_banks_ != e.open_banks_ || (drained > 0 && !config_.open_page))
    return false;
  for (std::size_t b = 0; b < banks_.size(); ++b) {
    const Bank& x = banks_[b];
    const Bank& y = e.banks_[b];
    // Draining, the kinds' counts fall; they follow from the queue and the
    // open rows, compared here.
    // Nor do they matter when the banks may differ: then no precharge is
    // wanted, and repeat() works out each bank's from its columns.
    const bool same_kinds = drained > 0 || any_banks ||
                            (x.row_reads == y.row_reads && x.row_writes == y.row_writes &&
                             x.other_rows == y.other_rows);
    if (x.open_row != y.open_row || !same_kinds || !same_row_timing(x.next_act, y.next_act, 0) ||
        !same_row_timing(x.pre_after_activate, y.pre_after_activate, 0) ||
        (!any_banks && !same_row_timing(x.pre_after_column, y.pre_after_column, 0)) ||
        !same(x.next_read, y.next_read, 0) || !same(x.next_write, y.next_write, 0))
      return false;
  }
  if (!all_same_row_timing(group_next_act_, e.group_next_act_) || !all_same(group_next_read_, e.group_next_read_, 0) ||
      !all_same(group_next_write_, e.group_next_write_, 0) || !all_same_row_timing(rank_next_act_, e.rank_next_act_) ||
      !all_same(rank_next_read_, e.rank_next_read_, 0) || !all_same(rank_next_write_, e.rank_next_write_, 0) ||
      !all_same(active_until_, e.active_until_, now_ - standby_from_))
    return false;
  for (std::size_t r = 0; r < recent_acts_.size(); ++r) {
    if (recent_acts_[r].size() != e.recent_acts_[r].size()) return false;
    for (std::size_t a = 0; a < recent_acts_[r].size(); ++a)
      if (!same_row_timing(recent_acts_[r][a], e.recent_acts_[r][a], spec_.t.FAW)) return false;
  }
  if (queue_.size() + drained != e.queue_.size()) return false;
  const bool openers_may_differ = drained == 0 && stats_.row_misses == e.stats_.row_misses &&
                                  stats_.row_conflicts == e.stats_.row_conflicts;
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    const Queued& x = queue_[i];
    const Queued& y = e.queue_[i];
    const bool same_place = any_banks ? x.group == y.group && x.request.location.rank == y.request.location.rank
                                      : x.bank == y.bank && x.request.location.row == y.request.location.row;
    const bool same_openers = openers_may_differ || (x.activated == y.activated && x.precharged == y.precharged);
    if (!same_place || !same_openers || x.request.write != y.request.write || x.request.id - ids != y.request.id)
      return false;
  }
  if (in_flight_.size() - in_flight_head_ != e.in_flight_.size() - e.in_flight_head_) return false;
  for (std::size_t i = 0; i < in_flight_.size() - in_flight_head_; ++i) {
    const DramCompletion& x = in_flight_[in_flight_head_ + i];
    const DramCompletion& y = e.in_flight_[e.in_flight_head_ + i];
    if (x.write != y.write || x.done - period != y.done || x.id - ids != y.id)
      return false;
  }
  return true;
}

bool DramChannel::banks_may_differ(const DramChannel& e, std::size_t drained) const {
  return drained == 0 && config_.open_page && !row_command_wanted() && !e.row_command_wanted();
}

void DramChannel::repeat(const DramChannel& e, std::int64_t periods,
                         const std::function<DramRepeatedRequest(std::uint64_t id)>& locate,
                         const std::vector<DramCompletion>& period_bursts) {
  const std::int64_t requests = (bursts_issued() - e.bursts_issued()) * periods;
  const bool any_banks = banks_may_differ(e, 0);
  if (any_banks) columns_in_jump(e, periods, period_bursts);
  // A row opener still queued after the jump stays one, in the slot that
  // now holds it; the requests behind it issued no row command.
  row_openers_.clear();
  for (const Queued& q : queue_)
    if (q.activated || q.precharged) row_openers_.push_back(q);
  bool recount = false;  // of the banks' queued requests
  for (Queued& q : queue_) {
    q.request.id += static_cast<std::uint64_t>(requests);
    const auto opener = std::find_if(row_openers_.begin(), row_openers_.end(),
                                     [&](const Queued& o) { return o.request.id == q.request.id; });
    q.activated = opener != row_openers_.end() && opener->activated;
    q.precharged = opener != row_openers_.end() && opener->precharged;
    const DramRepeatedRequest repeated_request = locate(q.request.id);
    q.request.location = repeated_request.location;
    q.arrival = repeated_request.arrival;
    if (any_banks && bank_index(q.request.location) != q.bank) {
      q.bank = bank_index(q.request.location);
      q.group = group_index(q.request.location);
      recount = true;
    }
    if (repeated_request.transfer != q.request.transfer) {
      q.request.transfer = repeated_request.transfer;
      q.request.write = repeated_request.write;
      q.bank = bank_index(q.request.location);
      q.group = group_index(q.request.location);
      q.activated = q.precharged = false;  // no row command issued in the jump
      recount = true;
    }
  }
  if (recount) recount_all_queued();
  move_on(e, periods);
  // move_on shifted each bank's precharge bound as if its columns repeated:
  // with banks that may differ they need not have, so the jump's set it.
  if (any_banks)
    for (std::size_t b = 0; b < banks_.size(); ++b) banks_[b].pre_after_column = pre_after_column_in_jump_[b];
}

void DramChannel::columns_in_jump(const DramChannel& e, std::int64_t periods,
                                  const std::vector<DramCompletion>& period_bursts) {
  // Request id + k·(the period's bursts) issues k periods after the
  // period's burst id did. The requests queued now issue first, in their
  // banks; those queued in the jump go where the one a period before went
  // (DramSystem checks), so the rest of each chain is in the bank of its
  // last request queued now.
  const DramTiming& t = spec_.t;
  const std::int64_t period = now_ - e.now_;
  const auto chain_bursts = static_cast<std::uint64_t>(period_bursts.size());
  std::vector<std::int64_t>& bounds = pre_after_column_in_jump_;
  bounds.resize(banks_.size());
  for (std::size_t b = 0; b < banks_.size(); ++b) bounds[b] = banks_[b].pre_after_column;
  const auto column = [&](std::size_t bank, bool write, std::int64_t issued) {
    bounds[bank] = std::max(bounds[bank], write ? issued + t.WL + t.BURST + t.WR : issued + t.RTP);
  };
  // Each chain by its ids modulo the period's bursts (DramSystem's chains
  // differ there).
  std::vector<JumpChain>& chains = chains_in_jump_;
  chains.assign(static_cast<std::size_t>(chain_bursts), JumpChain{});
  for (const DramCompletion& burst : period_bursts) {
    JumpChain& chain = chains[static_cast<std::size_t>(burst.id % chain_bursts)];
    chain.burst = &burst;
    chain.issued = burst.done - (burst.write ? t.WL : t.RL) - t.BURST;
    chain.last_id = burst.id;
  }
  for (const Queued& q : queue_) {
    JumpChain& chain = chains[static_cast<std::size_t>(q.request.id % chain_bursts)];
    if (chain.burst == nullptr || q.request.id <= chain.burst->id) continue;
    const auto k = static_cast<std::int64_t>((q.request.id - chain.burst->id) / chain_bursts);
    if (k > periods) continue;
    column(q.bank, q.request.write, chain.issued + k * period);
    chain.last_id = q.request.id;
    chain.last_bank = q.bank;
  }
  for (const JumpChain& chain : chains) {
    if (chain.burst == nullptr) continue;
    // DramSystem jumps only with a request queued on every chain.
    if (chain.last_id == chain.burst->id)
      throw std::logic_error("DramChannel: no request queued behind burst " + std::to_string(chain.burst->id));
    if (chain.last_id != chain.burst->id + chain_bursts * static_cast<std::uint64_t>(periods))
      column(chain.last_bank, chain.burst->write, chain.issued + periods * period);
  }
}

void DramChannel::drain(const DramChannel& e, std::int64_t periods) {
  const auto requests = static_cast<std::uint64_t>((bursts_issued() - e.bursts_issued()) * periods);
  if (requests >= queue_.size()) throw std::logic_error("DramChannel: a drain past the queue's last request");
  // Slot i takes the request `requests` on from the one it holds, queued
  // behind it (ids rise along the queue).
  const std::size_t kept = queue_.size() - requests;
  std::size_t from = 0;
  for (std::size_t i = 0; i < kept; ++i) {
    const std::uint64_t id = queue_[i].request.id + requests;
    while (from < queue_.size() && queue_[from].request.id < id) ++from;
    if (from == queue_.size() || queue_[from].request.id != id)
      throw std::logic_error("DramChannel: request " + std::to_string(id) + " drained into a slot is not queued");
    queue_[i] = queue_[from];
  }
  queue_.truncate(kept);
  recount_all_queued();
  move_on(e, periods);
}

void DramChannel::recount_all_queued() {
  for (Bank& bank : banks_) bank.row_reads = bank.row_writes = bank.other_rows = 0;
  banks_with_requests_.clear();
  for (const Queued& q : queue_) count_queued(q, +1);
}

void DramChannel::move_on(const DramChannel& e, std::int64_t periods) {
  const std::int64_t cycles = (now_ - e.now_) * periods;
  const std::int64_t requests = (bursts_issued() - e.bursts_issued()) * periods;
  // A bound the period moved moves on by as many cycles each period; one
  // it left where it was stays there (an activate's while only column
  // commands issue). A bound repeats() found passed stays passed either way.
  const auto move_bound = [cycles](std::int64_t& bound, std::int64_t earlier) {
    if (bound != earlier) bound += cycles;
  };
  const auto move = [&](std::vector<std::int64_t>& bounds, const std::vector<std::int64_t>& earlier) {
    for (std::size_t i = 0; i < bounds.size(); ++i) move_bound(bounds[i], earlier[i]);
  };
  for (std::size_t b = 0; b < banks_.size(); ++b) {
    Bank& bank = banks_[b];
    const Bank& then = e.banks_[b];
    move_bound(bank.next_act, then.next_act);
    move_bound(bank.pre_after_activate, then.pre_after_activate);
    move_bound(bank.pre_after_column, then.pre_after_column);
    move_bound(bank.next_read, then.next_read);
    move_bound(bank.next_write, then.next_write);
  }
  move(group_next_act_, e.group_next_act_);
  move(group_next_read_, e.group_next_read_);
  move(group_next_write_, e.group_next_write_);
  move(rank_next_act_, e.rank_next_act_);
  move(rank_next_read_, e.rank_next_read_);
  move(rank_next_write_, e.rank_next_write_);
  move(active_until_, e.active_until_);
  for (std::size_t r = 0; r < recent_acts_.size(); ++r)
    for (std::size_t a = 0; a < recent_acts_[r].size(); ++a) move_bound(recent_acts_[r][a], e.recent_acts_[r][a]);
  bus_free_ += cycles;
  standby_from_ += cycles;
  for (std::size_t i = in_flight_head_; i < in_flight_.size(); ++i) {
    in_flight_[i].id += static_cast<std::uint64_t>(requests);
    in_flight_[i].arrival += cycles;
    in_flight_[i].done += cycles;
  }
  if (in_flight_head_ < in_flight_.size()) first_done_ = in_flight_[in_flight_head_].done;
  stats_ = repeated(stats_, stats_, e.stats_, periods);
  now_ += cycles;
  next_command_ = kUnknown;
}

void DramChannel::reclassify_hits(std::int64_t misses, std::int64_t conflicts) {
  stats_.row_hits -= misses + conflicts;
  stats_.row_misses += misses;
  stats_.row_conflicts += conflicts;
}

void DramChannel::add_latencies(std::int64_t sum, std::int64_t longest) {
  stats_.latency_sum += sum;
  stats_.latency_max = std::max(stats_.latency_max, longest);
}

DramCompletions DramChannel::take_completions() {
  if (now_ < first_done_) return {};
  // In flight, bursts are in the order they end (issue_column).
  const std::size_t first = in_flight_head_;
  while (in_flight_head_ < in_flight_.size() && in_flight_[in_flight_head_].done <= now_) ++in_flight_head_;
  first_done_ = in_flight_head_ < in_flight_.size() ? in_flight_[in_flight_head_].done
                                                    : std::numeric_limits<std::int64_t>::max();
  return {in_flight_.data() + first, in_flight_.data() + in_flight_head_};
}

}  // namespace systole
