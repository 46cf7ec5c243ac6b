#pragma once
// Systole's DRAM backend (models/dram/dram_backend.hpp): one or more channels (models/dram/dram_controller.hpp)
// behind an address mapping, on the DRAM's own clock (tCK). Time is counted
// in femtoseconds from the system's start; DRAM cycle d ends at (d + 1)·tCK.
// Whoever needs the DRAM's state at a time advances it there first (the
// memory controller at each accelerator edge, and the DRAM's own process,
// models/dram/dram.hpp, while the array sleeps), so both clock domains see one
// history. Only cycles in which a command may issue are run: the others are
// jumped over, and the data of bursts that ended in them is taken at the
// next cycle run or time advanced to, each burst with the cycle its data
// ended. The next event (next_event_fs) is the next command, or the end of
// a transfer whose bursts have all issued, whichever comes first. Whole
// periods of a steady stream of bursts are jumped over at once, running
// ahead while the array sleeps (run_ahead_through) and at the memory
// controller's ticks while it is awake (advance_through, docs/dram.md).
//
// Work arrives as transfers of whole tiles (a byte range to read or write),
// split into bursts and queued to the channels as their queues allow.

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "models/dram/dram_address_mapping.hpp"
#include "models/dram/dram_backend.hpp"
#include "models/dram/dram_controller.hpp"
#include "models/dram/dram_spec.hpp"

namespace systole {

class DramSystem final : public DramBackend {
 public:
  DramSystem(const DramSpec& spec, int channels, const DramControllerConfig& controller = {});

  std::uint64_t transfer(std::int64_t address, std::int64_t bytes, bool write) override;
  bool done(std::uint64_t transfer) const override;
  std::uint64_t transfers_finished() const override { return transfers_finished_count_; }

  // Runs every DRAM cycle that ends by `time_fs`.
  void advance_to(std::int64_t time_fs) override { advance(time_fs, /*follow_streams=*/false, kNoTails); }
  void advance_through(std::int64_t time_fs) override { advance(time_fs, /*follow_streams=*/true, kNoTails); }
  void advance_through_tails(std::int64_t time_fs, std::int64_t tails_horizon_fs) override {
    advance(time_fs, /*follow_streams=*/true, tails_horizon_fs / tck_fs_);
  }
  // Keeping the history of what it runs through, if kept at all.
  void run_ahead_to(std::int64_t time_fs) override;
  std::int64_t run_ahead_through(std::int64_t time_fs, std::int64_t horizon_fs) override;
  // The end of the next DRAM cycle in which something may happen, or kNever.
  std::int64_t next_event_fs() const override;
  bool take_finished_transfers() override { return std::exchange(transfers_finished_, false); }
  void on_transfer(std::function<void()> listener) override { on_transfer_ = std::move(listener); }
  // Bytes whose bursts completed by `time_fs`.
  std::int64_t bytes_moved_by(std::int64_t time_fs) override;
  void bytes_moved_by_each(std::int64_t first_fs, std::int64_t period_fs, std::int64_t count,
                           std::int64_t* by_time) override;

  const DramSpec& spec() const { return spec_; }
  std::int64_t capacity_bytes() const override { return mapping_.capacity_bytes(); }
  std::int64_t bytes_moved() const { return bursts_done_ * spec_.burst_bytes; }
  double peak_gb_per_s() const override {
    return spec_.peak_gb_per_s() * static_cast<double>(channels_.size());
  }
  DramChannelStats stats() const override;
  void keep_history() override;
  DramChannelStats stats_by(std::int64_t time_fs) override;
  std::vector<std::int64_t> channel_bursts_by(std::int64_t time_fs) override;
  std::int64_t burst_bytes() const override { return spec_.burst_bytes; }
  void record_transfers() override { record_transfers_ = true; }
  std::vector<DramTransferRecord> transfers_finished_by(std::int64_t time_fs) override;
  double tck_ns() const override { return spec_.tck_ps * 1e-3; }
  // Transfers whose bookkeeping is still held: the ones in flight and those
  // behind the oldest of them. A burst's is its channel's queue entry.
  std::size_t transfers_held() const { return transfers_.size(); }
  // Bursts whose cycles run_ahead_through jumped over.
  std::int64_t bursts_jumped() const { return bursts_jumped_; }
  // Of those, the bursts of streams' tails (no burst left to queue).
  std::int64_t bursts_drained() const { return bursts_drained_; }
  // The jumps that queued bursts of the transfers behind a stream's.
  std::int64_t handovers() const { return handovers_; }

 private:
  // advance_to, following steady streams after each DRAM cycle run if asked,
  // and their tails up to DRAM cycle `tails_horizon` (follow_stream).
  static constexpr std::int64_t kNoTails = -1;
  void advance(std::int64_t time_fs, bool follow_streams, std::int64_t tails_horizon);
  // Moves pending bursts into the channels' queues at `now_fs`.
  void feed(std::int64_t now_fs);
  void run_cycle();
  // Takes the bursts whose data ended by the cycle the channels are at.
  void take_completions() {
    for (const DramChannel& channel : channels_)
      if (channel.data_ended()) return take_ended();
  }
  void take_ended();
  void take_completion(const DramCompletion& burst);
  std::vector<DramCompletion> ended_;  // take_completions()'s, reused
  // A burst's column command issued: its data ends at burst.done.
  void burst_issued(const DramCompletion& burst);
  void drop_finished_transfers();

  // A transfer's bursts not yet queued: those from `next` up to `end`
  // (byte addresses, burst-aligned).
  struct PendingBursts {
    std::uint64_t transfer;
    std::int64_t next, end;
    bool write;
  };
  DramSpec spec_;
  std::int64_t tck_fs_;
  DramAddressMapping mapping_;
  std::vector<DramChannel> channels_;
  std::int64_t cycle_ = 0;  // the next DRAM cycle to run; every channel is at it
  std::int64_t now_fs_ = 0;  // the latest time advanced to
  std::deque<PendingBursts> pending_;
  // Where the first pending burst goes, once decoded: a full queue holds it
  // back for many cycles.
  DramAddress front_;
  bool front_decoded_ = false;
  // Per transfer, from transfer transfers_base_ on, its bursts not yet
  // completed and not yet issued, and the cycle the last issued one's data
  // ends. The ones before it have finished and are dropped, so this holds
  // the transfers in flight and those behind the oldest of them, not every
  // one of the run.
  struct TransferBursts {
    std::int64_t unfinished = 0, unissued = 0, last_end = 0;
  };
  std::deque<TransferBursts> transfers_;
  std::uint64_t transfers_base_ = 0;
  // The transfers whose bursts have all issued and not all completed: the
  // cycle their last data ends, and their id. Bursts whose data ends before
  // the first of them end no transfer: next_event_fs() passes them by.
  std::vector<std::pair<std::int64_t, std::uint64_t>> known_ends_;
  std::uint64_t next_burst_id_ = 0;
  std::int64_t bursts_done_ = 0;
  bool transfers_finished_ = false;
  std::uint64_t transfers_finished_count_ = 0;
  std::function<void()> on_transfer_;
  // Completed bytes by time, for bytes_moved_by: (cycle end, total bytes).
  std::deque<std::pair<std::int64_t, std::int64_t>> completions_;
  std::int64_t bytes_reported_ = 0;
  // For stats_by about the past: after each DRAM cycle run ahead
  // (run_ahead_to) in which a command issued, and as it starts to run
  // ahead, the statistics so far and every rank's standby state
  // (DramChannel::active_until, channel by channel), from which the cycles
  // before the next one follow: only commands change the statistics (a
  // burst's latency counts as it issues), so in them only standby cycles
  // are counted. The present needs none: it is the DRAM's state.
  // A jump's snapshots, those of the marked period repeated once per period
  // jumped over, stand as one entry, at the first of them: the last by a
  // time is worked out when asked (resolve_history).
  struct Repeat;
  struct Snapshot {
    std::int64_t cycle = 0;  // the statistics cover DRAM cycles [0, cycle)
    DramChannelStats stats;
    std::shared_ptr<const Repeat> repeat;  // for a jump's entry
  };
  struct History {
    std::vector<Snapshot> snapshots;
    std::vector<std::int64_t> active_until;    // ranks × channels per snapshot
    std::vector<std::int64_t> channel_bursts;  // channels per snapshot
    void clear();
  };
  // A burst the marked period issued, and those as many requests on in the
  // periods after it, each issuing and ending a period after the one
  // before: their latencies while they arrived at an unsteady pace (those
  // queued at the jump's start), then the last of those for good (the
  // requests queued from then on arrive a period after the one before).
  struct LatencyChain {
    std::uint64_t id = 0;      // the marked period's burst
    std::int64_t done = 0;     // the DRAM cycle its data ends
    std::int64_t latency = 0;  // its latency
    std::vector<std::int64_t> later;  // later[k-1]: the latency k periods on
    std::int64_t latency_after(std::int64_t periods) const {
      return later[static_cast<std::size_t>(std::min<std::int64_t>(periods, static_cast<std::int64_t>(later.size())) - 1)];
    }
  };
  struct JumpedLatencies {
    std::int64_t added = 0;    // beyond those of the marked period's bursts, repeated
    std::int64_t longest = 0;
  };
  // Of the bursts issued in the `periods` periods after the marked one and
  // the first `partial` of the next.
  static JumpedLatencies jumped_latencies(const std::vector<LatencyChain>& chains, std::int64_t periods,
                                          std::size_t partial);
  // A row opener's burst that a jump issued: the channel's bursts before
  // it, and whether it was a row conflict (else a miss).
  struct OpenerBurst {
    std::int64_t position = 0;
    bool conflict = false;
  };
  struct Repeat {
    History marked;  // the marked period's snapshots
    DramChannelStats mark_stats, end_stats;  // at the marked period's start and end
    std::int64_t period = 0, periods = 0, period_bursts = 0;
    std::int64_t mark_bursts = 0;  // the channel's bursts at the marked period's start
    std::vector<LatencyChain> chains;
    std::vector<OpenerBurst> opener_bursts;  // counted as row hits in `marked`'s repetitions
  };
  void take_snapshot(History& history) const;
  // The last snapshot by DRAM cycle `cycles`, into resolved_.
  void resolve_history(std::int64_t cycles);
  History resolved_;
  bool keep_history_ = false;
  bool running_ahead_ = false;
  // The snapshots still asked for start at history_front_; those before it
  // are erased at once when they are half of the vectors (a deque's
  // erasures and its blocks' allocations cost more, once per DRAM cycle run).
  History history_;
  std::size_t history_front_ = 0;
  // Drops every snapshot: the readers are at the present.
  void clear_history();
  // The Repeats of history_'s entries [first, end) that no one else holds,
  // into spare_repeats_, for the next jumps to reuse.
  void recycle_repeats(std::size_t first, std::size_t end);
  std::vector<std::shared_ptr<Repeat>> spare_repeats_;
  // Once recorded: transfers in flight by id, and those finished; the
  // bursts in the channels' queues by id: (address, queue-entry time).
  bool record_transfers_ = false;
  std::unordered_map<std::uint64_t, DramTransferRecord> transfers_in_flight_;
  std::deque<DramTransferRecord> finished_records_;
  std::unordered_map<std::uint64_t, std::pair<std::int64_t, std::int64_t>> bursts_in_flight_;
  void record_burst(std::uint64_t transfer, const DramCompletion& completion);
  // Drops the snapshots before the last one that covers at most `cycles`.
  void drop_history_before(std::int64_t cycles);
  // Moves a transfer that just finished (its data ended with DRAM cycle
  // `done`) from in flight to the finished.
  void record_finished(std::uint64_t transfer, std::int64_t done);
  void add_completion(std::int64_t done_fs, std::int64_t bytes);

  // A steady stream of bursts (run_ahead_through): one channel reading or
  // writing one transfer's bursts, a burst per bank group in turn, each
  // period (a burst per bank group) like the last. The system marks where
  // a period starts; where the channel repeats the marked state, shifted by
  // the period, the next periods repeat it too, as long as the bursts
  // queued meanwhile go where those a period earlier went and no refresh
  // falls due: they are jumped over in one step, with the completions,
  // statistics and history each period adds. A transfer started at a time
  // jumped over queues behind the stream's bursts still to queue (a jump
  // stops a period short of the last), as it would have then.
  // While the array sleeps no transfer starts, and a stream's tail (its
  // last burst queued, none arriving) drains alike: each period the same
  // queue slots issue, as long as the queue still holds them and the
  // transfer's last burst stays queued (DramChannel::repeats with
  // `drained`).
  struct StreamMark {
    std::int64_t cycle = 0, bursts = 0, commands = 0, bursts_done = 0;
    std::uint64_t transfer = 0;
    bool draining = false;  // no burst left to queue
    DramChannelStats stats;
  };
  bool marked_ = false;  // cleared by a transfer started and by history kept from now on
  std::vector<DramCompletion> period_bursts_issued_;  // the marked period's, as they issued
  std::vector<LatencyChain> latency_chains_;          // trace_latencies()'s
  // The row openers queued at a jump's start whose bursts it issues: the
  // marked period's bursts were all row hits, these are not.
  std::vector<OpenerBurst> opener_bursts_;
  void find_opener_bursts(std::int64_t periods);
  std::vector<std::pair<std::uint64_t, std::int64_t>> queued_arrivals_;  // trace_latencies()'s
  // Unmarked, the channel's bursts so far before which it cannot be marked.
  std::int64_t mark_after_bursts_ = 0;
  StreamMark mark_;
  std::optional<DramChannel> marked_channel_;
  // What the marked period added: its completions (time, bytes moved by
  // then) and, with history kept, its snapshots.
  std::vector<std::pair<std::int64_t, std::int64_t>> period_completions_;
  History period_history_;
  std::int64_t bursts_jumped_ = 0, bursts_drained_ = 0, handovers_ = 0;
  // Steady streams jump up to DRAM cycle `horizon_cycle`, tails up to
  // `tails_horizon` (kNoTails: not at all): no transfer starts before it.
  void follow_stream(std::int64_t horizon_cycle, std::int64_t tails_horizon);
  void mark_stream();
  // The periods that may be jumped over from the end of the marked one.
  std::int64_t periods_ahead(std::int64_t horizon_cycle) const;
  // Up to `periods`, those a stream with `stream_left` bursts still to
  // queue may be jumped over while the transfers behind it start to queue
  // (a handover): their bursts are row hits behind every one of the
  // stream's, and issue only after the jump -- in a period whose column
  // commands follow each other as closely as the rank allows, none could
  // issue sooner (one of the other kind waits longer still), and FR-FCFS
  // takes the stream's, older, first. Without them, a jump stops a period
  // short of the stream's last burst to queue; with them, it may queue
  // that burst, or go on to theirs.
  std::int64_t handover_periods(std::int64_t periods, std::int64_t stream_left) const;
  // A jump's bursts queued, by transfer: the first's id and address.
  struct FedBursts {
    std::uint64_t first_id;
    std::int64_t first_address;
    std::uint64_t transfer;
    bool write;
  };
  std::vector<FedBursts> fed_;
  // Those a draining tail may: its queue must still hold every slot the
  // marked period issued from, and the transfer's last burst.
  std::int64_t periods_draining() const;
  // The marked period's latency chains, into latency_chains_; false if the
  // queued requests are not each on one of them.
  bool trace_latencies();
  // When request `id`, queued after a jump, arrived: by its latency chain.
  std::int64_t arrival_of(std::uint64_t id, std::int64_t period) const;
  void jump(std::int64_t periods);
};

}  // namespace systole
