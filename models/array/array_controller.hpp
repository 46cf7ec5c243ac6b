#pragma once
// The array's controller: it issues folds on the schedule of
// models/array/fold_schedule.hpp, writes stationary rows, feeds the array edges
// with skewed operands (row r and column c one cycle apart), and collects
// results from the bottom edge (stationary) or the column output ports
// (output stationary). A program ends when its last result has left the
// array (and, in the baseline, its last fixed-length fold slot is over).
//
// The edges are fed, stationary rows loaded and results collected at the
// rates of the network-on-chip and the buffer's ports that each fold's
// spacings encode (sim/dataflow/edge_rates.hpp); with ideal memory they are all one
// per cycle. Abstracted away: the words' trips through the network (the
// controller places them where the schedule says they arrive).
//
// The values come from the PE grid (models/array/pe_array.hpp), ticked every
// cycle, on the cycle engine; on the fold engine each fold is evaluated when
// it is issued (models/array/fold_evaluation.hpp) and the grid is ticked,
// for its registers only, around the cycles whose PE registers are probed.
// Every count is the controller's own either way.
//
// How that grid starts late, yet holds the cycle engine's registers from
// the window's first cycle A on: a value moving through the array at A
// entered it at most R + C cycles before, and the rows' windows (which rows
// a tick evaluates) are right R cycles after the first tick. So ticking
// starts 2R + C cycles before A, on a grid whose moving values are all
// invalid zeros, with each stationary row holding what the last load before
// wrote into it. An output-stationary accumulator sums its fold's whole
// stream: at A each is set to that sum so far, added in stream order as
// the PE adds it.

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/execution.hpp"
#include "models/array/array_program.hpp"
#include "models/array/edge_trace.hpp"
#include "models/memory/fold_gate.hpp"
#include "models/array/fold_evaluation.hpp"
#include "models/array/fold_schedule.hpp"
#include "models/array/fold_slots.hpp"
#include "models/noc/noc.hpp"
#include "models/array/pe_array.hpp"
#include "models/array/pe_engine.hpp"

namespace systole {

// How much later a fold's stream started than the array allowed because it
// waited for memory, and what the memory said of the wait.
struct MemoryWait {
  std::int64_t cycles = 0;
  FoldGate::Waits causes;
};

template <class Op, class Acc>
class ArrayController final : public Execution {
 public:
  // On the fold engine, the grid is ticked around the `probed` cycles only.
  ArrayController(const ArrayConfig& config, ArrayProgram<Op, Acc> program, FoldGate* gate = nullptr,
                  PeEngine engine = PeEngine::Cycle, ProbedCycles probed = {});

  CycleActivity step() override;
  bool finished() const override { return finished_; }
  std::int64_t cycles_elapsed() const override { return cycle_; }
  PeSnapshot probe(int row, int col) const override;
  bool waiting_on_memory() const override;
  // A computing program's first cycle in which the PEs performed a number
  // of MACs other than the one the schedule gives (what a timing-only
  // program reports), or -1: it is always -1 unless the model is wrong.
  std::int64_t first_mac_count_mismatch() const { return first_mac_count_mismatch_; }
  CycleActivity step_quiet() override;
  // Once nothing moves through the array and every window is empty, a
  // quiet cycle differs from the one before only in the DRAM bytes that
  // complete in it, so the run costs a DRAM count per cycle.
  std::int64_t step_quiet_run(CycleActivity* cycles, std::int64_t count, CycleTotals& totals,
                              bool write_alike) override;
  // Runs of cycles that only load stationary rows or wait (nothing moving
  // through the array, no fold starting or retiring, no row crossing past
  // the fold's used ones), with ideal memory and no PE registers probed.
  bool may_repeat() const override { return moved_nothing_ && gate_ == nullptr; }
  std::int64_t skip_repeats(std::int64_t limit) override;
  // A baseline fold's slot (from its issue to the next fold's) replayed from
  // the record of an earlier slot of the same shape (models/array/fold_slots.hpp),
  // with no PE registers probed and no edges traced: the slot's cycles after
  // the one that issued the fold, those not replayed yet. With memory, each
  // replayed cycle asks of the memory controller what a stepped one does
  // (no fold can issue in the slot, so the memory changes nothing the array
  // does in it).
  std::int64_t replayable() const override {
    return replayable_slot_ != nullptr ? replayable_slot_->shape.length - 1 - replay_position_ : 0;
  }
  const CycleActivity* replay(std::int64_t count) override;
  const CycleTotals* replayed_totals() const override {
    return replayed_ != nullptr ? replayed_->totals.data() + replayed_from_ : nullptr;
  }
  // Reports every cycle's edge entries to `sink` (null: none, the default).
  void set_edge_trace(EdgeTraceSink* sink) { edge_trace_ = sink; }

  // Per issued fold, how it waited for memory (the engine attributes the
  // wait to its causes: sim/dataflow/fold_stalls.hpp).
  const std::vector<MemoryWait>& memory_waits() const { return memory_waits_; }
  // When each issued fold started, and how much the rates of its stationary
  // loads or result ports, and sharing the buses with earlier folds,
  // delayed it (FoldTiming::rate_delay, bus_delay).
  const std::vector<FoldTiming>& fold_timings() const { return scheduler_.issued(); }
  // The same for the end of the last fold (FoldScheduler::drain_tail).
  std::int64_t drain_tail() const { return scheduler_.drain_tail(); }
  // The cycle the last result left the array, and the end of the last
  // baseline slot (0 when pipelined).
  std::int64_t last_result_cycle() const { return last_result_cycle_; }
  std::int64_t padded_length() const { return scheduler_.padded_length(); }

 private:
  const Fold& fold(std::size_t g) const { return program_.folds[g]; }
  const GemmOperands<Op, Acc>& operands(std::size_t g) const {
    return program_.gemms[fold(g).gemm];
  }
  int buffer_of(std::size_t g) const { return static_cast<int>(g % buffers_); }
  // What the stationary rows' bus did this cycle.
  struct StationaryLoad {
    std::int64_t words = 0;    // on the bus (whole rows, zero-padded)
    std::int64_t values = 0;   // of which operands read from the buffer
    std::int64_t written = 0;  // operands written into stationary registers
  };
  // Results that left the array this cycle; `accumulating`: of which added
  // to partial sums read from the buffer.
  struct Collected {
    std::int64_t results = 0;
    std::int64_t accumulating = 0;
  };
  void issue_folds();
  // As fold g is issued: replays its slot if one of the same shape was
  // recorded, or else records it, where nothing else moves through the array.
  void plan_slot(std::size_t g);
  // Before this cycle moves anything: nothing is moving through the array,
  // nor due to in this cycle or after.
  bool array_quiet() const;
  // Keeps the slot being recorded once its last cycle has been stepped.
  void finish_recorded_slot();
  // Writes the cycle numbers, the fold and the gated MACs (and their
  // running totals) of the record's cycles [first, end), from cycle_ on.
  void patch_replayed(SlotRecord& record, std::size_t first, std::size_t end);
  // A replayed cycle's work with the memory controller, fold g's results
  // collected included.
  void replay_memory(std::size_t g, CycleActivity& activity);
  // Of the replayed cycles [i, end), how many in a row from i the memory is
  // quiet in (FoldGate::quiet_ticks) and fold replay_fold_ does not finish.
  std::size_t quiet_replayable(const SlotRecord& record, std::size_t i, std::size_t end) const;
  // Replays those `allowed` cycles, with the memory ticked once for all, up
  // to the first in which it finishes a transfer (FoldGate::tick_quiet);
  // returns how many.
  std::size_t replay_quiet(SlotRecord& record, std::size_t first, std::size_t allowed);
  // The replayed cycle i's DRAM bytes and buffer occupancy into the record's totals.
  void add_memory_totals(SlotRecord& record, std::size_t i);
  // After the slot's last cycle is replayed.
  void finish_replay(const SlotRecord& record);
  // The next fold's timing if nothing outside the array delays it: asked
  // every cycle, computed once per fold.
  const FoldTiming& earliest_next() const;
  void update_live_folds();
  void output_collected(std::size_t g, std::int64_t count);
  StationaryLoad load_stationary_rows();
  // Writes row `row` of fold g's stationary block into its buffer (zeros
  // past its used rows).
  void write_stationary_row(std::size_t g, int row);
  // Where the grid starts late: each stationary row as the last load before
  // this cycle left it; each accumulator (OS) as its fold's MACs before this
  // cycle left it.
  void restore_stationary_rows();
  void restore_accumulators();
  int feed_left_edge();  // valid words fed
  TickCounts tick_pes();
  int feed_top_edge();
  // feed_top_edge's count and hops without values, a fold at a time (each
  // of its columns' pieces not taken by an earlier fold is a subtraction of
  // intervals): for at most kMaxCountedFolds live folds.
  static constexpr std::size_t kMaxCountedFolds = 8;
  int count_top_edge();
  void compute_windows();
  // Moves every row's window down one row and makes `row0` row 0's.
  void push_window(const RowWindow& row0);
  std::uint32_t dram_bytes_this_cycle();
  Collected collect_bottom_outputs();
  Collected collect_accumulators();
  void count_register_accesses(const TickCounts& tick, std::int64_t stationary_written, std::int64_t drained,
                               std::uint32_t operand_writes, CycleActivity& activity) const;

  // Rings indexed by cycle, a power of two long (at least `entries`), so
  // that a cycle's slot is a mask, not a division: these are asked several
  // times a cycle.
  static std::size_t ring_size(int entries) {
    std::size_t size = 1;
    while (size < static_cast<std::size_t>(entries)) size *= 2;
    return size;
  }
  template <class Ring>
  static std::size_t ring_slot(std::int64_t cycle, const Ring& ring) {
    return static_cast<std::size_t>(cycle) & (ring.size() - 1);
  }

  // The valid operands moving through the array: each is registered by one
  // PE a cycle, from the edge PE it is fed to until it leaves the far edge,
  // `reach` cycles later (C along a row, R down a column in OS).
  class OperandsInFlight {
   public:
    explicit OperandsInFlight(int reach) : reach_(reach), fed_(ring_size(reach)) {}
    // Those `fed` in `cycle` join the ones fed in the reach - 1 cycles
    // before; returns the PEs registering one in `cycle`. Asked every
    // cycle, in order.
    std::uint32_t advance(std::int64_t cycle, std::uint32_t fed) {
      moving_ += fed - fed_[ring_slot(cycle - reach_, fed_)];  // those fed `reach` cycles ago leave
      fed_[ring_slot(cycle, fed_)] = fed;
      return moving_;
    }
    bool empty() const { return moving_ == 0; }
    // Whether the operands all leave by `cycle`, not yet advanced to: none
    // is registered in it or after unless fed then.
    bool settles_by(std::int64_t cycle) const { return moving_ == fed_[ring_slot(cycle - reach_, fed_)]; }
    // As a run of cycles that fed nothing leaves it, once they outnumber
    // its reach.
    void clear() {
      std::fill(fed_.begin(), fed_.end(), 0);
      moving_ = 0;
    }
    // advance(c, 0) for each of `cycles` cycles from `cycle`, when empty.
    void skip(std::int64_t cycle, std::int64_t cycles) {
      for (std::int64_t c = cycle; c < cycle + std::min(cycles, static_cast<std::int64_t>(fed_.size())); ++c)
        fed_[ring_slot(c, fed_)] = 0;
    }

   private:
    std::int64_t reach_;
    std::vector<std::uint32_t> fed_;  // per cycle of the last reach or more, a ring
    std::uint32_t moving_ = 0;
  };

  // Neighbour-link hops to come: each value scheduled hops once a cycle over
  // a run of cycles; the cycles are taken in order, each once.
  class HopSchedule {
   public:
    // `longest`: the longest run of hops, R or C.
    explicit HopSchedule(int longest) : delta_(ring_size(longest + 2)) {}
    // `values` hop once in each of the cycles [from, from + hops), from > the
    // last cycle taken.
    void add(std::int64_t from, std::int64_t hops, std::int64_t values) {
      if (hops <= 0 || values == 0) return;
      delta_[slot(from)] += values;
      delta_[slot(from + hops)] -= values;
      last_change_ = std::max(last_change_, from + hops);
    }
    // Whether every hop added has been taken before `cycle`: none from then on.
    bool idle_from(std::int64_t cycle) const { return last_change_ < cycle; }
    // Whether the hops end by `cycle`, not yet taken: none in it or after.
    bool settles_by(std::int64_t cycle) const {
      return last_change_ <= cycle && moving_ + delta_[slot(cycle)] == 0;
    }
    // As taking every hop added leaves it.
    void clear() {
      std::fill(delta_.begin(), delta_.end(), 0);
      moving_ = 0;
    }
    // The hops in `cycle`.
    std::uint32_t take(std::int64_t cycle) {
      std::int64_t& delta = delta_[slot(cycle)];
      moving_ += delta;
      delta = 0;
      return static_cast<std::uint32_t>(moving_);
    }

   private:
    std::size_t slot(std::int64_t cycle) const { return ring_slot(cycle, delta_); }
    std::vector<std::int64_t> delta_;  // change of the hop count at each cycle, a ring
    std::int64_t moving_ = 0;
    std::int64_t last_change_ = -1;  // the last cycle whose delta an add set
  };
  void count_link_hops(CycleActivity& activity);
  // Whether, from cycle_ on, no operand moves through the array and no MAC
  // or hop is due: those cycles register nothing unless something is fed.
  bool nothing_moving() const {
    return left_operands_.empty() && top_operands_.empty() && macs_.idle_from(cycle_) &&
           horizontal_hops_.idle_from(cycle_) && vertical_hops_.idle_from(cycle_) && psum_starts_.idle_from(cycle_);
  }
  // What the edges carry this cycle, from the schedule as the feeding and
  // collecting functions above place it.
  void trace_edges();

  ArrayConfig config_;
  ArrayProgram<Op, Acc> program_;
  // A computing program's results come from the PeArray, ticked every
  // cycle (the cycle engine), or each fold is evaluated when issued (the
  // fold engine), and the PeArray is ticked, for its registers only, in
  // cycles [ticked_from_, ticked_until_]; its registers are the cycle
  // engine's from probed_from_ on.
  bool results_from_pes_;
  bool evaluates_folds_;
  std::int64_t ticked_from_ = 0, ticked_until_ = -1, probed_from_ = 0;
  bool ticks_pes_ = false;  // in this cycle
  bool grid_started_ = false, accumulators_restored_ = false;
  std::vector<std::unique_ptr<FoldEvaluation<Op, Acc>>> evaluations_;  // per fold, while it is live
  std::optional<SharedBlocks<Op>> shared_blocks_;  // when evaluating folds
  FoldScheduler scheduler_;
  mutable std::optional<FoldTiming> earliest_next_;  // until the next fold is issued
  FoldGate* gate_;
  std::vector<std::int64_t> fold_outputs_left_;
  std::vector<MemoryWait> memory_waits_;  // per issued fold
  // Per issued fold, the last cycle of its span (FoldScheduler::span): it
  // is live until then.
  std::vector<std::int64_t> span_ends_;
  std::int64_t bytes_moved_ = 0;  // the gate's count at the last cycle
  std::vector<std::int64_t> quiet_bytes_moved_;  // step_quiet_run's and replay_quiet's, reused
  std::vector<std::uint32_t> quiet_results_;     // replay_quiet's, reused
  int quiet_rows_ = 0;            // rows whose window quiet cycles have emptied
  int buffers_;
  PeArray<Op, Acc> pes_;
  // Row r's window is windows_[window_base_ + r]. The windows move down one
  // row a cycle by moving the base back one instead of copying them, and
  // each is stored twice, R apart, so that rows 0..R-1 are contiguous.
  std::vector<RowWindow> windows_;
  int window_base_ = 0;
  std::vector<Op> row_staging_;  // one stationary row gathered from Rt
  OperandsInFlight left_operands_, top_operands_;
  // Operands moving right, and values moving down: in WS and IS a partial
  // sum starts down each used column of row 0 as the row's operand reaches
  // it (psum_starts_) and hops through every row below.
  HopSchedule horizontal_hops_, psum_starts_, vertical_hops_;
  // MACs to come: an operand fed to a used row meets a valid stationary
  // value (WS/IS) or top operand (OS) in each used column, one a cycle.
  HopSchedule macs_;
  std::int64_t first_mac_count_mismatch_ = -1;
  // The cycle just stepped moved nothing through the array: it fed no
  // operand, did no MAC, hop or PE register tick, and collected no result.
  bool moved_nothing_ = false;
  bool loaded_ = false;  // and loaded stationary rows
  FoldSlots slots_;
  // Set by the cycle that issued fold replay_fold_, whose slot it can replay.
  SlotRecord* replayable_slot_ = nullptr;
  const SlotRecord* replayed_ = nullptr;  // the last slot replayed
  std::int64_t replay_position_ = 0;       // its cycles replayed so far
  std::size_t replayed_from_ = 0;          // the first of the last replay's
  std::size_t replay_fold_ = 0;
  std::size_t recording_fold_ = 0;
  EdgeTraceSink* edge_trace_ = nullptr;
  EdgeCycle edges_;
  std::int64_t cycle_ = 0;
  // Folds [live_begin_, live_end_) have started and may still hold data.
  std::size_t live_begin_ = 0;
  std::size_t live_end_ = 0;
  std::int64_t outputs_remaining_ = 0;
  std::int64_t last_result_cycle_ = 0;
  bool finished_ = false;
};

}  // namespace systole
