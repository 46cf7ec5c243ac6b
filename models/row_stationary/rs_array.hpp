#pragma once
// The row-stationary array of Eyeriss (Chen et al., ISCA 2016, JSSC 2017) as
// one Execution: the PEs, their scratchpads and the global networks that
// feed them, stepped a cycle at a time in plain C++ by the array's clocked
// process (no process per PE).
//
// Each PE has a filter, an ifmap and a psum scratchpad and one MAC. In a
// pass (models/row_stationary/rs_program.hpp) PE (i, j) of a set keeps p·q
// filter rows of width S and slides over its input row: for each output
// column it performs n·q·S·p MACs (image, channel, filter column, filter
// innermost: each input value is used by the p filters in turn), one a
// cycle, into n·p partial sums. It then spends one cycle per partial sum
// sending it on: down the set's column over the neighbour link, where the
// PE below adds it to its own as it sends that on, and from the set's
// bottom row over the GON to the buffer. The top row starts from zero, or,
// in a pass that adds to an earlier one, from the partial sum the psum GIN
// brings from the buffer. A PE whose outlet is busy (the link register
// below holds a value; the GON has no slot left this cycle) waits.
//
// Networks: the filter GIN multicasts each weight to every PE of its set
// row (a PE starts once its filter scratchpad holds all of its weights);
// the ifmap GIN multicasts each input value to every PE that reads its
// input row (a diagonal of the set, in every replica of the same group), in
// column order, and sends the next value of a row only when every such PE
// has room for it in its ifmap scratchpad; a PE frees the columns it no
// longer needs after each output column. Each network moves its width in
// words per cycle (NocBus's rate: one slot per word however many PEs it
// reaches); the ifmap GIN serves its rows round robin. Words sent in a
// cycle are usable from the next. Input positions in the padding travel as
// zeros that no buffer read produced.
//
// Each network moves at most its width a cycle, and no more values than the
// buffer's ports behind it (RsNetworkWidths; with DRAM): padding travels
// without a port. A cycle in which no PE worked while some waited on a
// network is a NoC stall, or a buffer stall when the ports set the rate of
// every network waited on.
//
// Abstracted away: passes do not overlap (the next pass's filters load once
// the last partial sum of the previous one has left); DRAM fills and
// write-backs do not take the ports the networks use (the memory
// controller paces them by its own port rule); the ifmap word order is
// fixed (no reordering to favour a stalled row).
//
// Zero gating: a MAC whose input value is zero reads no weight and leaves the
// partial sum untouched (no psum read or write); one whose weight is zero is
// gated too but has read both.
//
// Evaluation: on the fold engine, a PE that starts an output column's MACs
// with its weights and the column's inputs in its scratchpads does the
// column's MACs but the last at once, one a cycle from now in the
// activities; nothing another PE or a network does can reach it before
// then. It is stepped again for its last MAC, which frees its inputs. The
// cycle engine steps each MAC, as do MACs whose partial sums a probe may
// read (a VCD's PE window): every output is the same (tests/test_engines.cpp).
// With ideal memory, cycles in which only MACs run ahead are skipped in runs
// (skip_repeats).

#include <cstdint>
#include <vector>

#include "models/array/pe_engine.hpp"
#include "models/execution.hpp"
#include "models/memory/buffer_config.hpp"
#include "models/memory/fold_gate.hpp"
#include "models/noc/noc_config.hpp"
#include "models/row_stationary/rs_program.hpp"
#include "models/stall_span.hpp"

namespace systole {

// What a row-stationary step counted besides its cycles' activity.
struct RsTotals {
  std::int64_t link_hops = 0;          // partial sums moved down a set's column
  std::int64_t stall_noc_cycles = 0;     // cycles no PE worked, some waiting on a network it limited
  std::int64_t stall_buffer_cycles = 0;  // the same, the networks limited by the buffer's ports
  std::int64_t stall_dram_cycles = 0;  // cycles waiting for a pass's tiles or the last write-backs
  std::vector<StallSpan> stall_spans;  // where those were lost
};

template <class Op, class Acc>
class RowStationaryArray final : public Execution {
 public:
  // `input` (batch × in_h × in_w × groups·channels) and `filters`
  // (groups·filters × filter_h × filter_w × channels) must outlive it; the
  // outputs (batch × out_h × out_w × groups·filters) accumulate in
  // `output`, the buffer's ofmap. `gate`: the memory behind the array
  // (null: ideal), asked before each pass.
  // `engine`: Fold runs a column's MACs at once outside the `probed`
  // cycles (the step's).
  RowStationaryArray(const RsConv& conv, const RsMapping& mapping, int rows, int cols, const PeScratchpads& pads,
                     const RsNetworkWidths& widths, const std::vector<Op>& input, const std::vector<Op>& filters,
                     std::vector<Acc>& output, FoldGate* gate, PeEngine engine = PeEngine::Cycle,
                     ProbedCycles probed = {});

  CycleActivity step() override;
  bool finished() const override { return next_pass_ >= passes_.size() && !in_pass_ && (!gate_ || gate_->drained()); }
  std::int64_t cycles_elapsed() const override { return cycle_; }
  PeSnapshot probe(int row, int col) const override;
  // The ifmap scratchpad's inputs oldest first (its sliding window), the
  // filter scratchpad's weights as loaded ([filter][channel][s]), the psum
  // scratchpad's partial sums ([image][filter]).
  void probe_scratchpads(int row, int col, std::vector<ScratchpadSnapshot>& pads) const override;
  bool waiting_on_memory() const override;
  CycleActivity step_quiet() override;
  // With ideal memory on the fold engine: after a cycle in which no PE was
  // stepped and no network moved a word, the next ones repeat it (only MACs
  // run ahead) until a PE wakes or the MACs' count or zeros change.
  bool may_repeat() const override { return repeatable_; }
  std::int64_t skip_repeats(std::int64_t limit) override;

  const std::vector<RsPass>& passes() const { return passes_; }
  const RsTotals& totals() const { return totals_; }

 private:
  // What keeps a PE from its next MAC until a GIN delivers it.
  enum class Awaits { Nothing, Weights, Inputs };
  struct Pe {
    int unit = -1;  // replica in this pass, -1: idle
    int slot = 0;   // its place in active_
    int set_row = 0, set_col = 0;
    int input_row = 0;  // unpadded coordinate, may lie in the padding
    std::vector<Op> weights;  // [filter][channel][s]
    int weights_loaded = 0;
    std::vector<Op> inputs;   // [column][image][channel], as received
    int inputs_received = 0, inputs_freed = 0;
    int stream = 0;        // its row's place in input_streams_
    int psum_stream = -1;  // its place in psum_streams_, if it has one
    std::vector<Acc> psums;   // [image][filter]
    int out_col = 0;          // output column being computed
    int action = 0;           // MAC, then send, index within the column
    // The next MAC's filter, filter column, channel and image (action's
    // digits, filter innermost), kept as counters: dividing action out
    // cost more than the MAC.
    int mac_filter = 0, mac_s = 0, mac_channel = 0, mac_image = 0;
    bool link_full = false;   // the link register from above (or the psum GIN)
    Acc link = 0;
    Awaits awaits = Awaits::Nothing;
    int inputs_needed = 0;  // while it awaits inputs
  };
  // One row of input values on the ifmap GIN and the PEs it reaches.
  struct InputStream {
    int group = 0, input_row = 0;
    std::vector<int> pes;
    int sent = 0;
    int full_pes = 0;  // of its PEs, those whose ifmap scratchpad has no room
  };
  // One top PE's previous partial sums on the psum GIN.
  struct PsumStream {
    int pe = 0;
    int sent = 0;
  };

  void begin_pass();
  // The networks PEs waited on in a cycle, by what set their rate.
  struct Waits {
    bool noc = false, buffer = false;
    void on(const RsNetworkRate& network) { (network.buffer_limited() ? buffer : noc) = true; }
  };
  void step_pe(int index, CycleActivity& activity, bool& worked, Waits& waited);
  // Frees the PE's ifmap scratchpad up to `freed` inputs received.
  void free_inputs(Pe& pe, int freed);
  // Its next `count` MACs, one a cycle from this one, into ahead_; it
  // sleeps until the cycle after them.
  void run_macs(int index, int count);
  // A PE that awaits a GIN's delivery, or is done, is not stepped until the
  // delivery comes: a cycle costs the PEs that may act, not the whole pass.
  void set_aside(Pe& pe, Awaits awaits);
  void wake(Pe& pe);
  void deliver(CycleActivity& activity);
  Op input_value(int group, int image, int channel, int row, int col) const;
  std::size_t output_index(int image, int out_row, int out_col, int group, int filter) const;
  int words_per_column() const { return pass().images * pass().channels; }
  const RsPass& pass() const { return passes_[next_pass_ - 1]; }

  RsConv conv_;
  RsMapping mapping_;
  int rows_, cols_;
  PeScratchpads pads_;
  RsNetworkWidths widths_;
  const std::vector<Op>& input_;
  const std::vector<Op>& filters_;
  std::vector<Acc>& output_;
  FoldGate* gate_;
  std::vector<RsPass> passes_;
  RsWindow window_;
  // Per output column and filter column, the input column's place in
  // window_.columns.
  std::vector<int> input_column_;
  std::vector<Pe> pes_;  // row-major, rows_ × cols_
  std::vector<int> active_;  // indices of the pass's PEs, bottom rows first
  std::size_t pes_done_ = 0;  // of them, those done with the pass
  std::vector<std::uint64_t> may_act_;  // a bit per slot of active_: the PEs stepped
  int awaiting_weights_ = 0, awaiting_inputs_ = 0;  // PEs set aside for each
  std::vector<InputStream> input_streams_;
  std::vector<PsumStream> psum_streams_;
  std::size_t next_input_stream_ = 0;
  // Streams that may send now: an ifmap row with values left for PEs that
  // all have room; a top PE's psums left, its link register free.
  int inputs_ready_ = 0, psums_ready_ = 0;
  // The filter GIN's queue: (set row, replica), weights in PE order.
  std::int64_t weights_sent_ = 0, weights_total_ = 0;
  std::size_t weights_unit_ = 0;          // the replica whose weights it is sending
  std::int64_t weights_unit_sent_ = 0;    // of them, sent
  std::size_t next_pass_ = 0;
  bool in_pass_ = false;
  int out_slots_used_ = 0;  // GON words this cycle
  bool run_macs_ahead_;
  ProbedCycles probed_;
  // What MACs run ahead do in the coming cycles, and the PEs that wake in
  // them: slot cycle % size, as long as the pass's longest column of MACs.
  // A run adds one MAC a cycle from its first slot until the slot where it
  // ends; zero operands are counted where they come.
  struct MacsAhead {
    std::int32_t runs_started_less_ended = 0;
    std::uint32_t zero_inputs = 0;
    std::uint32_t zero_weights = 0;  // with a nonzero input
  };
  std::vector<MacsAhead> ahead_;
  std::vector<std::vector<int>> wakes_;
  std::uint32_t macs_running_ = 0;  // MACs run ahead in this cycle
  bool repeatable_ = false;  // the cycle just stepped: only MACs run ahead
  MacsAhead repeated_;       // and its zeros
  std::int64_t cycle_ = 0;
  std::int64_t bytes_moved_ = 0;
  RsTotals totals_;
};

}  // namespace systole
