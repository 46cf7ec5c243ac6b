#include "models/array/array_controller.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>

#include "models/array/pe_arithmetic.hpp"

namespace systole {

namespace {
// Streams, loads and drains are spaced one cycle apart unless a narrow NoC
// or port spaces them; a 64-bit division costs more than the rest of a
// fold's work in a cycle, so spacing 1 skips it.
std::int64_t quotient(std::int64_t a, std::int64_t spacing) { return spacing == 1 ? a : a / spacing; }
// a mod spacing, in [0, spacing) for negative a too.
std::int64_t residue(std::int64_t a, std::int64_t spacing) {
  return spacing == 1 ? 0 : (a % spacing + spacing) % spacing;
}
}  // namespace

std::string_view to_string(Phase phase) {
  switch (phase) {
    case Phase::Idle: return "idle";
    case Phase::Load: return "load";
    case Phase::Stream: return "stream";
    case Phase::Drain: return "drain";
    case Phase::Vector: return "vector";
  }
  return "?";
}

template <class Op, class Acc>
ArrayController<Op, Acc>::ArrayController(const ArrayConfig& config,
                                          ArrayProgram<Op, Acc> program, FoldGate* gate, PeEngine engine,
                                          ProbedCycles probed)
    : config_(config),
      program_(std::move(program)),
      results_from_pes_(program_.computes() && engine == PeEngine::Cycle),
      evaluates_folds_(program_.computes() && engine == PeEngine::Fold),
      evaluations_(evaluates_folds_ ? program_.folds.size() : 0),
      shared_blocks_(evaluates_folds_ ? std::optional<SharedBlocks<Op>>(std::in_place, program_.mode, program_.folds)
                                      : std::nullopt),
      scheduler_(program_.mode, config.microarch, config.rows, config.cols, program_.folds, program_.widths),
      gate_(gate),
      buffers_(program_.mode == ArrayMode::Stationary &&
                       config.microarch == Microarch::Pipelined
                   ? 2
                   : 1),
      pes_(config.rows, config.cols, buffers_),
      windows_(2 * static_cast<std::size_t>(config.rows)),
      row_staging_(config.cols),
      left_operands_(config.cols),
      top_operands_(config.rows),
      horizontal_hops_(config.cols),
      psum_starts_(config.cols),
      vertical_hops_(config.rows),
      macs_(config.cols) {
  for (const Fold& f : program_.folds) {
    fold_outputs_left_.push_back(program_.mode == ArrayMode::Stationary
                                     ? f.stream_length * f.cols_used
                                     : static_cast<std::int64_t>(f.rows_used) * f.cols_used);
    outputs_remaining_ += fold_outputs_left_.back();
  }
  finished_ = program_.folds.empty();
  if (gate_ != nullptr) bytes_moved_ = gate_->bytes_moved(-1);
  if (results_from_pes_) {
    ticked_until_ = std::numeric_limits<std::int64_t>::max();
  } else if (evaluates_folds_ && !probed.empty() && probed.last >= 0) {
    probed_from_ = std::max<std::int64_t>(0, probed.first);
    ticked_from_ = std::max<std::int64_t>(0, probed_from_ - (2 * config_.rows + config_.cols));
    ticked_until_ = probed.last;
  }
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::issue_folds() {
  // The next fold starts in the cycle the array allows, or later if its
  // operands are not on chip yet.
  while (!scheduler_.all_issued()) {
    const FoldTiming& earliest = earliest_next();  // reset only once the fold is issued
    if (earliest.load_start > cycle_) return;
    const std::size_t g = scheduler_.issued().size();
    if (gate_ != nullptr && !gate_->ready(g)) return;
    // The wait is what it costs the stream: a late stationary load that the
    // previous fold's stream would have held back anyway is free. The
    // rates' share is counted before the wait, so the two never overlap.
    FoldTiming actual = scheduler_.next(cycle_);
    actual.rate_delay = earliest.rate_delay;
    actual.bus_delay = earliest.bus_delay;
    MemoryWait& wait = memory_waits_.emplace_back();
    wait.cycles = actual.stream_start - earliest.stream_start;
    if (gate_ != nullptr) wait.causes = gate_->waits(g, earliest.load_start);
    scheduler_.issue(actual);
    span_ends_.push_back(actual.stream_start + scheduler_.span(fold(g)));
    earliest_next_.reset();
    if (gate_ != nullptr) gate_->started(g);
    if (evaluates_folds_)
      evaluations_[g] =
          std::make_unique<FoldEvaluation<Op, Acc>>(program_.mode, fold(g), operands(g), &*shared_blocks_);
    plan_slot(g);
  }
}

template <class Op, class Acc>
bool ArrayController<Op, Acc>::array_quiet() const {
  return left_operands_.settles_by(cycle_) && top_operands_.settles_by(cycle_) && macs_.settles_by(cycle_) &&
         horizontal_hops_.settles_by(cycle_) && vertical_hops_.settles_by(cycle_) && psum_starts_.settles_by(cycle_);
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::plan_slot(std::size_t g) {
  // Fold g is issued in this cycle, before the cycle moves anything.
  replayable_slot_ = nullptr;
  slots_.abandon();
  if (edge_trace_ != nullptr || results_from_pes_ || scheduler_.all_issued()) return;
  const std::int64_t length = earliest_next().load_start - cycle_;  // the next fold's issue, without memory
  if (length < 2 || length > FoldSlots::kMaxLength) return;
  if (ticked_until_ >= cycle_ && ticked_from_ < cycle_ + length) return;  // the grid ticks in the slot
  // The program does not end in the slot, and nothing from before moves in it.
  if (fold_outputs_left_[g] >= outputs_remaining_ || !array_quiet()) return;
  SlotShape shape;
  for (std::size_t before = live_begin_; before < g; ++before) {
    if (fold_outputs_left_[before] > 0) return;
    if (span_ends_[before] < cycle_) continue;
    if (before + 1 != g) return;  // two folds before still live: a slot of its own kind
    shape.previous_span_end = span_ends_[before] - cycle_;
  }
  const Fold& f = fold(g);
  shape.rows_used = f.rows_used;
  shape.cols_used = f.cols_used;
  shape.stream_length = f.stream_length;
  shape.stream_spacing = f.stream_spacing;
  shape.load_spacing = f.load_spacing;
  shape.drain_spacing = f.drain_spacing;
  shape.accumulates = f.accumulates(program_.mode);
  shape.stream_start = scheduler_.issued()[g].stream_start - cycle_;
  shape.span_end = span_ends_[g] - cycle_;
  shape.length = length;
  if (SlotRecord* record = slots_.find(shape)) {
    replayable_slot_ = record;
    replay_fold_ = g;
  } else {
    slots_.start(shape, cycle_);
    recording_fold_ = g;
  }
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::finish_recorded_slot() {
  if (cycle_ == slots_.end())
    slots_.finish(array_quiet() && fold_outputs_left_[recording_fold_] == 0, moved_nothing_, loaded_);
}

template <class Op, class Acc>
const CycleActivity* ArrayController<Op, Acc>::replay(std::int64_t count) {
  SlotRecord& record = *replayable_slot_;
  const std::size_t first = replayed_from_ = static_cast<std::size_t>(replay_position_);
  const std::size_t end = first + static_cast<std::size_t>(count);
  if (gate_ == nullptr) {
    patch_replayed(record, first, end);
    cycle_ += count;
  } else {
    for (std::size_t i = first; i < end;) {
      if (const std::size_t quiet = quiet_replayable(record, i, end); quiet > 0) {
        if (const std::size_t ticked = replay_quiet(record, i, quiet); ticked > 0) {
          i += ticked;
          continue;
        }
      }
      // The cycle's gated MACs first: the fold's evaluation goes once its
      // last result is collected.
      patch_replayed(record, i, i + 1);
      CycleActivity& activity = record.cycles[i];
      replay_memory(replay_fold_, activity);
      add_memory_totals(record, i);
      ++cycle_;
      ++i;
    }
  }
  replayed_ = &record;
  replay_position_ += count;
  if (replay_position_ == static_cast<std::int64_t>(record.cycles.size())) finish_replay(record);
  return record.cycles.data() + first;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::patch_replayed(SlotRecord& record, std::size_t first, std::size_t end) {
  const std::size_t g = replay_fold_;
  const std::int64_t stream_start = scheduler_.issued()[g].stream_start;
  const FoldEvaluation<Op, Acc>* evaluation = evaluates_folds_ ? evaluations_[g].get() : nullptr;
  std::uint64_t gated = record.totals[first].gated_macs;
  for (std::size_t i = first; i < end; ++i) {
    CycleActivity& activity = record.cycles[i];
    activity.cycle = cycle_ + static_cast<std::int64_t>(i - first);
    activity.fold = static_cast<int>(g);
    activity.gated_macs = evaluation != nullptr ? evaluation->gated_macs(activity.cycle - stream_start) : 0;
    gated += activity.gated_macs;
    record.totals[i + 1].gated_macs = gated;
  }
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::replay_memory(std::size_t g, CycleActivity& activity) {
  // What step() asks of the memory in the cycle, in the same order.
  gate_->tick(cycle_);
  activity.dram_bytes = dram_bytes_this_cycle();
  gate_->buffer_bytes(activity.buffer_bytes);
  gate_->dram_transfers(activity.dram_transfers);
  const std::uint32_t results = activity.noc_words[static_cast<int>(Network::Out)];
  if (results > 0) output_collected(g, results);
  gate_->end_cycle(cycle_);
}

template <class Op, class Acc>
std::size_t ArrayController<Op, Acc>::quiet_replayable(const SlotRecord& record, std::size_t i,
                                                       std::size_t end) const {
  const auto quiet = static_cast<std::size_t>(gate_->quiet_ticks(cycle_, static_cast<std::int64_t>(end - i)));
  // Up to the cycle that collects the fold's last results: finishing it
  // frees its tiles and issues its write-back, which needs the cycle ticked.
  std::int64_t results = 0;
  for (std::size_t k = 0; k < quiet; ++k) {
    const std::uint32_t collected = record.cycles[i + k].noc_words[static_cast<int>(Network::Out)];
    results += collected;
    if (collected > 0 && results >= fold_outputs_left_[replay_fold_]) return k;
  }
  return quiet;
}

template <class Op, class Acc>
std::size_t ArrayController<Op, Acc>::replay_quiet(SlotRecord& record, std::size_t first, std::size_t allowed) {
  // What replay_memory does in each of the cycles, with the memory ticked
  // once for all of them: the buffer's occupancy and the transfers in
  // flight stay as they are.
  quiet_bytes_moved_.resize(allowed);
  const auto count = static_cast<std::size_t>(
      gate_->tick_quiet(cycle_, static_cast<std::int64_t>(allowed), quiet_bytes_moved_.data()));
  if (count == 0) return 0;
  patch_replayed(record, first, first + count);
  std::uint32_t held[kOperands], in_flight[kOperands];
  gate_->buffer_bytes(held);
  gate_->dram_transfers(in_flight);
  quiet_results_.resize(count);
  std::int64_t collected = 0;
  // The totals run on in locals: reading back the fields just written, a
  // wider load than their stores, would wait for each store to retire.
  const CycleTotals& before = record.totals[first];
  std::uint64_t dram_total = before.dram_bytes;
  std::uint64_t buffer_total[kOperands];
  std::copy(before.buffer_bytes, before.buffer_bytes + kOperands, buffer_total);
  std::int64_t moved_before = bytes_moved_;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t i = first + k;
    CycleActivity& activity = record.cycles[i];
    const std::int64_t moved = quiet_bytes_moved_[k];
    const auto dram_bytes = static_cast<std::uint32_t>(moved - std::exchange(moved_before, moved));
    activity.dram_bytes = dram_bytes;
    std::copy(held, held + kOperands, activity.buffer_bytes);
    std::copy(in_flight, in_flight + kOperands, activity.dram_transfers);
    quiet_results_[k] = activity.noc_words[static_cast<int>(Network::Out)];
    collected += quiet_results_[k];
    CycleTotals& after = record.totals[i + 1];
    after.dram_bytes = dram_total += dram_bytes;
    for (int o = 0; o < kOperands; ++o) after.buffer_bytes[o] = buffer_total[o] += held[o];
  }
  bytes_moved_ = moved_before;
  // output_collected for each, but for the gate's part: none of them
  // collects the fold's last result, nor so the layer's.
  outputs_remaining_ -= collected;
  fold_outputs_left_[replay_fold_] -= collected;
  gate_->end_quiet_ticks(cycle_, static_cast<std::int64_t>(count), quiet_results_.data(),
                         fold(replay_fold_).accumulates(program_.mode));
  cycle_ += static_cast<std::int64_t>(count);
  return count;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::add_memory_totals(SlotRecord& record, std::size_t i) {
  const CycleActivity& activity = record.cycles[i];
  const CycleTotals& before = record.totals[i];
  CycleTotals& after = record.totals[i + 1];
  after.dram_bytes = before.dram_bytes + activity.dram_bytes;
  for (int o = 0; o < kOperands; ++o) after.buffer_bytes[o] = before.buffer_bytes[o] + activity.buffer_bytes[o];
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::finish_replay(const SlotRecord& record) {
  // Where the slot leaves the controller: the fold's results all collected
  // (cycle by cycle with memory), nothing moving through the array or due,
  // and the live folds those of the slot's last cycle.
  const std::size_t g = replay_fold_;
  outputs_remaining_ -= fold_outputs_left_[g];
  fold_outputs_left_[g] = 0;
  if (evaluates_folds_) evaluations_[g].reset();
  left_operands_.clear();
  top_operands_.clear();
  for (HopSchedule* hops : {&horizontal_hops_, &psum_starts_, &vertical_hops_, &macs_}) hops->clear();
  moved_nothing_ = record.moved_nothing;
  loaded_ = record.loaded;
  live_end_ = span_ends_.size();
  while (live_begin_ < live_end_ && span_ends_[live_begin_] < cycle_ - 1) ++live_begin_;
  replayable_slot_ = nullptr;
  replay_position_ = 0;
}

template <class Op, class Acc>
const FoldTiming& ArrayController<Op, Acc>::earliest_next() const {
  if (!earliest_next_) earliest_next_ = scheduler_.next();
  return *earliest_next_;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::output_collected(std::size_t g, std::int64_t count) {
  if (gate_ != nullptr) gate_->results_collected(count, fold(g).accumulates(program_.mode));
  outputs_remaining_ -= count;
  if (outputs_remaining_ == 0) last_result_cycle_ = cycle_;
  fold_outputs_left_[g] -= count;
  if (fold_outputs_left_[g] > 0) return;
  if (gate_ != nullptr) gate_->finished(g);
  if (evaluates_folds_) evaluations_[g].reset();
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::update_live_folds() {
  issue_folds();
  live_end_ = span_ends_.size();
  while (live_begin_ < live_end_ && span_ends_[live_begin_] < cycle_) ++live_begin_;
}

template <class Op, class Acc>
typename ArrayController<Op, Acc>::StationaryLoad ArrayController<Op, Acc>::load_stationary_rows() {
  StationaryLoad load;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    // A row of C words (the whole row, zero-padded) crosses the bus in q
    // cycles, words [C·p/q, C·(p+1)/q) in the p-th; it is written in the
    // last, at L + q·r + q-1. Only a used row's first cols_used words are
    // operands, read from the buffer; the rest is padding.
    const Fold& f = fold(g);
    const std::int64_t q = f.load_spacing;
    const std::int64_t since = cycle_ - scheduler_.issued()[g].load_start;
    if (since < 0 || since >= q * config_.rows) continue;
    const std::int64_t row = quotient(since, q);
    const std::int64_t part = since - row * q;
    const std::int64_t first = quotient(config_.cols * part, q), end = quotient(config_.cols * (part + 1), q);
    load.words += end - first;
    if (row < f.rows_used)
      load.values += std::min<std::int64_t>(end, f.cols_used) -
                     std::min<std::int64_t>(first, f.cols_used);
    if (part != q - 1) continue;
    if (row < f.rows_used) load.written += f.cols_used;
    if (ticks_pes_) write_stationary_row(g, static_cast<int>(row));
  }
  return load;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::write_stationary_row(std::size_t g, int row) {
  const Fold& f = fold(g);
  if (row >= f.rows_used) {
    pes_.write_stationary_row(buffer_of(g), row, nullptr, 0);
    return;
  }
  const GemmOperands<Op, Acc>& ops = operands(g);
  const Op* source = ops.top + (f.row_offset + row) * ops.top_row_stride + f.col_offset * ops.top_col_stride;
  for (int c = 0; c < f.cols_used; ++c) row_staging_[c] = source[c * ops.top_col_stride];
  pes_.write_stationary_row(buffer_of(g), row, row_staging_.data(), f.cols_used);
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::restore_stationary_rows() {
  // load_stationary_rows writes row r of fold g at load_start + q·r + q - 1;
  // a buffer's folds load one after another.
  const std::vector<FoldTiming>& timing = scheduler_.issued();
  for (int buffer = 0; buffer < buffers_; ++buffer)
    for (int row = 0; row < config_.rows; ++row)
      for (std::size_t g = timing.size(); g-- > 0;) {
        const std::int64_t q = fold(g).load_spacing;
        if (buffer_of(g) != buffer || timing[g].load_start + q * row + q - 1 >= cycle_) continue;
        write_stationary_row(g, row);
        break;
      }
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::restore_accumulators() {
  // PE (r, c) adds element e of fold g at s + e·k + r + c and its port takes
  // the sum at s + last + c + q·r; a fold's first MAC there comes after the
  // fold before has been taken, so the newest fold to reach the PE owns it.
  const std::vector<FoldTiming>& timing = scheduler_.issued();
  for (int r = 0; r < config_.rows; ++r)
    for (int c = 0; c < config_.cols; ++c) {
      Acc sum{};
      for (std::size_t g = timing.size(); g-- > 0;) {
        const Fold& f = fold(g);
        const std::int64_t s = timing[g].stream_start;
        if (r >= f.rows_used || c >= f.cols_used || s + r + c >= cycle_) continue;
        if (s + f.last_element_offset() + c + f.drain_spacing * r < cycle_) break;  // taken
        const GemmOperands<Op, Acc>& ops = operands(g);
        const std::int64_t last = std::min<std::int64_t>(f.stream_length - 1, (cycle_ - 1 - s - r - c) / f.stream_spacing);
        const Op* left = ops.left + (f.row_offset + r) * ops.left_ld + f.stream_offset;
        const Op* top = ops.top + f.stream_offset * ops.top_row_stride + (f.col_offset + c) * ops.top_col_stride;
        for (std::int64_t e = 0; e <= last; ++e) sum += static_cast<Acc>(exact_product(left[e], top[e * ops.top_row_stride]));
        break;
      }
      pes_.restore_accumulator(r, c, sum);
    }
}

template <class Op, class Acc>
int ArrayController<Op, Acc>::feed_left_edge() {
  const bool stationary = program_.mode == ArrayMode::Stationary;
  int fed = 0;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    // Element m of fold g enters row r at s + m·spacing + r, m in [0, T).
    const std::int64_t base = cycle_ - scheduler_.issued()[g].stream_start;
    const Fold& f = fold(g);
    const int k = f.stream_spacing;
    std::int64_t first = std::max<std::int64_t>(0, base - f.last_element_offset());
    const std::int64_t last = std::min<std::int64_t>(f.rows_used - 1, base);
    first += residue(base - first, k);  // the first row an element enters now
    if (first > last) continue;
    const std::int64_t rows = quotient(last - first, k) + 1;
    fed += static_cast<int>(rows);
    // Each operand fed now meets the fold's used columns, one a cycle, and
    // hops between them.
    macs_.add(cycle_, f.cols_used, rows);
    horizontal_hops_.add(cycle_ + 1, f.cols_used - 1, rows);
    if (stationary && first == 0) psum_starts_.add(cycle_, f.cols_used, 1);
    if (!ticks_pes_) continue;
    const GemmOperands<Op, Acc>& ops = operands(g);
    for (std::int64_t r = first; r <= last; r += k) {
      const std::int64_t element = quotient(base - r, k);
      // Stationary: row stream_offset + `element` of L, reduction index k0 + r.
      // OS: row m0 + r of L, reduction index stream_offset + `element`.
      const Op value = stationary ? ops.left[(f.stream_offset + element) * ops.left_ld + f.row_offset + r]
                                  : ops.left[(f.row_offset + r) * ops.left_ld + f.stream_offset + element];
      pes_.set_left_edge(static_cast<int>(r), value, true);
    }
  }
  return fed;
}

template <class Op, class Acc>
int ArrayController<Op, Acc>::count_top_edge() {
  // What feed_top_edge feeds, counted a fold at a time: each column takes
  // the first live fold whose stream covers it now, columns [d - last, d]
  // of a fold d cycles into its stream, and carries an element where
  // (d - c) is a multiple of the spacing and c a used column.
  int fed = 0;
  struct Span {
    std::int64_t first, last;
  };
  Span taken[kMaxCountedFolds];  // columns taken by earlier live folds
  int taken_count = 0;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    const Fold& f = fold(g);
    const std::int64_t d = cycle_ - scheduler_.issued()[g].stream_start;
    const std::int64_t first = std::max<std::int64_t>(0, d - f.last_element_offset());
    const std::int64_t last = std::min<std::int64_t>(config_.cols - 1, d);
    if (first > last) continue;
    // The fold's columns not taken before, as pieces of [first, last].
    Span pieces[kMaxCountedFolds + 1] = {{first, last}};
    int piece_count = 1;
    for (int t = 0; t < taken_count; ++t) {
      Span next[kMaxCountedFolds + 1];
      int next_count = 0;
      for (int p = 0; p < piece_count; ++p) {
        const Span piece = pieces[p];
        if (taken[t].last < piece.first || taken[t].first > piece.last) {
          next[next_count++] = piece;
          continue;
        }
        if (piece.first < taken[t].first) next[next_count++] = {piece.first, taken[t].first - 1};
        if (piece.last > taken[t].last) next[next_count++] = {taken[t].last + 1, piece.last};
      }
      std::copy(next, next + next_count, pieces);
      piece_count = next_count;
    }
    taken[taken_count++] = {first, last};
    const std::int64_t k = f.stream_spacing;
    std::int64_t count = 0;
    for (int p = 0; p < piece_count; ++p) {
      const std::int64_t end = std::min<std::int64_t>(pieces[p].last, f.cols_used - 1);
      const std::int64_t start = pieces[p].first + residue(d - pieces[p].first, k);
      if (start <= end) count += quotient(end - start, k) + 1;
    }
    if (count > 0) vertical_hops_.add(cycle_ + 1, f.rows_used - 1, count);  // down the fold's used rows
    fed += static_cast<int>(count);
  }
  return fed;
}

template <class Op, class Acc>
int ArrayController<Op, Acc>::feed_top_edge() {
  if (!ticks_pes_ && live_end_ - live_begin_ <= kMaxCountedFolds) return count_top_edge();
  int fed = 0;
  const bool computes = ticks_pes_;  // read once: the PEs' writes may alias it
  for (int c = 0; c < config_.cols; ++c) {
    Op value{};
    bool valid = false;
    for (std::size_t g = live_begin_; g < live_end_; ++g) {
      const std::int64_t offset = cycle_ - scheduler_.issued()[g].stream_start - c;
      const Fold& f = fold(g);
      if (offset < 0 || offset > f.last_element_offset()) continue;
      if (offset % f.stream_spacing != 0) break;  // a gap in this fold's stream
      const std::int64_t k = f.stream_offset + offset / f.stream_spacing;
      if (c < f.cols_used) {
        if (computes) {
          const GemmOperands<Op, Acc>& ops = operands(g);
          value = ops.top[k * ops.top_row_stride + (f.col_offset + c) * ops.top_col_stride];
        }
        valid = true;
        vertical_hops_.add(cycle_ + 1, f.rows_used - 1, 1);  // down the fold's used rows
      }
      break;
    }
    if (computes) pes_.set_top_edge(c, value, valid);
    fed += valid;
  }
  return fed;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::compute_windows() {
  // A fold's operands sit on diagonals: what row r - 1 held in the previous
  // cycle, row r holds now. So every row takes its upper neighbour's window
  // and only row 0's is computed from the live folds.
  const int cols = config_.cols;
  RowWindow w;
  w.first = cols;
  std::int64_t newest = -1;
  std::int64_t newest_diagonal = 0;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    // Element m of fold g is at column d - m·spacing of row 0 this cycle.
    const std::int64_t d = cycle_ - scheduler_.issued()[g].stream_start;
    if (d < 0) continue;
    newest = static_cast<std::int64_t>(g);
    newest_diagonal = d;
    // Columns holding an element now or in the previous cycle.
    const std::int64_t first = std::max<std::int64_t>(0, d - fold(g).last_element_offset() - 1);
    const std::int64_t last = std::min<std::int64_t>(cols - 1, d);
    if (first > last) continue;
    w.first = std::min(w.first, static_cast<int>(first));
    w.last = std::max(w.last, static_cast<int>(last));
    w.fed_rows = std::max(w.fed_rows, fold(g).rows_used);
    w.mac_cols = std::max(w.mac_cols, fold(g).cols_used);
  }
  if (newest >= 0) {
    // The newest fold's operands occupy columns up to its diagonal and use
    // its stationary buffer; columns beyond still belong to the fold before.
    w.split = static_cast<int>(std::min<std::int64_t>(cols, newest_diagonal + 1));
    w.buffer_left = buffer_of(static_cast<std::size_t>(newest));
    w.buffer_right = newest > 0 ? buffer_of(static_cast<std::size_t>(newest - 1)) : w.buffer_left;
  }
  push_window(w);
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::push_window(const RowWindow& row0) {
  window_base_ = window_base_ == 0 ? config_.rows - 1 : window_base_ - 1;
  windows_[window_base_] = windows_[window_base_ + config_.rows] = row0;
}

template <class Op, class Acc>
typename ArrayController<Op, Acc>::Collected ArrayController<Op, Acc>::collect_bottom_outputs() {
  Collected collected;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    const std::int64_t d = cycle_ - scheduler_.issued()[g].stream_start - (config_.rows - 1);
    if (d < 0) continue;
    const Fold& f = fold(g);
    const int k = f.stream_spacing;
    std::int64_t first = std::max<std::int64_t>(0, d - f.last_element_offset());
    const std::int64_t last = std::min<std::int64_t>(f.cols_used - 1, d);
    first += residue(d - first, k);  // columns where an element leaves now
    if (first > last) continue;
    const std::int64_t count = quotient(last - first, k) + 1;
    if (results_from_pes_) {
      const GemmOperands<Op, Acc>& ops = operands(g);
      const Acc* bottom = pes_.bottom_outputs();
      for (std::int64_t c = first; c <= last; c += k) {
        const std::int64_t m = f.stream_offset + quotient(d - c, k);
        ops.out[m * ops.out_ld + f.col_offset + c] += bottom[c];
      }
    }
    output_collected(g, count);
    collected.results += count;
    if (f.accumulates(program_.mode)) collected.accumulating += count;
  }
  return collected;
}

template <class Op, class Acc>
typename ArrayController<Op, Acc>::Collected ArrayController<Op, Acc>::collect_accumulators() {
  Collected collected;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    // PE (r, c) finishes its last MAC at s + last_element_offset + r + c;
    // column c's port sends it at s + last_element_offset + c + q·r (q >= 1:
    // the result waits in the PE until then).
    const Fold& f = fold(g);
    const std::int64_t q = f.drain_spacing;
    const std::int64_t e = cycle_ - scheduler_.issued()[g].stream_start - f.last_element_offset();
    if (e < 0) continue;
    const std::int64_t first = std::max<std::int64_t>(0, quotient(e - (f.cols_used - 1) + q - 1, q));
    const std::int64_t last = std::min<std::int64_t>(f.rows_used - 1, quotient(e, q));
    if (first > last) continue;
    if (ticks_pes_) {
      const GemmOperands<Op, Acc>& ops = operands(g);
      for (std::int64_t r = first; r <= last; ++r) {
        const std::int64_t c = e - q * r;
        const Acc result = pes_.take_accumulator(static_cast<int>(r), static_cast<int>(c));
        // A reduction chunk's partial result adds to the chunks before it.
        if (results_from_pes_) ops.out[(f.row_offset + r) * ops.out_ld + f.col_offset + c] += result;
      }
    }
    const std::int64_t count = last - first + 1;
    output_collected(g, count);
    collected.results += count;
    if (f.accumulates(program_.mode)) collected.accumulating += count;
  }
  return collected;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::count_register_accesses(const TickCounts& tick, std::int64_t stationary_written,
                                                       std::int64_t drained, std::uint32_t operand_writes,
                                                       CycleActivity& activity) const {
  constexpr int kStationary = static_cast<int>(RegisterFile::Stationary);
  constexpr int kOperand = static_cast<int>(RegisterFile::Operand);
  constexpr int kPartialSum = static_cast<int>(RegisterFile::PartialSum);
  // Every MAC reads the partial sum it adds to (WS/IS: the one arriving
  // from the PE above; OS: its accumulator) and writes the sum back.
  activity.register_reads[kPartialSum] = tick.macs;
  activity.register_writes[kPartialSum] = tick.macs;
  activity.register_writes[kOperand] = operand_writes;
  switch (program_.mode) {  // no default: a new mode must say what its MACs read
    case ArrayMode::Stationary:
      activity.register_reads[kStationary] = tick.macs;
      activity.register_reads[kOperand] = tick.macs;
      activity.register_writes[kStationary] = static_cast<std::uint32_t>(stationary_written);
      break;
    case ArrayMode::OutputStationary:
      activity.register_reads[kOperand] = 2 * tick.macs;
      activity.register_reads[kPartialSum] += static_cast<std::uint32_t>(drained);  // results leaving
      break;
  }
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::count_link_hops(CycleActivity& activity) {
  // A partial sum that starts down a column now hops through the R - 1 rows
  // below, one a cycle.
  vertical_hops_.add(cycle_ + 1, config_.rows - 1, psum_starts_.take(cycle_));
  activity.link_hops[static_cast<int>(LinkDirection::Horizontal)] = horizontal_hops_.take(cycle_);
  activity.link_hops[static_cast<int>(LinkDirection::Vertical)] = vertical_hops_.take(cycle_);
}

template <class Op, class Acc>
CycleActivity ArrayController<Op, Acc>::step() {
  CycleActivity activity;
  activity.cycle = cycle_;
  moved_nothing_ = false;
  replayable_slot_ = nullptr;
  if (finished_) return activity;
  ticks_pes_ = cycle_ >= ticked_from_ && cycle_ <= ticked_until_;
  if (gate_ != nullptr) gate_->tick(cycle_);
  update_live_folds();
  if (ticks_pes_ && cycle_ > 0 && !results_from_pes_) {  // the grid starts late (a step() is its first tick)
    if (!grid_started_ && program_.mode == ArrayMode::Stationary) restore_stationary_rows();
    if (!accumulators_restored_ && cycle_ >= probed_from_ && program_.mode == ArrayMode::OutputStationary) {
      restore_accumulators();
      accumulators_restored_ = true;
    }
  }
  grid_started_ |= ticks_pes_;
  const bool stationary = program_.mode == ArrayMode::Stationary;
  const StationaryLoad loaded = stationary ? load_stationary_rows() : StationaryLoad{};
  const int fed_left = feed_left_edge();
  const int fed_top = stationary ? 0 : feed_top_edge();
  const bool loading = loaded.words > 0, streaming = fed_left + fed_top > 0;
  activity.noc_words[static_cast<int>(Network::Left)] = static_cast<std::uint32_t>(fed_left);
  activity.noc_words[static_cast<int>(Network::Top)] = static_cast<std::uint32_t>(loaded.words + fed_top);
  // The edge buses are unicast: each word of the left bus reaches its row's
  // edge PE, each of the top bus its column's edge PE (OS) or the PE of its
  // column in a stationary row.
  activity.noc_deliveries = activity.noc_words[static_cast<int>(Network::Left)] +
                            activity.noc_words[static_cast<int>(Network::Top)];
  activity.buffer_reads[static_cast<int>(program_.roles.left)] += static_cast<std::uint32_t>(fed_left);
  activity.buffer_reads[static_cast<int>(program_.roles.top)] += static_cast<std::uint32_t>(loaded.values + fed_top);
  activity.dram_bytes = dram_bytes_this_cycle();
  if (gate_ != nullptr) {
    gate_->buffer_bytes(activity.buffer_bytes);
    gate_->dram_transfers(activity.dram_transfers);
  }
  const TickCounts tick = tick_pes();
  activity.active_pes = tick.macs;
  activity.gated_macs = tick.gated_macs;
  const Collected out = stationary ? collect_bottom_outputs() : collect_accumulators();
  activity.noc_words[static_cast<int>(Network::Out)] = static_cast<std::uint32_t>(out.results);
  activity.buffer_writes[static_cast<int>(Operand::Ofmap)] = static_cast<std::uint32_t>(out.results);
  activity.buffer_reads[static_cast<int>(Operand::Ofmap)] += static_cast<std::uint32_t>(out.accumulating);
  const std::uint32_t operand_writes = left_operands_.advance(cycle_, static_cast<std::uint32_t>(fed_left)) +
                                       top_operands_.advance(cycle_, static_cast<std::uint32_t>(fed_top));
  count_register_accesses(tick, loaded.written, stationary ? 0 : out.results, operand_writes, activity);
  count_link_hops(activity);
  moved_nothing_ = !ticks_pes_ && !streaming && out.results == 0 && tick.macs == 0 && tick.gated_macs == 0 &&
                   operand_writes == 0 && activity.link_hops[0] == 0 && activity.link_hops[1] == 0;
  loaded_ = loading;
  activity.fold = static_cast<int>(live_end_) - 1;
  if (edge_trace_ != nullptr) trace_edges();
  if (streaming)
    activity.phase = Phase::Stream;
  else if (loading)
    activity.phase = Phase::Load;
  else if (live_begin_ < live_end_)
    activity.phase = Phase::Drain;
  if (gate_ != nullptr) gate_->end_cycle(cycle_);
  slots_.add(activity);
  ++cycle_;
  finish_recorded_slot();
  finished_ = outputs_remaining_ == 0 && cycle_ >= scheduler_.padded_length() &&
              (gate_ == nullptr || gate_->drained());
  return activity;
}

template <class Op, class Acc>
void ArrayController<Op, Acc>::trace_edges() {
  edges_.clear();
  edges_.cycle = cycle_;
  const bool stationary = program_.mode == ArrayMode::Stationary;
  for (std::size_t g = live_begin_; g < live_end_; ++g) {
    const Fold& f = fold(g);
    const FoldTiming& timing = scheduler_.issued()[g];
    const std::int64_t k = f.stream_spacing;
    if (stationary) {  // the words of a used stationary row on the bus now (load_stationary_rows)
      const std::int64_t q = f.load_spacing;
      const std::int64_t since = cycle_ - timing.load_start;
      if (since >= 0 && since < q * config_.rows && since / q < f.rows_used) {
        const std::int64_t part = since % q;
        const std::int64_t end = std::min<std::int64_t>(config_.cols * (part + 1) / q, f.cols_used);
        for (std::int64_t c = config_.cols * part / q; c < end; ++c)
          edges_.top.push_back({static_cast<int>(c), f.gemm, f.row_offset + since / q, f.col_offset + c});
      }
    }
    // The left edge (feed_left_edge): element e enters row r at s + e·k + r.
    const std::int64_t base = cycle_ - timing.stream_start;
    for (std::int64_t r = std::max<std::int64_t>(0, base - f.last_element_offset());
         r <= std::min<std::int64_t>(f.rows_used - 1, base); ++r) {
      if ((base - r) % k != 0) continue;
      const std::int64_t element = f.stream_offset + (base - r) / k;
      if (stationary)
        edges_.left.push_back({static_cast<int>(r), f.gemm, element, f.row_offset + r});
      else
        edges_.left.push_back({static_cast<int>(r), f.gemm, f.row_offset + r, element});
    }
    if (stationary) {  // the bottom edge (collect_bottom_outputs)
      const std::int64_t d = base - (config_.rows - 1);
      for (std::int64_t c = std::max<std::int64_t>(0, d - f.last_element_offset());
           c <= std::min<std::int64_t>(f.cols_used - 1, d); ++c)
        if ((d - c) % k == 0)
          edges_.out.push_back({static_cast<int>(c), f.gemm, f.stream_offset + (d - c) / k, f.col_offset + c});
    } else {  // the column ports (collect_accumulators): row r leaves column c at s + last + c + q·r
      const std::int64_t q = f.drain_spacing;
      const std::int64_t e = base - f.last_element_offset();
      for (std::int64_t r = 0; e >= 0 && r < f.rows_used; ++r) {
        const std::int64_t c = e - q * r;
        if (c >= 0 && c < f.cols_used)
          edges_.out.push_back({static_cast<int>(c), f.gemm, f.row_offset + r, f.col_offset + c});
      }
    }
  }
  if (!stationary) {
    // The top edge (feed_top_edge): each column takes the first live fold
    // whose stream covers it now.
    for (int c = 0; c < config_.cols; ++c) {
      for (std::size_t g = live_begin_; g < live_end_; ++g) {
        const Fold& f = fold(g);
        const std::int64_t offset = cycle_ - scheduler_.issued()[g].stream_start - c;
        if (offset < 0 || offset > f.last_element_offset()) continue;
        if (offset % f.stream_spacing == 0 && c < f.cols_used)
          edges_.top.push_back({c, f.gemm, f.stream_offset + offset / f.stream_spacing, f.col_offset + c});
        break;
      }
    }
  }
  if (!edges_.empty()) edge_trace_->edge_cycle(edges_);
}

template <class Op, class Acc>
TickCounts ArrayController<Op, Acc>::tick_pes() {
  TickCounts scheduled;
  scheduled.macs = macs_.take(cycle_);
  if (ticks_pes_) {
    compute_windows();
    quiet_rows_ = 0;
    const TickCounts tick = program_.mode == ArrayMode::Stationary
                                ? pes_.tick_stationary(&windows_[window_base_])
                                : pes_.tick_output_stationary(&windows_[window_base_]);
    // Before probed_from_, a grid that started late misses the MACs of
    // operands that entered before it.
    if (tick.macs != scheduled.macs && first_mac_count_mismatch_ < 0 && cycle_ >= probed_from_)
      first_mac_count_mismatch_ = cycle_;
    if (results_from_pes_) return tick;
  }
  if (evaluates_folds_)
    for (std::size_t g = live_begin_; g < live_end_; ++g)
      if (evaluations_[g]) scheduled.gated_macs += evaluations_[g]->gated_macs(cycle_ - scheduler_.issued()[g].stream_start);
  return scheduled;
}

template <class Op, class Acc>
std::uint32_t ArrayController<Op, Acc>::dram_bytes_this_cycle() {
  if (gate_ == nullptr) return 0;
  const std::int64_t moved = gate_->bytes_moved(cycle_);
  return static_cast<std::uint32_t>(moved - std::exchange(bytes_moved_, moved));
}

template <class Op, class Acc>
bool ArrayController<Op, Acc>::waiting_on_memory() const {
  if (gate_ == nullptr || finished_ || live_begin_ != live_end_) return false;
  if (scheduler_.all_issued())  // only the last write-back is left
    return outputs_remaining_ == 0 && cycle_ >= scheduler_.padded_length() &&
           gate_->waiting_for_dram(scheduler_.issued().size());
  // The array would take the next fold now but its operands are not on chip.
  return earliest_next().load_start <= cycle_ && gate_->waiting_for_dram(scheduler_.issued().size());
}

template <class Op, class Acc>
CycleActivity ArrayController<Op, Acc>::step_quiet() {
  // What step() does in a cycle with no fold in the array: the edges stay
  // empty (every tick leaves them so), the windows move down one row, and nothing
  // is computed or collected.
  CycleActivity activity;
  activity.cycle = cycle_;
  activity.fold = static_cast<int>(live_end_) - 1;
  activity.dram_bytes = dram_bytes_this_cycle();
  if (gate_ != nullptr) {
    gate_->buffer_bytes(activity.buffer_bytes);
    gate_->dram_transfers(activity.dram_transfers);
  }
  // Nothing moves through the array now (no fold is live); the operands'
  // record moves on with the cycles.
  activity.register_writes[static_cast<int>(RegisterFile::Operand)] =
      left_operands_.advance(cycle_, 0) + top_operands_.advance(cycle_, 0);
  count_link_hops(activity);
  macs_.take(cycle_);
  if (quiet_rows_ < config_.rows) {
    RowWindow empty;
    empty.first = config_.cols;
    push_window(empty);
    ++quiet_rows_;
  }
  if (gate_ != nullptr) gate_->end_cycle(cycle_);
  ++cycle_;
  return activity;
}

template <class Op, class Acc>
std::int64_t ArrayController<Op, Acc>::step_quiet_run(CycleActivity* cycles, std::int64_t count, CycleTotals& totals,
                                                      bool write_alike) {
  std::int64_t c = 0;
  for (; c < count && !(nothing_moving() && quiet_rows_ == config_.rows); ++c) {
    cycles[c] = step_quiet();
    totals.add(cycles[c]);
  }
  if (c == count) return count;
  // What step_quiet() gives from now on, but for the cycle and the DRAM
  // bytes: the operands' record, the hops and the MACs stay empty, and the
  // buffer's occupancy and the transfers in flight stay as the array's last
  // step left them, since the memory controller reserves, releases and sees
  // transfers finish only when the array is stepped.
  CycleActivity quiet;
  quiet.fold = static_cast<int>(live_end_) - 1;
  if (gate_ != nullptr) {
    gate_->buffer_bytes(quiet.buffer_bytes);
    gate_->dram_transfers(quiet.dram_transfers);
  }
  left_operands_.skip(cycle_, count - c);
  top_operands_.skip(cycle_, count - c);
  const std::int64_t first = cycle_;
  const std::int64_t quiet_cycles = count - c;
  CycleActivity* const run = cycles + c;
  const std::int64_t written = write_alike ? quiet_cycles : 1;
  for (std::int64_t i = 0; i < written; ++i) {
    run[i] = quiet;
    run[i].cycle = first + i;
  }
  cycle_ += quiet_cycles;
  totals.add(quiet, static_cast<std::uint64_t>(quiet_cycles));
  if (gate_ == nullptr) return c;
  if (!write_alike) {
    // The first cycle's DRAM bytes, and the run's.
    const std::int64_t by_first = gate_->bytes_moved(first);
    run[0].dram_bytes = static_cast<std::uint32_t>(by_first - std::exchange(bytes_moved_, by_first));
    const std::int64_t by_last = gate_->bytes_moved(cycle_ - 1);
    totals.dram_bytes += run[0].dram_bytes + static_cast<std::uint64_t>(by_last - std::exchange(bytes_moved_, by_last));
    gate_->end_quiet_cycles(first, cycle_ - 1);
    return c;
  }
  quiet_bytes_moved_.resize(static_cast<std::size_t>(quiet_cycles));
  gate_->bytes_moved_each(first, quiet_cycles, quiet_bytes_moved_.data());
  for (std::int64_t i = 0; i < quiet_cycles; ++i) {
    const std::int64_t moved = quiet_bytes_moved_[static_cast<std::size_t>(i)];
    run[i].dram_bytes = static_cast<std::uint32_t>(moved - std::exchange(bytes_moved_, moved));
    totals.dram_bytes += run[i].dram_bytes;
  }
  gate_->end_quiet_cycles(first, cycle_ - 1);
  return c;
}

template <class Op, class Acc>
std::int64_t ArrayController<Op, Acc>::skip_repeats(std::int64_t limit) {
  // The cycle just stepped, c = cycle_ - 1, moved nothing: its activity
  // came from the stationary loads under way and from which folds are live.
  // The next cycles repeat it exactly while no hop or operand is still due,
  // no fold is issued or starts its stream, every fold loading stays on the
  // same side of its used rows, no fold retires unless a load goes on (the
  // phase is a load either way), the grid is not ticked and the program
  // does not end.
  if (!moved_nothing_ || finished_ || gate_ != nullptr || edge_trace_ != nullptr) return 0;
  if (!nothing_moving()) return 0;
  std::int64_t run = limit;
  if (cycle_ <= ticked_until_) {
    if (cycle_ >= ticked_from_) return 0;
    run = std::min(run, ticked_from_ - cycle_);
  }
  if (!scheduler_.all_issued()) run = std::min(run, earliest_next().load_start - cycle_);
  if (outputs_remaining_ == 0) run = std::min(run, scheduler_.padded_length() - cycle_);
  const std::vector<FoldTiming>& timing = scheduler_.issued();
  if (live_begin_ < live_end_ && !loaded_)  // the oldest live fold retires after its span
    run = std::min(run, span_ends_[live_begin_] + 1 - cycle_);
  for (std::size_t g = live_begin_; g < live_end_ && run > 0; ++g) {
    const Fold& f = fold(g);
    if (timing[g].stream_start >= cycle_)
      run = std::min(run, timing[g].stream_start - cycle_);
    else if (fold_outputs_left_[g] > 0)
      return 0;  // its last results are still to come
    if (program_.mode != ArrayMode::Stationary) continue;
    const std::int64_t since = cycle_ - 1 - timing[g].load_start;  // in cycle c
    if (since < 0) {
      run = std::min(run, timing[g].load_start - cycle_);
    } else if (since < f.load_spacing * config_.rows) {
      if (f.load_spacing != 1) return 0;  // its rows cross the bus in parts
      run = std::min(run, timing[g].load_start + (since < f.rows_used ? f.rows_used : config_.rows) - cycle_);
    }
  }
  if (run <= 0) return 0;
  left_operands_.skip(cycle_, run);
  top_operands_.skip(cycle_, run);
  slots_.add_repeats(run);
  cycle_ += run;
  finish_recorded_slot();
  finished_ = outputs_remaining_ == 0 && cycle_ >= scheduler_.padded_length();
  return run;
}

template <class Op, class Acc>
PeSnapshot ArrayController<Op, Acc>::probe(int row, int col) const {
  // A timing-only program's registers hold no values: they stay zero.
  if (program_.computes() && (cycle_ - 1 < probed_from_ || cycle_ - 1 > ticked_until_))
    throw std::logic_error("PE registers probed in cycle " + std::to_string(cycle_ - 1) +
                           ", outside the cycles the grid holds them (" + std::to_string(probed_from_) + " to " +
                           std::to_string(ticked_until_) + ")");
  const PeRegisters<Op, Acc> regs = pes_.probe(row, col);
  PeSnapshot snap;
  snap.left_operand = static_cast<double>(regs.left_operand);
  snap.left_valid = regs.left_valid;
  snap.stationary[0] = static_cast<double>(regs.stationary[0]);
  snap.stationary[1] = static_cast<double>(regs.stationary[1]);
  snap.partial_sum = static_cast<double>(regs.partial_sum);
  snap.top_operand = static_cast<double>(regs.top_operand);
  snap.top_valid = regs.top_valid;
  snap.accumulator = static_cast<double>(regs.accumulator);
  return snap;
}

template class ArrayController<std::int8_t, std::int32_t>;
template class ArrayController<std::int16_t, std::int64_t>;
template class ArrayController<float, float>;

}  // namespace systole
