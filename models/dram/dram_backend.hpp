#pragma once
// What the accelerator asks of its DRAM, whatever simulates it: start
// transfers of byte ranges, advance to a time, and tell what has finished.
// Time is counted in femtoseconds from the backend's start. The memory
// controller (models/memory/memory_controller.hpp) and the DRAM's SystemC
// process (models/dram/dram.hpp) use only this interface, so another DRAM
// simulator can stand behind it; Systole's own is DramSystem
// (models/dram/dram_system.hpp).

#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "models/dram/dram_controller.hpp"

namespace systole {

// One burst (one request to a channel) of a recorded transfer: the address
// of its first byte (burst-aligned), when it entered its channel's request
// queue and when its last data beat ended.
struct DramBurstRecord {
  std::int64_t address = 0;
  std::int64_t issued_fs = 0, completed_fs = 0;
};

// A transfer as the DRAM served it: started when transfer() was called,
// finished at the end of the DRAM cycle in which its last burst completed;
// its bursts in the order they completed.
struct DramTransferRecord {
  std::int64_t address = 0, bytes = 0;
  bool write = false;
  std::int64_t started_fs = 0, finished_fs = 0;
  std::vector<DramBurstRecord> bursts;
};

class DramBackend {
 public:
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();

  virtual ~DramBackend() = default;

  // Starts a transfer of `bytes` at `address`, at the time advanced to;
  // returns its id.
  virtual std::uint64_t transfer(std::int64_t address, std::int64_t bytes, bool write) = 0;
  virtual bool done(std::uint64_t transfer) const = 0;
  // How many transfers have finished so far: while it stays the same, so
  // does every done().
  virtual std::uint64_t transfers_finished() const = 0;

  // Runs everything that happens by `time_fs` (never backwards), at the
  // time its readers are at: stats_by and channel_bursts_by are asked
  // about `time_fs` or later after it.
  virtual void advance_to(std::int64_t time_fs) = 0;
  // The same, ahead of its readers (a unit sleeps, models/dram/dram.hpp):
  // they may still ask about the times it runs through.
  virtual void run_ahead_to(std::int64_t time_fs) = 0;
  // The same, then on through a steady stream of bursts -- one whose every
  // period repeats the last -- as far as it stays steady, up to `horizon_fs`
  // at most; returns the time reached. No transfer ends in what it adds.
  virtual std::int64_t run_ahead_through(std::int64_t time_fs, std::int64_t horizon_fs) = 0;
  // The same as advance_to, then on through a steady stream of bursts as
  // far as it stays steady (the memory controller's tick, the array awake):
  // readers may then ask about the times it runs through, and a transfer
  // started at a time it ran through queues behind the stream's bursts still
  // to queue, as it would have then. No transfer ends in what it adds.
  virtual void advance_through(std::int64_t time_fs) = 0;
  // The same, and on through the tail of a stream (its last burst queued,
  // the requests ahead of it draining) up to `tails_horizon_fs` at most: no
  // transfer starts before then.
  virtual void advance_through_tails(std::int64_t time_fs, std::int64_t tails_horizon_fs) = 0;
  // The next time at which something may happen, or kNever.
  virtual std::int64_t next_event_fs() const = 0;
  // True once per batch of transfers finished since the last call.
  virtual bool take_finished_transfers() = 0;
  // Called whenever a transfer is started (the DRAM's process checks that
  // it has not run ahead of it).
  virtual void on_transfer(std::function<void()> listener) = 0;
  // Bytes moved by `time_fs`, which is at most the time advanced to and
  // never decreases from one call to the next.
  virtual std::int64_t bytes_moved_by(std::int64_t time_fs) = 0;
  // The same for `count` times, `first_fs` and every `period_fs` after it,
  // into by_time.
  virtual void bytes_moved_by_each(std::int64_t first_fs, std::int64_t period_fs, std::int64_t count,
                                   std::int64_t* by_time) = 0;

  virtual std::int64_t capacity_bytes() const = 0;
  virtual double peak_gb_per_s() const = 0;  // all channels
  virtual double tck_ns() const = 0;
  // Summed over channels, for the time advanced to. Besides traffic and
  // latency, the commands and standby rank-cycles the DRAM's energy is
  // computed from (models/dram/dram_power.hpp), as DramChannelStats defines
  // them; the run reports each layer's share (the difference across it).
  virtual DramChannelStats stats() const = 0;
  // The same for the DRAM cycles that end by `time_fs`, a time at most the
  // one advanced to and never decreasing from one call to the next, once
  // keep_history() was called before it: per-cycle power needs the DRAM's
  // commands at the array's cycles, which the DRAM may have run past
  // (run_ahead_to).
  virtual void keep_history() = 0;
  virtual DramChannelStats stats_by(std::int64_t time_fs) = 0;
  // Per channel, the bursts (RD and WR commands) issued in the DRAM cycles
  // that end by `time_fs`, under the same conditions as stats_by: traces
  // show each channel's traffic.
  virtual std::vector<std::int64_t> channel_bursts_by(std::int64_t time_fs) = 0;
  virtual std::int64_t burst_bytes() const = 0;
  // Once record_transfers() was called, the transfers started since that
  // finished by `time_fs` and were not returned before, in the order they
  // finished, with their bursts: traces show each transfer. Records are
  // handed out once: sim/report/dram_transfer_log.hpp shares them among
  // several readers. Nothing is recorded until asked.
  virtual void record_transfers() = 0;
  virtual std::vector<DramTransferRecord> transfers_finished_by(std::int64_t time_fs) = 0;
};

}  // namespace systole
