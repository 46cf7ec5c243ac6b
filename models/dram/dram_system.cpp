#include "models/dram/dram_system.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

namespace systole {

namespace {
// Its RD and WR commands so far: one burst each.
std::int64_t bursts_of(const DramChannel& channel) { return channel.bursts_issued(); }
}  // namespace

DramSystem::DramSystem(const DramSpec& spec, int channels, const DramControllerConfig& controller)
    : spec_(spec), tck_fs_(std::llround(spec.tck_ps * 1000)), mapping_(spec, channels) {
  if (channels < 1) throw std::invalid_argument("DramSystem: " + std::to_string(channels) + " channels");
  for (int c = 0; c < channels; ++c) channels_.emplace_back(spec, controller);
}

std::uint64_t DramSystem::transfer(std::int64_t address, std::int64_t bytes, bool write) {
  // Ahead of the transfer's time, the DRAM jumped over a stream it still
  // feeds: the transfer's bursts queue behind it, as they would have then.
  if (cycle_ > now_fs_ / tck_fs_ && pending_.empty())
    throw std::logic_error("DramSystem: a transfer started in the past of a DRAM that has fed every burst");
  marked_ = false;
  const std::uint64_t id = transfers_base_ + transfers_.size();
  const std::int64_t first = address / spec_.burst_bytes;
  const std::int64_t last = (address + bytes - 1) / spec_.burst_bytes;
  const std::int64_t bursts = bytes > 0 ? last - first + 1 : 0;
  transfers_.push_back({bursts, bursts, 0});
  if (bytes <= 0) ++transfers_finished_count_;
  drop_finished_transfers();
  if (record_transfers_ && bytes > 0) transfers_in_flight_[id] = {address, bytes, write, now_fs_, 0, {}};
  if (bytes > 0) pending_.push_back({id, first * spec_.burst_bytes, (last + 1) * spec_.burst_bytes, write});
  feed(now_fs_);
  if (on_transfer_) on_transfer_();
  return id;
}

bool DramSystem::done(std::uint64_t transfer) const {
  if (transfer < transfers_base_) return true;
  if (transfer - transfers_base_ >= transfers_.size())
    throw std::out_of_range("DRAM transfer " + std::to_string(transfer) + " was never issued");
  return transfers_[transfer - transfers_base_].unfinished == 0;
}

void DramSystem::drop_finished_transfers() {
  while (!transfers_.empty() && transfers_.front().unfinished == 0) {
    transfers_.pop_front();
    ++transfers_base_;
  }
}

void DramSystem::feed(std::int64_t now_fs) {
  // In order: a full channel queue holds back the bursts behind it.
  while (!pending_.empty()) {
    PendingBursts& bursts = pending_.front();
    if (!front_decoded_) front_ = mapping_.decode(bursts.next);
    front_decoded_ = true;
    const DramAddress& where = front_;
    DramChannel& channel = channels_[where.channel];
    if (!channel.can_accept()) return;
    if (record_transfers_) bursts_in_flight_[next_burst_id_] = {bursts.next, now_fs};
    channel.enqueue({next_burst_id_++, bursts.write, where.location, bursts.transfer});
    front_decoded_ = false;
    bursts.next += spec_.burst_bytes;
    if (bursts.next == bursts.end) pending_.pop_front();
  }
}

void DramSystem::run_cycle() {
  bool commands_issued = false;
  for (DramChannel& channel : channels_) {
    const std::int64_t commands = channel.commands_issued();
    const std::int64_t bursts = bursts_of(channel);
    channel.tick();
    commands_issued |= channel.commands_issued() != commands;
    if (bursts_of(channel) != bursts) burst_issued(channel.last_issued());
  }
  ++cycle_;
  take_completions();
  // Only commands change the statistics (a burst's latency counts as it
  // issues); the cycles between snapshots are counted from them.
  if (keep_history_ && commands_issued) {
    if (running_ahead_) take_snapshot(history_);
    if (marked_) take_snapshot(period_history_);
  }
  feed(cycle_ * tck_fs_);
}

void DramSystem::burst_issued(const DramCompletion& burst) {
  const std::uint64_t transfer = burst.transfer;
  TransferBursts& t = transfers_[transfer - transfers_base_];
  if (marked_) period_bursts_issued_.push_back(burst);
  t.last_end = std::max(t.last_end, burst.done);
  if (--t.unissued == 0) known_ends_.push_back({t.last_end, transfer});
}

void DramSystem::take_ended() {
  // Data that ended in cycles jumped over is taken now, each burst with the
  // cycle its data ended, merged across channels in that order.
  if (channels_.size() == 1) {
    for (const DramCompletion& c : channels_.front().take_completions()) take_completion(c);
    return;
  }
  ended_.clear();
  for (DramChannel& channel : channels_) {
    const DramCompletions taken = channel.take_completions();
    ended_.insert(ended_.end(), taken.begin(), taken.end());
  }
  std::stable_sort(ended_.begin(), ended_.end(),
                   [](const DramCompletion& a, const DramCompletion& b) { return a.done < b.done; });
  for (const DramCompletion& c : ended_) take_completion(c);
}

void DramSystem::take_completion(const DramCompletion& c) {
  const std::uint64_t transfer = c.transfer;
  if (record_transfers_) record_burst(transfer, c);
  if (--transfers_[transfer - transfers_base_].unfinished == 0) {
    transfers_finished_ = true;
    ++transfers_finished_count_;
    record_finished(transfer, c.done);
    known_ends_.erase(std::find_if(known_ends_.begin(), known_ends_.end(),
                                   [transfer](const auto& end) { return end.second == transfer; }));
    drop_finished_transfers();
  }
  ++bursts_done_;
  add_completion(c.done * tck_fs_, bytes_moved());
  if (marked_) period_completions_.push_back({c.done * tck_fs_, bytes_moved()});
}

void DramSystem::add_completion(std::int64_t done_fs, std::int64_t bytes) {
  if (!completions_.empty() && completions_.back().first == done_fs)
    completions_.back().second = bytes;
  else
    completions_.push_back({done_fs, bytes});
}

void DramSystem::record_burst(std::uint64_t transfer, const DramCompletion& completion) {
  const auto burst = bursts_in_flight_.find(completion.id);
  if (burst == bursts_in_flight_.end()) return;  // fed before recording began
  const auto [address, issued_fs] = burst->second;
  bursts_in_flight_.erase(burst);
  const auto in_flight = transfers_in_flight_.find(transfer);
  if (in_flight != transfers_in_flight_.end())
    in_flight->second.bursts.push_back({address, issued_fs, completion.done * tck_fs_});
}

void DramSystem::record_finished(std::uint64_t transfer, std::int64_t done) {
  const auto in_flight = transfers_in_flight_.find(transfer);
  if (in_flight == transfers_in_flight_.end()) return;
  in_flight->second.finished_fs = done * tck_fs_;
  finished_records_.push_back(std::move(in_flight->second));
  transfers_in_flight_.erase(in_flight);
}

std::vector<DramTransferRecord> DramSystem::transfers_finished_by(std::int64_t time_fs) {
  std::vector<DramTransferRecord> finished;
  while (!finished_records_.empty() && finished_records_.front().finished_fs <= time_fs) {
    finished.push_back(std::move(finished_records_.front()));
    finished_records_.pop_front();
  }
  return finished;
}

void DramSystem::keep_history() {
  marked_ = false;
  if (keep_history_) return;
  keep_history_ = true;
  take_snapshot(history_);
}

void DramSystem::take_snapshot(History& history) const {
  history.snapshots.push_back({cycle_, stats(), nullptr});
  for (const DramChannel& channel : channels_) {
    for (int rank = 0; rank < spec_.ranks; ++rank) history.active_until.push_back(channel.active_until(rank));
    history.channel_bursts.push_back(bursts_of(channel));
  }
}

void DramSystem::History::clear() {
  snapshots.clear();
  active_until.clear();
  channel_bursts.clear();
}

void DramSystem::recycle_repeats(std::size_t first, std::size_t end) {
  for (std::size_t i = first; i < end; ++i)
    if (std::shared_ptr<const Repeat>& repeat = history_.snapshots[i].repeat; repeat && repeat.use_count() == 1) {
      spare_repeats_.push_back(std::const_pointer_cast<Repeat>(repeat));
      repeat.reset();
    }
}

void DramSystem::clear_history() {
  recycle_repeats(0, history_.snapshots.size());
  history_.clear();
  history_front_ = 0;
}

void DramSystem::drop_history_before(std::int64_t cycles) {
  const std::vector<Snapshot>& snapshots = history_.snapshots;
  if (!keep_history_ || cycles >= cycle_ || history_front_ >= snapshots.size() ||
      snapshots[history_front_].cycle > cycles)
    throw std::logic_error("DramSystem: statistics asked of a time without history or not advanced to");
  while (history_front_ + 1 < snapshots.size() && snapshots[history_front_ + 1].cycle <= cycles) ++history_front_;
  if (2 * history_front_ < snapshots.size()) return;
  const auto dropped = static_cast<std::ptrdiff_t>(history_front_);
  const auto ranks = static_cast<std::ptrdiff_t>(channels_.size()) * spec_.ranks;
  const auto channels = static_cast<std::ptrdiff_t>(channels_.size());
  recycle_repeats(0, history_front_);
  history_.snapshots.erase(history_.snapshots.begin(), history_.snapshots.begin() + dropped);
  history_.active_until.erase(history_.active_until.begin(), history_.active_until.begin() + dropped * ranks);
  history_.channel_bursts.erase(history_.channel_bursts.begin(),
                                history_.channel_bursts.begin() + dropped * channels);
  history_front_ = 0;
}

std::vector<std::int64_t> DramSystem::channel_bursts_by(std::int64_t time_fs) {
  if (keep_history_ && time_fs / tck_fs_ == cycle_) {
    clear_history();
    std::vector<std::int64_t> bursts;
    for (const DramChannel& channel : channels_) bursts.push_back(bursts_of(channel));
    return bursts;
  }
  // No command issues in the cycles skipped after the snapshot.
  resolve_history(time_fs / tck_fs_);
  return resolved_.channel_bursts;
}

DramChannelStats DramSystem::stats_by(std::int64_t time_fs) {
  const std::int64_t cycles = time_fs / tck_fs_;  // those that end by time_fs
  if (keep_history_ && cycles == cycle_) {
    clear_history();
    return stats();
  }
  resolve_history(cycles);
  const Snapshot& last = resolved_.snapshots.front();
  DramChannelStats stats = last.stats;
  for (const std::int64_t active_until : resolved_.active_until)
    count_rank_standby(stats, active_until, last.cycle, std::max(last.cycle, cycles));
  return stats;
}

void DramSystem::resolve_history(std::int64_t cycles) {
  drop_history_before(cycles);
  const std::size_t ranks = channels_.size() * static_cast<std::size_t>(spec_.ranks);
  const std::size_t channels = channels_.size();
  const Snapshot& entry = history_.snapshots[history_front_];
  resolved_.clear();
  if (!entry.repeat) {
    resolved_.snapshots.push_back({entry.cycle, entry.stats, nullptr});
    const auto ranks_from = history_.active_until.begin() + static_cast<std::ptrdiff_t>(history_front_ * ranks);
    resolved_.active_until.assign(ranks_from, ranks_from + static_cast<std::ptrdiff_t>(ranks));
    const auto channels_from =
        history_.channel_bursts.begin() + static_cast<std::ptrdiff_t>(history_front_ * channels);
    resolved_.channel_bursts.assign(channels_from, channels_from + static_cast<std::ptrdiff_t>(channels));
    return;
  }
  // Of every marked snapshot's repetitions, the last by `cycles`.
  const Repeat& r = *entry.repeat;
  std::size_t last = 0;
  std::int64_t last_times = 0, last_cycle = -1;
  for (std::size_t h = 0; h < r.marked.snapshots.size(); ++h) {
    const std::int64_t marked_cycle = r.marked.snapshots[h].cycle;
    const std::int64_t times = std::min(r.periods, (cycles - marked_cycle) / r.period);
    if (times >= 1 && marked_cycle + times * r.period > last_cycle) {
      last = h;
      last_times = times;
      last_cycle = marked_cycle + times * r.period;
    }
  }
  DramChannelStats stats = repeated(r.marked.snapshots[last].stats, r.end_stats, r.mark_stats, last_times);
  // The last repetition's period had issued as many bursts as the marked
  // one had by its snapshot.
  const auto partial = static_cast<std::size_t>(r.marked.channel_bursts[last * channels] - r.mark_bursts);
  const JumpedLatencies jumped = jumped_latencies(r.chains, last_times - 1, partial);
  stats.latency_sum += jumped.added;
  stats.latency_max = std::max(stats.latency_max, jumped.longest);
  const std::int64_t bursts = r.marked.channel_bursts[last * channels] + last_times * r.period_bursts;
  for (const OpenerBurst& opener : r.opener_bursts)
    if (opener.position < bursts) {
      --stats.row_hits;
      ++(opener.conflict ? stats.row_conflicts : stats.row_misses);
    }
  resolved_.snapshots.push_back({last_cycle, stats, nullptr});
  for (std::size_t i = 0; i < ranks; ++i) {
    const std::int64_t until = r.marked.active_until[last * ranks + i];
    resolved_.active_until.push_back(until == DramChannel::kAlwaysActive ? until : until + last_times * r.period);
  }
  for (std::size_t c = 0; c < channels; ++c)
    resolved_.channel_bursts.push_back(r.marked.channel_bursts[last * channels + c] + last_times * r.period_bursts);
}

std::int64_t DramSystem::next_event_fs() const {
  // Bursts whose data ends without ending a transfer change nothing anyone
  // waits on: they are taken with the next cycle run or advanced to.
  std::int64_t next = kNever;
  for (const DramChannel& channel : channels_) next = std::min(next, channel.next_command());
  if (next != kNever) next = (next + 1) * tck_fs_;
  for (const auto& [end, transfer] : known_ends_) next = std::min(next, end * tck_fs_);
  return next;
}

void DramSystem::advance(std::int64_t time_fs, bool follow_streams, std::int64_t tails_horizon) {
  now_fs_ = std::max(now_fs_, time_fs);
  // Asked about twice per accelerator cycle: mostly no DRAM cycle has ended
  // since, which a product tells faster than the quotient.
  if (time_fs < (cycle_ + 1) * tck_fs_) return;
  // Readers given the present dropped every snapshot: one keeps that
  // present for them to ask about once it is past.
  if (keep_history_ && history_.snapshots.empty()) take_snapshot(history_);
  const std::int64_t end = time_fs / tck_fs_;  // cycles before it have ended
  while (cycle_ < end) {
    std::int64_t next = end;
    for (const DramChannel& channel : channels_) next = std::min(next, channel.next_command());
    if (next > cycle_) {
      cycle_ = next;
      for (DramChannel& channel : channels_) channel.skip_to(cycle_);
      if (cycle_ == end) break;
    }
    run_cycle();
    if (follow_streams) follow_stream(std::numeric_limits<std::int64_t>::max(), tails_horizon);
  }
  take_completions();
}

void DramSystem::run_ahead_to(std::int64_t time_fs) {
  if (keep_history_ && (history_.snapshots.empty() || history_.snapshots.back().cycle != cycle_))
    take_snapshot(history_);
  running_ahead_ = true;
  advance_to(time_fs);
  running_ahead_ = false;
}

std::int64_t DramSystem::run_ahead_through(std::int64_t time_fs, std::int64_t horizon_fs) {
  run_ahead_to(time_fs);
  // A transfer that finished wakes the sleeper at time_fs: the DRAM stays there.
  if (!transfers_finished_) follow_stream(horizon_fs / tck_fs_, horizon_fs / tck_fs_);
  return std::max(time_fs, cycle_ * tck_fs_);
}

void DramSystem::follow_stream(std::int64_t horizon_cycle, std::int64_t tails_horizon) {
  const bool draining = pending_.empty();
  const bool may_drain = tails_horizon != kNoTails;
  if (channels_.size() != 1 || record_transfers_ || (draining && (!may_drain || channels_.front().queued() == 0)) ||
      !known_ends_.empty() || channels_.front().records_commands()) {
    marked_ = false;
    return;
  }
  const DramChannel& channel = channels_.front();
  const std::int64_t period_bursts = spec_.bank_groups;
  if (!marked_ && channel.bursts_issued() < mark_after_bursts_) return;
  // A mark taken while bursts still queued holds nothing for a tail.
  if (marked_ && mark_.draining == draining) {
    const std::int64_t bursts = channel.bursts_issued() - mark_.bursts;
    const bool only_bursts = channel.commands_issued() - mark_.commands == bursts;
    if (only_bursts && bursts < period_bursts) return;  // the period goes on
    if (only_bursts && bursts == period_bursts) {
      if (std::int64_t periods = periods_ahead(draining ? tails_horizon : horizon_cycle);
          periods > 0 && trace_latencies()) {
        // A tail's requests are all queued: each chain lists every one.
        if (draining)
          for (const LatencyChain& chain : latency_chains_)
            periods = std::min(periods, static_cast<std::int64_t>(chain.later.size()));
        jump(periods);
        marked_ = false;
        return;
      }
    }
  }
  mark_stream();
}

void DramSystem::mark_stream() {
  const DramChannel& channel = channels_.front();
  const bool draining = pending_.empty();
  const std::uint64_t transfer = draining ? channel.last_queued().transfer : pending_.front().transfer;
  const auto period_bursts = static_cast<std::size_t>(spec_.bank_groups);
  // A tail's jump needs a period marked and another to jump over, with a
  // request behind the slots they issue from.
  std::size_t others = channel.queued() < period_bursts ? 1 : channel.requests_before_only(transfer);
  if (draining && channel.queued() <= 2 * period_bursts) others = channel.queued();
  // A row command soon breaks a period marked while one is wanted: in
  // GNMT, of 576 k such marks, 22 reached their period's end and none
  // jumped. Marking waits for the next burst.
  // Nor can a closed-page period repeat while an activate's timing still
  // runs (DramChannel::repeats).
  if (others == 0 && (channel.row_command_wanted() || (!channel.open_page() && channel.row_timings_pending())))
    others = 1;
  marked_ = others == 0;
  if (!marked_) {
    // No mark can hold before that many more bursts.
    mark_after_bursts_ = channel.bursts_issued() + static_cast<std::int64_t>(others);
    return;
  }
  if (marked_channel_)
    channel.copy_state_to(*marked_channel_);
  else
    marked_channel_.emplace(channel);
  mark_ = {cycle_, channel.bursts_issued(), channel.commands_issued(), bursts_done_, transfer, draining, stats()};
  period_completions_.clear();
  period_history_.clear();
  period_bursts_issued_.clear();
}

std::int64_t DramSystem::periods_ahead(std::int64_t horizon_cycle) const {
  const DramChannel& channel = channels_.front();
  const std::int64_t period_bursts = spec_.bank_groups;
  const auto drained = static_cast<std::size_t>(mark_.draining ? period_bursts : 0);
  if ((!mark_.draining && pending_.front().transfer != mark_.transfer) ||
      bursts_done_ - mark_.bursts_done != period_bursts ||
      static_cast<std::int64_t>(period_completions_.size()) != period_bursts ||
      !channel.serves_only(mark_.transfer) || !channel.repeats(*marked_channel_, drained))
    return 0;
  const std::int64_t period = cycle_ - mark_.cycle;
  const std::int64_t burst_bytes = spec_.burst_bytes;
  // A period short of the next refresh, the horizon and the transfer's
  // last burst to queue, so the stream stays as it was up to the jump's end.
  std::int64_t periods = std::min((channel.next_refresh() - cycle_) / period - 1, (horizon_cycle - cycle_) / period);
  if (mark_.draining) return std::max<std::int64_t>(std::min(periods, periods_draining()), 0);
  const PendingBursts& range = pending_.front();
  const std::int64_t stream_left = (range.end - range.next) / burst_bytes;  // its bursts still to queue
  periods = std::min(periods, std::max(stream_left / period_bursts - 1, handover_periods(periods, stream_left)));
  // Each of its bursts queued meanwhile must go where the one a period before it went.
  for (std::int64_t b = 0; b < std::min(periods * period_bursts, stream_left); ++b) {
    const std::int64_t address = range.next + b * burst_bytes;
    if (!mapping_.same_row(address, address - period_bursts * burst_bytes)) return b / period_bursts;
  }
  return std::max<std::int64_t>(periods, 0);
}

std::int64_t DramSystem::handover_periods(std::int64_t periods, std::int64_t stream_left) const {
  const DramChannel& channel = channels_.front();
  const std::int64_t period_bursts = spec_.bank_groups;
  const std::int64_t period = cycle_ - mark_.cycle;
  // With one rank, a period of column commands each as soon as the last
  // allows another of its kind (tCCD_S, or the data bus's burst) leaves no
  // cycle in which another column command of that kind could go.
  const DramTiming& t = spec_.t;
  const std::int64_t gap = std::max(t.CCD_S, t.BURST);
  if (spec_.ranks != 1 || !channel.open_page() || period != period_bursts * gap) return 0;
  // Neither the stream's last burst, whose end the array may wait on, nor
  // any behind it issues in the jump: request id + k·period_bursts issues k
  // periods after the marked period's request id did.
  std::uint64_t last_issued = 0;
  for (const DramCompletion& burst : period_bursts_issued_) last_issued = std::max(last_issued, burst.id);
  const std::uint64_t stream_last = next_burst_id_ + static_cast<std::uint64_t>(stream_left) - 1;
  if (stream_last < last_issued + 1) return 0;
  periods = std::min(periods, static_cast<std::int64_t>(stream_last - 1 - last_issued) / period_bursts);
  // At least one burst is left to queue: a transfer started at a time
  // jumped over queues behind it, as it would have then.
  std::int64_t pending = stream_left;
  for (std::size_t r = 1; r < pending_.size(); ++r) pending += (pending_[r].end - pending_[r].next) / spec_.burst_bytes;
  periods = std::min(periods, (pending - 1) / period_bursts);
  // The bursts queued behind the stream's, in order: each a row hit. One of
  // the other kind must wait out the turnaround after each of the stream's
  // commands, no shorter than the gap: after a read, tRTW and the read's
  // data on the bus; after a write, its data and tWTR_S.
  const std::int64_t wanted = periods * period_bursts;
  const bool write = pending_.front().write;
  const bool other_kind_waits = write ? t.WL + t.BURST + t.WTR_S >= gap
                                      : std::max({t.CCD_S, t.RTW, t.RL + t.BURST - t.WL}) >= gap;
  std::int64_t queued = stream_left;
  for (std::size_t r = 1; r < pending_.size() && queued < wanted; ++r) {
    const PendingBursts& behind = pending_[r];
    if (behind.write != write && !other_kind_waits) return queued / period_bursts;
    for (std::int64_t address = behind.next; address < behind.end && queued < wanted;
         address += spec_.burst_bytes, ++queued)
      if (!channel.row_open(mapping_.decode(address).location)) return queued / period_bursts;
  }
  return periods;
}

std::int64_t DramSystem::periods_draining() const {
  const auto period_bursts = static_cast<std::int64_t>(spec_.bank_groups);
  std::int64_t deepest = 0;  // the deepest slot of the marked queue the period issued from
  for (const DramCompletion& burst : period_bursts_issued_)
    deepest = std::max(deepest, static_cast<std::int64_t>(marked_channel_->queue_slot(burst.id)));
  // Period k of the jump (from 1) starts with queued - (k - 1)·period_bursts
  // requests, which must hold that slot and, behind it, the last.
  const std::int64_t room = static_cast<std::int64_t>(channels_.front().queued()) - 2 - deepest;
  return room < 0 ? 0 : room / period_bursts + 1;
}

void DramSystem::jump(std::int64_t periods) {
  DramChannel& channel = channels_.front();
  const std::int64_t period = cycle_ - mark_.cycle;
  const std::int64_t period_bursts = channel.bursts_issued() - mark_.bursts;
  const std::int64_t requests = period_bursts * periods;
  const std::int64_t burst_bytes = spec_.burst_bytes;
  opener_bursts_.clear();
  if (!mark_.draining) find_opener_bursts(periods);
  // What the marked period added, once more for each period jumped over.
  for (std::int64_t k = 1; k <= periods; ++k)
    for (const auto& [done_fs, bytes] : period_completions_)
      add_completion(done_fs + k * period * tck_fs_, bytes + k * period_bursts * burst_bytes);
  if (keep_history_) {
    // Readers are at the jump's start at the earliest: awake, they asked
    // about the present and were given it, without a snapshot.
    if (history_.snapshots.empty() || history_.snapshots.back().cycle != cycle_) take_snapshot(history_);
    if (!period_history_.snapshots.empty()) {
      // Into a Repeat dropped from the history before, if any: its vectors
      // keep their storage (a jump's allocations cost more than its copies).
      std::shared_ptr<Repeat> repeat;
      if (spare_repeats_.empty()) {
        repeat = std::make_shared<Repeat>();
      } else {
        repeat = std::move(spare_repeats_.back());
        spare_repeats_.pop_back();
      }
      repeat->marked.snapshots = period_history_.snapshots;
      repeat->marked.active_until = period_history_.active_until;
      repeat->marked.channel_bursts = period_history_.channel_bursts;
      repeat->mark_stats = mark_.stats;
      repeat->end_stats = stats();
      repeat->period = period;
      repeat->periods = periods;
      repeat->period_bursts = period_bursts;
      repeat->mark_bursts = mark_.bursts;
      repeat->chains = latency_chains_;
      repeat->opener_bursts = opener_bursts_;
      const std::int64_t first = period_history_.snapshots.front().cycle + period;
      history_.snapshots.push_back({first, {}, std::move(repeat)});
      // Its standby states and bursts are the repeat's.
      history_.active_until.resize(history_.active_until.size() + static_cast<std::size_t>(spec_.ranks));
      history_.channel_bursts.resize(history_.channel_bursts.size() + 1);
    }
  }
  TransferBursts& transfer = transfers_[mark_.transfer - transfers_base_];
  transfer.unissued -= requests;
  transfer.unfinished -= requests;
  transfer.last_end += period * periods;
  bursts_done_ += requests;
  bursts_jumped_ += requests;
  cycle_ += period * periods;
  if (mark_.draining) {
    bursts_drained_ += requests;
    channel.drain(*marked_channel_, periods);
  } else {
    // The bursts queued meanwhile: the stream's, then, in a handover, those
    // of the transfers behind it.
    fed_.clear();
    for (std::int64_t left = requests; left > 0;) {
      PendingBursts& range = pending_.front();
      const std::int64_t fed = std::min(left, (range.end - range.next) / burst_bytes);
      fed_.push_back({next_burst_id_, range.next, range.transfer, range.write});
      next_burst_id_ += static_cast<std::uint64_t>(fed);
      range.next += fed * burst_bytes;
      left -= fed;
      if (range.next == range.end) pending_.pop_front();
    }
    front_decoded_ = false;
    channel.repeat(*marked_channel_, periods, [&](std::uint64_t id) {
      // Those queued before the jump are the stream's, before its first fed.
      auto from = std::upper_bound(fed_.begin(), fed_.end(), id,
                                   [](std::uint64_t i, const FedBursts& f) { return i < f.first_id; });
      if (from != fed_.begin()) --from;
      const std::int64_t address = from->first_address + (static_cast<std::int64_t>(id) -
                                                          static_cast<std::int64_t>(from->first_id)) * burst_bytes;
      return DramRepeatedRequest{mapping_.decode(address).location, arrival_of(id, period), from->transfer,
                                 from->write};
    }, period_bursts_issued_);
    if (fed_.size() > 1) ++handovers_;
    const auto conflicts = std::count_if(opener_bursts_.begin(), opener_bursts_.end(),
                                         [](const OpenerBurst& burst) { return burst.conflict; });
    channel.reclassify_hits(static_cast<std::int64_t>(opener_bursts_.size()) - conflicts, conflicts);
  }
  const JumpedLatencies jumped = jumped_latencies(latency_chains_, periods, 0);
  channel.add_latencies(jumped.added, jumped.longest);
}

void DramSystem::find_opener_bursts(std::int64_t periods) {
  // Request id issues k periods after the marked period's burst on its
  // latency chain (trace_latencies), as many bursts on.
  const auto period_bursts = static_cast<std::uint64_t>(spec_.bank_groups);
  channels_.front().for_each_row_opener([&](std::uint64_t id, bool conflict) {
    for (std::size_t b = 0; b < latency_chains_.size(); ++b) {
      const std::uint64_t first = latency_chains_[b].id;
      if (id <= first || (id - first) % period_bursts != 0) continue;
      const auto k = static_cast<std::int64_t>((id - first) / period_bursts);
      if (k <= periods)
        opener_bursts_.push_back(
            {mark_.bursts + static_cast<std::int64_t>(b) + k * static_cast<std::int64_t>(period_bursts), conflict});
    }
  });
}

bool DramSystem::trace_latencies() {
  const DramChannel& channel = channels_.front();
  const std::int64_t period = cycle_ - mark_.cycle;
  const auto period_bursts = static_cast<std::uint64_t>(spec_.bank_groups);
  // Both kept from one jump to the next: their storage is reused.
  std::vector<std::pair<std::uint64_t, std::int64_t>>& queued = queued_arrivals_;  // (id, arrival), by id
  queued.clear();
  channel.for_each_queued([&](std::uint64_t id, std::int64_t arrival) { queued.emplace_back(id, arrival); });
  latency_chains_.resize(period_bursts_issued_.size());
  std::size_t chained = 0;
  for (std::size_t b = 0; b < period_bursts_issued_.size(); ++b) {
    const DramCompletion& burst = period_bursts_issued_[b];
    LatencyChain& chain = latency_chains_[b];
    chain.id = burst.id;
    chain.done = burst.done;
    chain.latency = burst.done - burst.arrival;
    chain.later.clear();
    // Each is queued where the one before it was a period ago (repeats).
    for (std::uint64_t id = burst.id + period_bursts;; id += period_bursts) {
      const auto at = std::lower_bound(queued.begin(), queued.end(), std::make_pair(id, std::int64_t{0}),
                                       [](const auto& a, const auto& b) { return a.first < b.first; });
      if (at == queued.end() || at->first != id) break;
      const std::int64_t periods_on = static_cast<std::int64_t>(chain.later.size()) + 1;
      chain.later.push_back(burst.done + periods_on * period - at->second);
    }
    chained += chain.later.size();
  }
  return chained == queued.size() && std::all_of(latency_chains_.begin(), latency_chains_.end(),
                                                [](const LatencyChain& chain) { return !chain.later.empty(); });
}

std::int64_t DramSystem::arrival_of(std::uint64_t id, std::int64_t period) const {
  const auto period_bursts = static_cast<std::uint64_t>(spec_.bank_groups);
  for (const LatencyChain& chain : latency_chains_)
    if (id > chain.id && (id - chain.id) % period_bursts == 0) {
      const auto periods_on = static_cast<std::int64_t>((id - chain.id) / period_bursts);
      return chain.done + periods_on * period - chain.latency_after(periods_on);
    }
  throw std::logic_error("DramSystem: request " + std::to_string(id) + " queued after a jump is on no latency chain");
}

DramSystem::JumpedLatencies DramSystem::jumped_latencies(const std::vector<LatencyChain>& chains, std::int64_t periods,
                                                         std::size_t partial) {
  JumpedLatencies jumped;
  for (std::size_t j = 0; j < chains.size(); ++j) {
    const LatencyChain& chain = chains[j];
    const std::int64_t issued = periods + (j < partial ? 1 : 0);
    const auto listed = std::min<std::int64_t>(issued, static_cast<std::int64_t>(chain.later.size()));
    for (std::int64_t k = 0; k < listed; ++k) {
      const std::int64_t latency = chain.later[static_cast<std::size_t>(k)];
      jumped.added += latency - chain.latency;
      jumped.longest = std::max(jumped.longest, latency);
    }
    if (issued > listed) jumped.added += (issued - listed) * (chain.later.back() - chain.latency);
  }
  return jumped;
}

std::int64_t DramSystem::bytes_moved_by(std::int64_t time_fs) {
  while (!completions_.empty() && completions_.front().first <= time_fs) {
    bytes_reported_ = completions_.front().second;
    completions_.pop_front();
  }
  return bytes_reported_;
}

void DramSystem::bytes_moved_by_each(std::int64_t first_fs, std::int64_t period_fs, std::int64_t count,
                                     std::int64_t* by_time) {
  for (std::int64_t i = 0; i < count; ++i) by_time[i] = bytes_moved_by(first_fs + i * period_fs);
}

DramChannelStats DramSystem::stats() const {
  // Taken after every DRAM cycle that did something: one channel's are copied.
  DramChannelStats total = channels_.front().stats();
  for (std::size_t c = 1; c < channels_.size(); ++c) total += channels_[c].stats();
  return total;
}

}  // namespace systole
