#pragma once
// The run as a Chrome Trace Event Format JSON file (--timeline), which
// ui.perfetto.dev and chrome://tracing open. Tracks, one thread each:
// layers, steps, phases (runs of the same CycleActivity::phase) and folds as
// complete ("X") slices; stalls, one track per cause, where the run's record
// (LayerStats::stall_spans) placed them, since an observer sees what a
// cycle did, not why the array waited; and counters per window of N cycles: utilization, MACs,
// DRAM bytes and bandwidth (and each channel's), each NoC bus's words (and occupancy of its
// width), global-buffer occupancy (the same figures as utilization.csv), and
// the values the array read and wrote through the buffer's ports. With the
// DRAM model, each DRAM transfer (a tile read, a write-back) is an async
// slice from its start to its last burst, on one track per operand and
// direction, since a partition's transfers overlap.
// Times are run cycles at the run's clock, in microseconds.
//
// The size stays bounded: slices are merged runs of cycles and counters are
// window sums; once the file would pass `max_bytes`, later events are left
// out (the layer slices are kept when they fit in half the limit) and the
// file says so. Like every report it is written beside its name
// and renamed when committed, so an interrupted run still leaves valid JSON.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "models/dram/dram_backend.hpp"
#include "models/noc/noc_config.hpp"
#include "sim/report/dram_transfer_log.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/report/figures.hpp"
#include "sim/report/layer_stats.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

struct TimelineOptions {
  std::string path;
  std::int64_t window = 1000;  // cycles per counter sample
  std::uint64_t max_bytes = 200'000'000;
};

// What the trace needs to know of the run's hardware.
struct TimelineHardware {
  long long pe_count = 0;
  double clock_period_ns = 1;
  NocConfig noc;
  // With the DRAM model: the run's DRAM, for the bandwidth counters (the
  // whole DRAM's and each channel's), and the DRAM's clock (Dram::time_fs),
  // read at each step's start; each NoC bus's occupancy where its width is
  // set (as summary.json's noc figures).
  // and the log of its transfers, for their slices.
  DramBackend* dram = nullptr;
  std::function<std::int64_t()> dram_now_fs;
  DramTransferLog* transfers = nullptr;
};

class TimelineTrace : public RunObserver {
 public:
  TimelineTrace(const TimelineOptions& options, const std::vector<Layer>& layers, const TimelineHardware& hardware,
                const std::string& title);

  void begin_step(int layer, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  // Ends the open slices and window, adds each layer's stalls from its
  // record, closes the JSON and renames the file into place; marks a run
  // stopped before its end (result.interrupted).
  void commit(const RunResult& result);

  // Whether events were left out to keep within max_bytes.
  bool truncated() const { return truncated_; }
  // The run cycle of the first event left out.
  std::int64_t truncated_at() const { return truncated_at_; }

 private:
  // A slice being extended cycle by cycle on one track.
  struct OpenSlice {
    bool open = false;
    int key = 0;  // what it shows: a phase, a fold, a step index
    std::int64_t first_cycle = 0;
  };
  struct LayerInfo {
    std::string name_json;  // already quoted and escaped
    std::string kind;
    std::int64_t macs = 0;
  };

  void close_layer_slices(std::int64_t end_cycle);
  void close_slice(OpenSlice& slice, int track, const std::string& name, const std::string& args,
                   std::int64_t end_cycle);
  void flush_window();
  void write_stalls(const RunResult& result);
  std::string slice_event(int track, const std::string& name, const std::string& args, std::int64_t first_cycle,
                          std::int64_t end_cycle) const;
  // The DRAM transfers finished by the end of the last cycle seen, placed
  // in run time through the current step's start.
  void write_dram_transfers();
  // `closing`: one of the last events, written in the room kept for them.
  void emit(const std::string& event, bool closing = false);
  std::string ts(std::int64_t cycle) const;

  AtomicFile file_;
  TimelineOptions options_;
  std::vector<LayerInfo> layers_;
  TimelineHardware hardware_;
  double cycle_us_;
  std::int64_t period_fs_;
  std::int64_t step_start_fs_ = 0;      // the DRAM's time at the step's start
  std::int64_t last_cycle_end_fs_ = 0;  // and at the end of the last cycle seen
  std::vector<std::int64_t> channel_bursts_;  // each DRAM channel's, at the last window's end
  std::uint64_t transfers_written_ = 0;       // the async slices' ids
  int transfer_reader_ = -1;                  // in hardware_.transfers
  std::uint64_t bytes_ = 0;
  std::uint64_t reserved_bytes_ = 0;  // kept for the events written after a cut
  bool layers_kept_ = false;          // whether the layer slices are among them
  bool first_event_ = true;
  bool truncated_ = false;
  std::int64_t truncated_at_ = 0;

  int layer_ = -1;
  int step_ = 0;  // within the layer
  std::int64_t step_first_cycle_ = 0;
  std::int64_t layer_first_cycle_ = 0;
  std::int64_t end_cycle_ = 0;  // one past the last cycle seen
  OpenSlice step_slice_, phase_slice_, fold_slice_;

  struct Window {
    std::int64_t first_cycle = 0;
    std::int64_t cycles = 0;
    CycleTotals sums;
    // Values the array read from and wrote into each partition.
    std::uint64_t array_reads[kOperands] = {0, 0, 0};
    std::uint64_t array_writes[kOperands] = {0, 0, 0};
  } window_;
};

}  // namespace systole
