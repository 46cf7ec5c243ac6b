#pragma once
// One DRAM channel and its memory controller, cycle by cycle in DRAM clock
// cycles (tCK).
//
// Modelled: ranks, bank groups and banks, each bank with a row buffer and the
// ACT -> RD/WR -> PRE state machine; tRCD, tRP, tRAS, tRC, RL, WL, tBURST,
// tCCD_S/L, tRRD_S/L, tFAW, tWTR_S/L, read-to-write turnaround, tRTP, tWR;
// one burst at a time on the data bus, tRTRS between bursts of different
// ranks; all-bank refresh every tREFI taking tRFC; a request queue with
// FR-FCFS scheduling (ready row hits first, then the oldest request's row
// command; a request waiting longer than starvation_cycles is no longer
// overtaken) and an open- or closed-page policy. The scheduler issues at most
// one command per cycle; with the closed-page policy a column command carries
// its auto-precharge (RDA/WRA), which the command log shows as a PRE at the
// cycle it takes effect.
// For the DRAM's energy (models/dram/dram_power.hpp) the channel counts its
// commands and, per rank and DRAM cycle, whether the rank is in active or
// precharge standby (DramChannelStats).
// Abstracted away: command/address bus encoding, power-down, per-bank
// refresh, on-die termination, the PHY, and data values.

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <limits>
#include <vector>

#include "models/dram/dram_spec.hpp"

namespace systole {

struct DramLocation {
  int rank = 0, bank_group = 0, bank = 0;  // bank within its group
  int row = 0, column = 0;                 // column in bursts
};

struct DramRequest {
  std::uint64_t id = 0;
  bool write = false;
  DramLocation location;
  std::uint64_t transfer = 0;  // the requester's (the DRAM system's transfer), handed back
};

// A request queued after a jump (DramChannel::repeat): where it goes, when
// it arrived, whose it is and whether it writes.
struct DramRepeatedRequest {
  DramLocation location;
  std::int64_t arrival = 0;
  std::uint64_t transfer = 0;
  bool write = false;
};

struct DramCompletion {
  std::uint64_t id = 0;
  bool write = false;
  std::int64_t arrival = 0;  // cycle the request entered the queue
  std::int64_t done = 0;     // cycle its last data beat ended
  std::uint64_t transfer = 0;  // the request's
};

// Completions held by their channel: valid until it is next ticked or
// asked for them again.
class DramCompletions {
 public:
  DramCompletions() = default;
  DramCompletions(const DramCompletion* first, const DramCompletion* last) : first_(first), last_(last) {}
  const DramCompletion* begin() const { return first_; }
  const DramCompletion* end() const { return last_; }
  std::size_t size() const { return static_cast<std::size_t>(last_ - first_); }
  bool empty() const { return first_ == last_; }
  const DramCompletion& front() const { return *first_; }

 private:
  const DramCompletion* first_ = nullptr;
  const DramCompletion* last_ = nullptr;
};

enum class DramCommand { Activate, Precharge, Read, Write, Refresh };

struct DramCommandRecord {
  std::int64_t cycle = 0;
  DramCommand command = DramCommand::Activate;
  int rank = 0, bank_group = 0, bank = 0, row = -1;
};

struct DramControllerConfig {
  int queue_depth = 32;
  // A request older than this stops row hits to other rows of its bank from
  // overtaking it, so it cannot starve.
  int starvation_cycles = 512;
  bool open_page = true;
  bool refresh = true;
  bool record_commands = false;  // keep every issued command (for checking)
};

struct DramChannelStats;
// Adds the standby rank-cycles [from, to), in which no command issues, of a
// rank that stays active until `active_until` (DramChannel::active_until).
void count_rank_standby(DramChannelStats& stats, std::int64_t active_until, std::int64_t from, std::int64_t to);

struct DramChannelStats {
  std::int64_t reads = 0, writes = 0;  // RD and WR commands: one burst each
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::int64_t activates = 0;  // ACT commands
  // PRE commands: explicit ones (another row wanted, before a refresh) and
  // the auto-precharge a closed-page RDA/WRA carries, counted at its column
  // command.
  std::int64_t precharges = 0;
  std::int64_t refreshes = 0;  // REF commands: one per rank each tREFI
  // Rank-cycles (DRAM cycles of each rank, summed over ranks): active standby
  // while at least one of the rank's banks is open -- from the cycle of its
  // ACT up to the cycle its PRE takes effect -- or a REF of the rank is
  // running (tRFC from the REF); precharge standby otherwise. Every cycle the
  // channel runs or skips counts in one of them, for every rank.
  std::int64_t active_standby_cycles = 0, precharge_standby_cycles = 0;
  // Cycles, arrival to last data beat, counted as the burst's column
  // command issues (when its data's end is known): a run's or a drained
  // step's figures are those of its completed bursts.
  std::int64_t latency_sum = 0, latency_max = 0;
  std::int64_t data_bus_cycles = 0;

  DramChannelStats& operator+=(const DramChannelStats& other);
};

// `from` with what a period added (from `period_start` to `period_end`)
// added `times` more: every count grows by as much each time; the longest
// latency is the period's end's, as if the latencies repeated (the caller
// adds what requests that arrived unsteadily change).
DramChannelStats repeated(const DramChannelStats& from, const DramChannelStats& period_end,
                          const DramChannelStats& period_start, std::int64_t times);

class DramChannel {
 public:
  DramChannel(const DramSpec& spec, const DramControllerConfig& config);

  bool can_accept() const { return static_cast<int>(queue_.size()) < config_.queue_depth; }
  void enqueue(const DramRequest& request);
  // One DRAM clock cycle: issues at most one command.
  void tick();
  // The first cycle from now() at which tick() may issue a command. Every
  // readiness condition is a lower bound on the cycle, so the minimum over
  // them is never late (it may be early: ticking then just finds nothing to
  // do).
  // Inline, as skip_to: asked at least once per accelerator cycle.
  std::int64_t next_command() const {
    if (next_command_ == kUnknown) next_command_ = compute_next_command();
    return next_command_;
  }
  // The same, or the cycle after whose tick a request's data ends, if sooner.
  std::int64_t next_event() const;
  // Jumps over idle cycles to `cycle`, which must not pass next_command():
  // the channel ends up as if it had been ticked through them. Data that
  // ended in them is taken by the next take_completions(), with the cycle it
  // ended.
  void skip_to(std::int64_t cycle) { now_ = std::max(now_, cycle); }
  // Requests whose data transfer has ended by now, in the order they ended.
  DramCompletions take_completions();
  // The request whose column command issued last.
  const DramCompletion& last_issued() const { return in_flight_.back(); }
  // Some request's data has ended by now and was not taken.
  bool data_ended() const { return now_ >= first_done_; }
  bool idle() const { return queue_.empty() && in_flight_head_ == in_flight_.size(); }

  std::int64_t now() const { return now_; }
  // Up to now: the standby cycles since the last command are counted as
  // they are asked for (no command, no change of state).
  DramChannelStats stats() const;
  // Every command issued so far (a RDA or WRA counts its auto-precharge).
  std::int64_t commands_issued() const {
    return stats_.reads + stats_.writes + stats_.activates + stats_.precharges + stats_.refreshes;
  }
  // RD and WR commands so far: one burst each.
  std::int64_t bursts_issued() const { return stats_.reads + stats_.writes; }
  // Per rank, the cycle before which the rank stays in active standby if no
  // command issues from now on (kAlwaysActive while a bank is open).
  static constexpr std::int64_t kAlwaysActive = std::numeric_limits<std::int64_t>::max();
  std::int64_t active_until(int rank) const { return open_banks_[rank] > 0 ? kAlwaysActive : active_until_[rank]; }
  const std::vector<DramCommandRecord>& commands() const { return commands_; }

  // For a jump over a steady stream of bursts (DramSystem): whether this
  // channel is `earlier` moved on by now() - earlier.now() cycles -- the
  // same rows open, the same requests queued (rank, bank, row, read or
  // write), each as many requests on, and every timing bound and data end
  // the same relative to now. Bounds passed long enough ago that they can
  // hold no command back any more count as equal. Arrivals are not
  // compared: they set the latencies, which the caller works out, and
  // choose no command. A request starving holds back only row hits of its
  // bank to another row, and in a period of column commands alone every
  // queued request is a row hit: one that is not cannot issue, so it moves
  // down the queue, to a slot that held one just like it a period earlier,
  // which could not issue either -- and so on down past the queue's head.
  // With the open-page policy and no request queued for another row, now
  // or then, the activate and precharge timings (tRC, tRRD, tFAW, tRAS,
  // and a bank's tRTP or write recovery) may also be where they were: no
  // command they hold back is wanted, and no command the period issued
  // moved them, so none in the periods after it does (move_on).
  //
  // With `drained` > 0 (a stream's tail, no request arriving), the queue is
  // `earlier`'s less `drained` requests, and each request still queued is
  // like the one its slot held then: an open-page channel then chooses the
  // same slots as long as they are there, as a request behind the ones
  // chosen holds nothing back. (A closed-page channel's auto-precharge
  // looks at the whole queue: its tails are not drained.)
  //
  // With the open-page policy, a stream's requests that are all row hits,
  // now and then, need not be in the same banks as a period earlier: a
  // stream crossing from one row into the next (open already) moves from a
  // bank of each group into another, and every bank's column bounds have
  // passed (compared above), so the column commands are chosen by bank
  // group, rank and age alone. What a bank's columns leave behind (its
  // queued requests' kinds and its precharge bound) then is worked out by
  // repeat() from where the jump's columns went.
  //
  // Which queued requests opened their row (row openers: their bursts
  // count as row misses or conflicts) need not be the same either, if
  // every burst of the period was a row hit: the first requests to a row
  // stay queued for periods after its activate, and whether a request
  // opened its row chooses no command. Their bursts in the periods after
  // are the caller's to count as they are (reclassify_hits).
  bool repeats(const DramChannel& earlier, std::size_t drained = 0) const;
  // Copies into `mark` (a copy of this channel) what repeats() and repeat()
  // read of the earlier state: not the spec, the configuration or the
  // commands recorded, nor the requests and bursts gone.
  void copy_state_to(DramChannel& mark) const;
  // Moves the channel on through `periods` more repetitions of the period
  // that led from `earlier` to now, which repeats() confirmed: the timing
  // bounds move on by as many cycles, the queued requests and the bursts in
  // flight are those as many requests later (`locate` tells where a request
  // goes and when it arrived by its id), and the statistics grow by as much
  // each period, the latencies as the caller then adds (add_latencies).
  // The caller makes sure that no refresh falls due meanwhile and that the
  // requests queued meanwhile go where those a period earlier went -- or,
  // for those of another transfer than the one a period earlier, that they
  // are row hits which issue after the jump (DramSystem's handover): their
  // slots then take their bank and are counted afresh.
  // `period_bursts`: the bursts the period issued, as they issued.
  void repeat(const DramChannel& earlier, std::int64_t periods,
              const std::function<DramRepeatedRequest(std::uint64_t id)>& locate,
              const std::vector<DramCompletion>& period_bursts);
  // The same for a tail that repeats() confirmed drains: the queue is then
  // what it holds less the requests the periods issue (each slot the
  // request as many on that it holds now), and nothing is relocated.
  void drain(const DramChannel& earlier, std::int64_t periods);
  // Adds `sum` to the latencies' sum and takes `longest` as the longest if
  // it is.
  void add_latencies(std::int64_t sum, std::int64_t longest);
  // Counts as many of the bursts counted as row hits as row misses and
  // conflicts instead: row openers' bursts that a repeat() issued.
  void reclassify_hits(std::int64_t misses, std::int64_t conflicts);
  // The cycle the next refresh falls due, or kAlwaysActive without refresh.
  std::int64_t next_refresh() const { return config_.refresh ? next_refresh_ : kAlwaysActive; }
  bool records_commands() const { return config_.record_commands; }
  // Whether every queued request and burst in flight belongs to `transfer`.
  bool serves_only(std::uint64_t transfer) const;
  // How many queued requests must issue before every request queued and
  // in flight is `transfer`'s (0 if they are).
  std::size_t requests_before_only(std::uint64_t transfer) const;
  // Whether a queued request waits for a row command: its bank closed, or
  // open at another row.
  bool row_command_wanted() const;
  // Whether a request to `l` would be a row hit now.
  bool row_open(const DramLocation& l) const { return banks_[bank_index(l)].open_row == l.row; }
  bool open_page() const { return config_.open_page; }
  // Whether an activate's or precharge's timing still holds a bank, bank
  // group or rank (tRC, tRP, tRRD, tFAW): with the closed-page policy no
  // period of bursts alone that starts now repeats, as its auto-precharges
  // move some of those timings and not others.
  bool row_timings_pending() const;
  std::size_t queued() const { return queue_.size(); }
  // The request queued last; the queue must not be empty.
  const DramRequest& last_queued() const { return queue_.back().request; }
  // The queue slot request `id` holds, or queued() if it is not queued.
  std::size_t queue_slot(std::uint64_t id) const;
  // Calls visit(id, conflict) for every queued row opener, oldest first:
  // `conflict` if it closed another row first.
  template <class Visit>
  void for_each_row_opener(Visit&& visit) const {
    for (const Queued& q : queue_)
      if (q.activated || q.precharged) visit(q.request.id, q.precharged);
  }
  // Calls visit(id, arrival) for every queued request, oldest first.
  template <class Visit>
  void for_each_queued(Visit&& visit) const {
    for (const Queued& q : queue_) visit(q.request.id, q.arrival);
  }

 private:
  struct Bank {
    int open_row = -1;
    std::int64_t next_act = 0, next_read = 0, next_write = 0;
    // The earliest PRE: tRAS after the ACT, and after each column command
    // (tRTP, write recovery). Kept apart because a stream of bursts moves
    // only the second (DramChannel::move_on).
    std::int64_t pre_after_activate = 0, pre_after_column = 0;
    std::int64_t next_pre() const { return std::max(pre_after_activate, pre_after_column); }
    int rank = 0;
    std::size_t group = 0;  // group_index
    // Its queued requests: reads and writes to the open row, and the rest
    // (another row, or any row while the bank is closed). Each kind of
    // request to a bank waits for the same timing, so the scheduler's bound
    // looks at kinds of requests per bank, not at every request.
    int row_reads = 0, row_writes = 0, other_rows = 0;
    int queued() const { return row_reads + row_writes + other_rows; }
    int& kind(int row, bool write) { return row != open_row ? other_rows : write ? row_writes : row_reads; }
  };
  struct Queued {
    DramRequest request;
    std::int64_t arrival = 0;
    std::size_t bank = 0, group = 0;  // bank_index and group_index of its location
    bool activated = false;    // this request opened its row
    bool precharged = false;   // ... after closing another
  };

  Bank& bank_of(const DramLocation& l) { return banks_[bank_index(l)]; }
  std::size_t bank_index(const DramLocation& l) const {
    return (static_cast<std::size_t>(l.rank) * spec_.bank_groups + l.bank_group) * spec_.banks_per_group + l.bank;
  }
  std::size_t group_index(const DramLocation& l) const {
    return static_cast<std::size_t>(l.rank) * spec_.bank_groups + l.bank_group;
  }
  bool column_ready(const Queued& q, const Queued* starving) const;
  // Whether a column command to the open row of `bank` could issue now, if
  // the bank has such a request and no starving request holds it back.
  bool bank_column_ready(const Bank& bank, bool write) const;
  std::int64_t data_bus_ready(int rank) const;
  bool activate_ready(const Bank& bank) const;
  bool row_has_waiting_hit(const DramLocation& l, int row) const;
  bool refresh_step();
  // Moves the timing bounds the period moved, the bursts in flight, the
  // statistics and the clock on through `periods` repetitions of the period
  // since `earlier`.
  void move_on(const DramChannel& earlier, std::int64_t periods);
  // Counts every queued request in its bank's kinds afresh.
  void recount_all_queued();
  // Counts a queued request in its bank's kinds (by = +1) or takes it out (-1).
  void count_queued(const Queued& q, int by);
  // Re-counts a bank's queued requests after its open row changed.
  void recount_queued(std::size_t bank);
  void issue_column(std::size_t index);
  void issue_activate(Queued& q);
  void issue_precharge(const DramLocation& l, std::int64_t at);
  // Counts cycles [from, to), in which no command issues, as active or
  // precharge standby for every rank.
  void count_standby(DramChannelStats& stats, std::int64_t from, std::int64_t to) const;
  // stats_ counts standby cycles before standby_from_; those from it to now
  // are counted before a command may change the ranks' state.
  std::int64_t standby_from_ = 0;
  void record(DramCommand command, const DramLocation& l, int row, std::int64_t at);

  DramSpec spec_;
  DramControllerConfig config_;
  std::vector<Bank> banks_;
  // Per rank and bank group: earliest next ACT / READ / WRITE.
  std::vector<std::int64_t> group_next_act_, group_next_read_, group_next_write_;
  // Per rank: earliest next ACT / READ / WRITE to any group, last four ACTs.
  std::vector<std::int64_t> rank_next_act_, rank_next_read_, rank_next_write_;
  std::vector<std::deque<std::int64_t>> recent_acts_;
  // Per rank: banks with a row open, and the cycle before which the rank
  // stays active with none open (an auto-precharge still to take effect, a
  // refresh running).
  std::vector<int> open_banks_;
  std::vector<std::int64_t> active_until_;
  std::int64_t bus_free_ = 0;  // first cycle the data bus is free
  int bus_rank_ = 0;           // rank of the last burst on the data bus
  std::int64_t next_refresh_ = 0;
  bool refresh_due_ = false;
  std::int64_t now_ = 0;
  // At most queue_depth requests, oldest first, contiguous because the
  // scheduler walks it every cycle it looks for a command. Most column
  // commands take the oldest request: its slot is dropped by moving the
  // queue's start, not the requests behind it.
  class RequestQueue {
   public:
    void reserve(std::size_t depth) { slots_.reserve(2 * depth); }
    std::size_t size() const { return slots_.size() - head_; }
    bool empty() const { return size() == 0; }
    Queued* begin() { return slots_.data() + head_; }
    Queued* end() { return slots_.data() + slots_.size(); }
    const Queued* begin() const { return slots_.data() + head_; }
    const Queued* end() const { return slots_.data() + slots_.size(); }
    Queued& operator[](std::size_t i) { return slots_[head_ + i]; }
    const Queued& operator[](std::size_t i) const { return slots_[head_ + i]; }
    const Queued& front() const { return slots_[head_]; }
    const Queued& back() const { return slots_.back(); }
    void assign(const RequestQueue& other) {
      slots_.assign(other.begin(), other.end());
      head_ = 0;
    }
    void push_back(const Queued& q) {
      if (head_ > 0 && slots_.size() == slots_.capacity()) {
        slots_.erase(slots_.begin(), slots_.begin() + static_cast<std::ptrdiff_t>(head_));
        head_ = 0;
      }
      slots_.push_back(q);
    }
    // Keeps the oldest `size` requests.
    void truncate(std::size_t size) { slots_.resize(head_ + size); }
    void erase(std::size_t i) {
      if (i == 0)
        ++head_;
      else
        slots_.erase(slots_.begin() + static_cast<std::ptrdiff_t>(head_ + i));
      if (empty()) {
        slots_.clear();
        head_ = 0;
      }
    }

   private:
    std::vector<Queued> slots_;
    std::size_t head_ = 0;  // slots before it have left
  };
  RequestQueue queue_;
  // Whether repeats() and repeat() let queued requests be in other banks
  // than those a period earlier.
  bool banks_may_differ(const DramChannel& earlier, std::size_t drained) const;
  // Each bank's precharge bound after the columns a jump of `periods`
  // issues, into pre_after_column_in_jump_.
  void columns_in_jump(const DramChannel& earlier, std::int64_t periods,
                       const std::vector<DramCompletion>& period_bursts);
  std::vector<std::int64_t> pre_after_column_in_jump_;
  struct JumpChain {  // a period's burst and the requests as many on, each a period later
    const DramCompletion* burst = nullptr;
    std::int64_t issued = 0;      // the burst's column command
    std::uint64_t last_id = 0;    // the chain's last request queued
    std::size_t last_bank = 0;
  };
  std::vector<JumpChain> chains_in_jump_;  // columns_in_jump()'s, kept for their storage
  std::vector<Queued> row_openers_;  // repeat()'s, kept for their storage
  std::vector<std::size_t> banks_with_requests_;  // in no particular order
  // Requests whose column command issued, in the order they end, which is
  // the order they issued; those before in_flight_head_ have been taken
  // (the last of them are take_completions()'s answer).
  std::vector<DramCompletion> in_flight_;
  std::size_t in_flight_head_ = 0;
  // The first cycle a request in flight ends at (asked every cycle run).
  std::int64_t first_done_ = std::numeric_limits<std::int64_t>::max();
  // next_command()'s answer until the state it reads changes (a request
  // queued, a tick that may have issued a command), or kUnknown. Ticks and
  // skips through cycles before it keep it: they change nothing it reads.
  static constexpr std::int64_t kUnknown = -1;
  mutable std::int64_t next_command_ = kUnknown;
  std::int64_t compute_next_command() const;
  // tick()'s command, if one can go now (FR-FCFS, refresh first).
  void issue_command();
  DramChannelStats stats_;
  std::vector<DramCommandRecord> commands_;
};

std::string to_string(DramCommand command);

}  // namespace systole
