#include "models/dram/dram_system.hpp"

#include <algorithm>
#include <cmath>
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
  if (running_ahead_ && keep_history_ && commands_issued) take_snapshot();
  feed(cycle_ * tck_fs_);
}

void DramSystem::burst_issued(const DramCompletion& burst) {
  const std::uint64_t transfer = burst.transfer;
  TransferBursts& t = transfers_[transfer - transfers_base_];
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
  const std::int64_t done_fs = c.done * tck_fs_;
  if (!completions_.empty() && completions_.back().first == done_fs)
    completions_.back().second = bytes_moved();
  else
    completions_.push_back({done_fs, bytes_moved()});
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
  if (keep_history_) return;
  keep_history_ = true;
  take_snapshot();
}

void DramSystem::take_snapshot() {
  history_.push_back({cycle_, stats()});
  for (const DramChannel& channel : channels_) {
    for (int rank = 0; rank < spec_.ranks; ++rank) history_active_until_.push_back(channel.active_until(rank));
    history_channel_bursts_.push_back(bursts_of(channel));
  }
}

void DramSystem::clear_history() {
  history_.clear();
  history_active_until_.clear();
  history_channel_bursts_.clear();
  history_front_ = 0;
}

void DramSystem::drop_history_before(std::int64_t cycles) {
  if (!keep_history_ || cycles >= cycle_ || history_front_ >= history_.size() ||
      history_[history_front_].cycle > cycles)
    throw std::logic_error("DramSystem: statistics asked of a time without history or not advanced to");
  while (history_front_ + 1 < history_.size() && history_[history_front_ + 1].cycle <= cycles) ++history_front_;
  if (2 * history_front_ < history_.size()) return;
  const auto dropped = static_cast<std::ptrdiff_t>(history_front_);
  const auto ranks = static_cast<std::ptrdiff_t>(channels_.size()) * spec_.ranks;
  const auto channels = static_cast<std::ptrdiff_t>(channels_.size());
  history_.erase(history_.begin(), history_.begin() + dropped);
  history_active_until_.erase(history_active_until_.begin(), history_active_until_.begin() + dropped * ranks);
  history_channel_bursts_.erase(history_channel_bursts_.begin(), history_channel_bursts_.begin() + dropped * channels);
  history_front_ = 0;
}

std::vector<std::int64_t> DramSystem::channel_bursts_by(std::int64_t time_fs) {
  if (keep_history_ && time_fs / tck_fs_ == cycle_) {
    clear_history();
    std::vector<std::int64_t> bursts;
    for (const DramChannel& channel : channels_) bursts.push_back(bursts_of(channel));
    return bursts;
  }
  drop_history_before(time_fs / tck_fs_);
  // No command issues in the cycles skipped after the snapshot.
  const auto first = history_channel_bursts_.begin() +
                     static_cast<std::ptrdiff_t>(history_front_ * channels_.size());
  return {first, first + static_cast<std::ptrdiff_t>(channels_.size())};
}

DramChannelStats DramSystem::stats_by(std::int64_t time_fs) {
  const std::int64_t cycles = time_fs / tck_fs_;  // those that end by time_fs
  if (keep_history_ && cycles == cycle_) {
    clear_history();
    return stats();
  }
  drop_history_before(cycles);
  const std::size_t ranks = channels_.size() * static_cast<std::size_t>(spec_.ranks);
  const Snapshot& last = history_[history_front_];
  DramChannelStats stats = last.stats;
  for (std::size_t r = 0; r < ranks; ++r)
    count_rank_standby(stats, history_active_until_[history_front_ * ranks + r], last.cycle,
                       std::max(last.cycle, cycles));
  return stats;
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

void DramSystem::advance_to(std::int64_t time_fs) {
  now_fs_ = std::max(now_fs_, time_fs);
  // Asked about twice per accelerator cycle: mostly no DRAM cycle has ended
  // since, which a product tells faster than the quotient.
  if (time_fs < (cycle_ + 1) * tck_fs_) return;
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
  }
  take_completions();
}

void DramSystem::run_ahead_to(std::int64_t time_fs) {
  if (keep_history_ && (history_.empty() || history_.back().cycle != cycle_)) take_snapshot();
  running_ahead_ = true;
  advance_to(time_fs);
  running_ahead_ = false;
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
