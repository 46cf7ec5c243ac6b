#include "models/row_stationary/rs_array.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>

namespace systole {

namespace {

int budget(int width) { return width > 0 ? width : std::numeric_limits<int>::max(); }
// Words a network moves this cycle: its width, or its ports' values when fewer.
int rate(const RsNetworkRate& network) { return std::min(budget(network.words), budget(network.port_values)); }

}  // namespace

template <class Op, class Acc>
RowStationaryArray<Op, Acc>::RowStationaryArray(const RsConv& conv, const RsMapping& mapping, int rows, int cols,
                                                const PeScratchpads& pads, const RsNetworkWidths& widths,
                                                const std::vector<Op>& input, const std::vector<Op>& filters,
                                                std::vector<Acc>& output, FoldGate* gate, PeEngine engine,
                                                ProbedCycles probed)
    : conv_(conv), mapping_(mapping), rows_(rows), cols_(cols), pads_(pads), widths_(widths), input_(input),
      filters_(filters), output_(output), gate_(gate), passes_(rs_passes(conv, mapping)), window_(rs_window(conv)),
      pes_(static_cast<std::size_t>(rows) * static_cast<std::size_t>(cols)),
      run_macs_ahead_(engine == PeEngine::Fold), probed_(probed) {
  if (const std::string problem = rs_mapping_problem(conv, mapping, rows, cols, pads); !problem.empty())
    throw std::logic_error("row-stationary mapping " + mapping.to_string() + ": " + problem);
  if (gate_ != nullptr) bytes_moved_ = gate_->bytes_moved(-1);
  for (int out_col = 0; out_col < conv_.out_w; ++out_col)
    for (int s = 0; s < conv_.filter_w; ++s) {
      const int x = out_col * conv_.stride_w + s * conv_.dilation_w - conv_.pad_left;
      input_column_.push_back(static_cast<int>(std::lower_bound(window_.columns.begin(), window_.columns.end(), x) -
                                               window_.columns.begin()));
    }
}

template <class Op, class Acc>
Op RowStationaryArray<Op, Acc>::input_value(int group, int image, int channel, int row, int col) const {
  if (row < 0 || row >= conv_.in_h || col < 0 || col >= conv_.in_w) return Op{0};
  const std::int64_t channels = std::int64_t{conv_.groups} * conv_.channels;
  return input_[static_cast<std::size_t>(((std::int64_t{image} * conv_.in_h + row) * conv_.in_w + col) * channels +
                                         std::int64_t{group} * conv_.channels + channel)];
}

template <class Op, class Acc>
std::size_t RowStationaryArray<Op, Acc>::output_index(int image, int out_row, int out_col, int group,
                                                      int filter) const {
  const std::int64_t filters = std::int64_t{conv_.groups} * conv_.filters;
  return static_cast<std::size_t>(((std::int64_t{image} * conv_.out_h + out_row) * conv_.out_w + out_col) * filters +
                                  std::int64_t{group} * conv_.filters + filter);
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::begin_pass() {
  ++next_pass_;
  in_pass_ = true;
  const RsPass& p = pass();
  for (Pe& pe : pes_) pe.unit = pe.psum_stream = -1;
  active_.clear();
  pes_done_ = 0;
  input_streams_.clear();
  psum_streams_.clear();
  next_input_stream_ = 0;
  weights_sent_ = 0;
  weights_unit_ = 0;
  weights_unit_sent_ = 0;
  weights_total_ = 0;
  const int n = p.images, q = p.channels, s = conv_.filter_w;
  const int columns = static_cast<int>(window_.columns.size());
  std::map<std::pair<int, int>, std::size_t> stream_of;  // (group, input row)
  for (std::size_t t = 0; t < p.units.size(); ++t) {
    const RsUnit& unit = p.units[t];
    const int row0 = replica_row(static_cast<int>(t), mapping_.set_rows, mapping_.set_cols, cols_);
    const int col0 = replica_col(static_cast<int>(t), mapping_.set_cols, cols_);
    weights_total_ += std::int64_t{p.filter_rows} * unit.filters * q * s;
    // The scratchpads hold what the mapping promised (rs_mapping_problem).
    if (unit.filters * q * s > pads_.filter_entries || unit.filters * n > pads_.psum_entries)
      throw std::logic_error("row-stationary pass overflows a PE's filter or psum scratchpad");
    for (int i = 0; i < p.filter_rows; ++i)
      for (int j = 0; j < p.out_rows; ++j) {
        const int index = (row0 + i) * cols_ + col0 + j;
        Pe& pe = pes_[static_cast<std::size_t>(index)];
        pe.unit = static_cast<int>(t);
        pe.set_row = i;
        pe.set_col = j;
        pe.input_row = (p.out_row0 + j) * conv_.stride_h + (p.filter_row0 + i) * conv_.dilation_h - conv_.pad_top;
        pe.weights.assign(static_cast<std::size_t>(unit.filters * q * s), Op{0});
        pe.weights_loaded = 0;
        pe.inputs.assign(static_cast<std::size_t>(columns * n * q), Op{0});
        pe.inputs_received = pe.inputs_freed = 0;
        pe.psums.assign(static_cast<std::size_t>(n * unit.filters), Acc{0});
        pe.out_col = pe.action = 0;
        pe.mac_filter = pe.mac_s = pe.mac_channel = pe.mac_image = 0;
        pe.awaits = Awaits::Nothing;
        pe.link_full = false;
        pe.link = Acc{0};
        active_.push_back(index);
        const auto key = std::make_pair(unit.group, pe.input_row);
        auto found = stream_of.find(key);
        if (found == stream_of.end()) {
          found = stream_of.emplace(key, input_streams_.size()).first;
          input_streams_.push_back({unit.group, pe.input_row, {}, 0});
        }
        input_streams_[found->second].pes.push_back(index);
        pe.stream = static_cast<int>(found->second);
        if (i == 0 && p.accumulates()) {
          pe.psum_stream = static_cast<int>(psum_streams_.size());
          psum_streams_.push_back({index, 0});
        }
      }
  }
  // Bottom rows first: a PE frees its link register before the one above
  // writes it in the same cycle.
  std::sort(active_.begin(), active_.end(), std::greater<>());
  for (std::size_t slot = 0; slot < active_.size(); ++slot)
    pes_[static_cast<std::size_t>(active_[slot])].slot = static_cast<int>(slot);
  int longest_column = 1;
  for (const RsUnit& unit : p.units) longest_column = std::max(longest_column, n * q * s * unit.filters);
  ahead_.assign(static_cast<std::size_t>(longest_column), MacsAhead{});
  macs_running_ = 0;
  wakes_.resize(ahead_.size());
  for (std::vector<int>& wakes : wakes_) wakes.clear();
  inputs_ready_ = static_cast<int>(input_streams_.size());
  psums_ready_ = static_cast<int>(psum_streams_.size());
  may_act_.assign((active_.size() + 63) / 64, 0);
  for (std::size_t slot = 0; slot < active_.size(); ++slot) may_act_[slot / 64] |= std::uint64_t{1} << (slot % 64);
  awaiting_weights_ = awaiting_inputs_ = 0;
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::set_aside(Pe& pe, Awaits awaits) {
  may_act_[static_cast<std::size_t>(pe.slot) / 64] &= ~(std::uint64_t{1} << (pe.slot % 64));
  pe.awaits = awaits;
  if (awaits == Awaits::Weights) ++awaiting_weights_;
  if (awaits == Awaits::Inputs) ++awaiting_inputs_;
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::wake(Pe& pe) {
  may_act_[static_cast<std::size_t>(pe.slot) / 64] |= std::uint64_t{1} << (pe.slot % 64);
  if (pe.awaits == Awaits::Weights) --awaiting_weights_;
  if (pe.awaits == Awaits::Inputs) --awaiting_inputs_;
  pe.awaits = Awaits::Nothing;
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::free_inputs(Pe& pe, int freed) {
  const bool was_full = pe.inputs_received - pe.inputs_freed >= pads_.ifmap_entries;
  pe.inputs_freed = freed;
  InputStream& stream = input_streams_[static_cast<std::size_t>(pe.stream)];
  if (was_full && pe.inputs_received - pe.inputs_freed < pads_.ifmap_entries && --stream.full_pes == 0 &&
      stream.sent < static_cast<int>(window_.columns.size()) * words_per_column())
    ++inputs_ready_;
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::step_pe(int index, CycleActivity& a, bool& worked, Waits& waited) {
  Pe& pe = pes_[static_cast<std::size_t>(index)];
  const RsPass& p = pass();
  const RsUnit& unit = p.units[static_cast<std::size_t>(pe.unit)];
  const int filters = unit.filters, q = p.channels, n = p.images, s_len = conv_.filter_w;
  const int macs = n * q * s_len * filters;
  if (pe.action < macs) {
    const bool weights = pe.weights_loaded == filters * q * s_len;
    const int inputs_needed = window_.needed_through[static_cast<std::size_t>(pe.out_col)] * n * q;
    if (!weights || pe.inputs_received < inputs_needed) {
      waited.on(weights ? widths_.ifmap : widths_.filter);
      pe.inputs_needed = inputs_needed;
      set_aside(pe, weights ? Awaits::Inputs : Awaits::Weights);
      return;
    }
    const int left = macs - pe.action;  // one a cycle, this one first
    if (run_macs_ahead_ && left >= 2 && (cycle_ + left - 1 < probed_.first || cycle_ > probed_.last)) {
      run_macs(index, left - 1);
      worked = true;
      return;
    }
    const int m = pe.mac_filter, s = pe.mac_s, c = pe.mac_channel, image = pe.mac_image;
    const int column = input_column_[static_cast<std::size_t>(pe.out_col * s_len + s)];
    const Op in = pe.inputs[static_cast<std::size_t>((column * n + image) * q + c)];
    ++a.active_pes;
    ++a.register_reads[static_cast<int>(RegisterFile::Operand)];
    if (in == Op{0}) {
      ++a.gated_macs;
    } else {
      const Op w = pe.weights[static_cast<std::size_t>((m * q + c) * s_len + s)];
      ++a.register_reads[static_cast<int>(RegisterFile::Stationary)];
      ++a.register_reads[static_cast<int>(RegisterFile::PartialSum)];
      ++a.register_writes[static_cast<int>(RegisterFile::PartialSum)];
      if (w == Op{0}) ++a.gated_macs;
      pe.psums[static_cast<std::size_t>(image * filters + m)] += static_cast<Acc>(w) * static_cast<Acc>(in);
    }
    worked = true;
    if (++pe.mac_filter == filters) {
      pe.mac_filter = 0;
      if (++pe.mac_s == s_len) {
        pe.mac_s = 0;
        if (++pe.mac_channel == q) {
          pe.mac_channel = 0;
          ++pe.mac_image;
        }
      }
    }
    if (++pe.action == macs) free_inputs(pe, window_.freed_after[static_cast<std::size_t>(pe.out_col)] * n * q);
    return;
  }
  // Sending partial sum k on, with what arrived from above added.
  const int k = pe.action - macs;
  const bool incoming = pe.set_row > 0 || p.accumulates();
  if (incoming && !pe.link_full) {
    if (pe.set_row == 0) waited.on(widths_.psum_in);
    return;
  }
  const bool bottom = pe.set_row == p.filter_rows - 1;
  Pe* below = bottom ? nullptr : &pes_[static_cast<std::size_t>(index + cols_)];
  if (bottom && out_slots_used_ >= rate(widths_.out)) {
    waited.on(widths_.out);
    return;
  }
  if (below != nullptr && below->link_full) return;
  Acc value = pe.psums[static_cast<std::size_t>(k)];
  if (incoming) {
    value += pe.link;
    pe.link_full = false;
    if (pe.psum_stream >= 0 && psum_streams_[static_cast<std::size_t>(pe.psum_stream)].sent < n * filters * conv_.out_w)
      ++psums_ready_;
  }
  ++a.register_reads[static_cast<int>(RegisterFile::PartialSum)];
  worked = true;
  if (below != nullptr) {
    below->link = value;
    below->link_full = true;
    ++totals_.link_hops;
    ++a.link_hops[static_cast<int>(LinkDirection::Vertical)];
  } else {
    ++out_slots_used_;
    ++a.noc_words[static_cast<int>(Network::Out)];
    ++a.buffer_writes[static_cast<int>(Operand::Ofmap)];
    output_[output_index(p.image0 + k / filters, p.out_row0 + pe.set_col, pe.out_col, unit.group,
                         unit.filter0 + k % filters)] = value;
    if (gate_ != nullptr) gate_->results_collected(1, p.accumulates());
  }
  if (++pe.action == macs + n * filters) {
    pe.action = 0;
    pe.mac_image = 0;
    std::fill(pe.psums.begin(), pe.psums.end(), Acc{0});
    if (++pe.out_col == conv_.out_w) {
      ++pes_done_;
      set_aside(pe, Awaits::Nothing);
    }
  }
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::run_macs(int index, int count) {
  Pe& pe = pes_[static_cast<std::size_t>(index)];
  const RsUnit& unit = pass().units[static_cast<std::size_t>(pe.unit)];
  const int filters = unit.filters, q = pass().channels, n = pass().images, s_len = conv_.filter_w;
  const int* column_of = &input_column_[static_cast<std::size_t>(pe.out_col * s_len)];
  const std::size_t size = ahead_.size();
  std::size_t slot = static_cast<std::size_t>(cycle_) % size;
  ++ahead_[slot].runs_started_less_ended;
  int m = pe.mac_filter, s = pe.mac_s, c = pe.mac_channel, image = pe.mac_image;
  // Filter innermost: one input value for a run of filters.
  const int weight_stride = q * s_len;
  for (int k = 0; k < count;) {
    const int run = std::min(filters - m, count - k);
    const Op in = pe.inputs[static_cast<std::size_t>((column_of[s] * n + image) * q + c)];
    if (in == Op{0}) {
      for (int j = 0; j < run; ++j) {
        ++ahead_[slot].zero_inputs;
        if (++slot == size) slot = 0;
      }
    } else {
      const Op* weight = &pe.weights[static_cast<std::size_t>((m * q + c) * s_len + s)];
      Acc* psum = &pe.psums[static_cast<std::size_t>(image * filters + m)];
      for (int j = 0; j < run; ++j) {
        const Op w = weight[static_cast<std::ptrdiff_t>(j) * weight_stride];
        if (w == Op{0}) ++ahead_[slot].zero_weights;
        psum[j] += static_cast<Acc>(w) * static_cast<Acc>(in);
        if (++slot == size) slot = 0;
      }
    }
    k += run;
    m += run;
    if (m == filters) {
      m = 0;
      if (++s == s_len) {
        s = 0;
        if (++c == q) {
          c = 0;
          ++image;
        }
      }
    }
  }
  pe.mac_filter = m;
  pe.mac_s = s;
  pe.mac_channel = c;
  pe.mac_image = image;
  pe.action += count;
  --ahead_[slot].runs_started_less_ended;
  may_act_[static_cast<std::size_t>(pe.slot) / 64] &= ~(std::uint64_t{1} << (pe.slot % 64));
  wakes_[slot].push_back(index);
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::deliver(CycleActivity& a) {
  const RsPass& p = pass();
  const int q = p.channels, n = p.images, s_len = conv_.filter_w;
  // Filter GIN: replica by replica, set row by set row, each weight to the
  // whole set row.
  for (int left = rate(widths_.filter); left > 0 && weights_sent_ < weights_total_; --left) {
    const std::size_t t = weights_unit_;
    const std::int64_t offset = weights_unit_sent_;
    const RsUnit& unit = p.units[t];
    const int per_row = unit.filters * q * s_len;
    if (++weights_unit_sent_ == std::int64_t{p.filter_rows} * per_row) {
      ++weights_unit_;
      weights_unit_sent_ = 0;
    }
    const int i = static_cast<int>(offset / per_row), w = static_cast<int>(offset % per_row);
    const int m = w / (q * s_len), c = (w / s_len) % q, s = w % s_len;
    const Op value = filters_[static_cast<std::size_t>(
        ((std::int64_t{unit.group} * conv_.filters + unit.filter0 + m) * conv_.filter_h + p.filter_row0 + i) *
            conv_.filter_w * conv_.channels +
        std::int64_t{s} * conv_.channels + p.channel0 + c)];
    const int row0 = replica_row(static_cast<int>(t), mapping_.set_rows, mapping_.set_cols, cols_);
    const int col0 = replica_col(static_cast<int>(t), mapping_.set_cols, cols_);
    for (int j = 0; j < p.out_rows; ++j) {
      Pe& pe = pes_[static_cast<std::size_t>((row0 + i) * cols_ + col0 + j)];
      pe.weights[static_cast<std::size_t>(w)] = value;
      if (++pe.weights_loaded == per_row && pe.awaits == Awaits::Weights) wake(pe);
      ++a.register_writes[static_cast<int>(RegisterFile::Stationary)];
      ++a.noc_deliveries;
    }
    ++a.noc_words[static_cast<int>(Network::Top)];
    ++a.buffer_reads[static_cast<int>(Operand::Filter)];
    ++weights_sent_;
  }
  // Ifmap GIN: rows round robin, a value at a time, each to every PE that
  // reads its row once all of them have room.
  const int row_words = static_cast<int>(window_.columns.size()) * n * q;
  int left = budget(widths_.ifmap.words), ports = budget(widths_.ifmap.port_values);
  // With no row ready, the round robin would go once round to where it was.
  for (std::size_t tried = 0; inputs_ready_ > 0 && left > 0 && tried < input_streams_.size();) {
    InputStream& stream = input_streams_[next_input_stream_];
    next_input_stream_ = (next_input_stream_ + 1) % input_streams_.size();
    if (stream.sent >= row_words || stream.full_pes > 0) {
      ++tried;
      continue;
    }
    const int column = stream.sent / (n * q), image = (stream.sent / q) % n, c = stream.sent % q;
    const int x = window_.columns[static_cast<std::size_t>(column)];
    // Padding is made on the way, without a buffer read; a value from the
    // buffer needs a port.
    const bool padding = stream.input_row < 0 || stream.input_row >= conv_.in_h || x < 0 || x >= conv_.in_w;
    if (!padding && ports == 0) {
      ++tried;
      continue;
    }
    tried = 0;
    const Op value = input_value(stream.group, p.image0 + image, p.channel0 + c, stream.input_row, x);
    for (int index : stream.pes) {
      Pe& pe = pes_[static_cast<std::size_t>(index)];
      pe.inputs[static_cast<std::size_t>(pe.inputs_received++)] = value;
      if (pe.inputs_received - pe.inputs_freed == pads_.ifmap_entries && stream.full_pes++ == 0) --inputs_ready_;
      if (pe.awaits == Awaits::Inputs && pe.inputs_received >= pe.inputs_needed) wake(pe);
      ++a.register_writes[static_cast<int>(RegisterFile::Operand)];
      ++a.noc_deliveries;
    }
    ++a.noc_words[static_cast<int>(Network::Left)];
    if (!padding) {
      ++a.buffer_reads[static_cast<int>(Operand::Ifmap)];
      --ports;
    }
    if (++stream.sent == row_words && stream.full_pes == 0) --inputs_ready_;
    --left;
  }
  // Psum GIN: each top PE's earlier partial sums, in the order it adds them.
  for (int left_psums = rate(widths_.psum_in); psums_ready_ > 0 && left_psums > 0;) {
    bool sent = false;
    for (PsumStream& stream : psum_streams_) {
      if (left_psums == 0) break;
      Pe& pe = pes_[static_cast<std::size_t>(stream.pe)];
      const RsUnit& unit = p.units[static_cast<std::size_t>(pe.unit)];
      const int per_column = n * unit.filters;
      if (pe.link_full || stream.sent >= per_column * conv_.out_w) continue;
      const int k = stream.sent % per_column;
      pe.link = output_[output_index(p.image0 + k / unit.filters, p.out_row0 + pe.set_col, stream.sent / per_column,
                                     unit.group, unit.filter0 + k % unit.filters)];
      pe.link_full = true;
      --psums_ready_;
      ++stream.sent;
      ++a.noc_words[static_cast<int>(Network::Out)];
      ++a.buffer_reads[static_cast<int>(Operand::Ofmap)];
      ++a.noc_deliveries;
      --left_psums;
      sent = true;
    }
    if (!sent) break;
  }
}

template <class Op, class Acc>
CycleActivity RowStationaryArray<Op, Acc>::step() {
  CycleActivity a;
  a.cycle = cycle_;
  if (gate_ != nullptr) gate_->tick(cycle_);
  out_slots_used_ = 0;
  repeatable_ = false;
  if (!in_pass_ && next_pass_ < passes_.size()) {
    if (gate_ == nullptr || gate_->ready(next_pass_)) {
      if (gate_ != nullptr) gate_->started(next_pass_);
      begin_pass();
    } else {
      ++totals_.stall_dram_cycles;
      add_stall_cycle(totals_.stall_spans, StallCause::Dram, cycle_);
    }
  } else if (!in_pass_ && gate_ != nullptr && !gate_->drained()) {
    // Every pass is done: the layer ends when its last write-backs reach DRAM.
    ++totals_.stall_dram_cycles;
    add_stall_cycle(totals_.stall_spans, StallCause::Dram, cycle_);
  }
  if (in_pass_) {
    bool worked = false;
    Waits waited;
    const std::size_t now = static_cast<std::size_t>(cycle_) % ahead_.size();
    for (int index : wakes_[now]) wake(pes_[static_cast<std::size_t>(index)]);
    wakes_[now].clear();
    bool stepped = false;
    for (std::size_t word = 0; word < may_act_.size(); ++word)
      for (std::uint64_t bits = may_act_[word]; bits != 0; bits &= bits - 1) {
        step_pe(active_[word * 64 + static_cast<std::size_t>(__builtin_ctzll(bits))], a, worked, waited);
        stepped = true;
      }
    MacsAhead& ahead = ahead_[now];
    repeated_ = ahead;
    macs_running_ += static_cast<std::uint32_t>(ahead.runs_started_less_ended);
    if (macs_running_ > 0) {
      const std::uint32_t nonzero_inputs = macs_running_ - ahead.zero_inputs;
      a.active_pes += macs_running_;
      a.gated_macs += ahead.zero_inputs + ahead.zero_weights;
      a.register_reads[static_cast<int>(RegisterFile::Operand)] += macs_running_;
      a.register_reads[static_cast<int>(RegisterFile::Stationary)] += nonzero_inputs;
      a.register_reads[static_cast<int>(RegisterFile::PartialSum)] += nonzero_inputs;
      a.register_writes[static_cast<int>(RegisterFile::PartialSum)] += nonzero_inputs;
      worked = true;
    }
    ahead = MacsAhead{};
    if (awaiting_weights_ > 0) waited.on(widths_.filter);
    if (awaiting_inputs_ > 0) waited.on(widths_.ifmap);
    const std::uint32_t words_before = a.noc_words[0] + a.noc_words[1] + a.noc_words[2];
    deliver(a);
    const bool delivered = a.noc_words[0] + a.noc_words[1] + a.noc_words[2] > words_before;
    repeatable_ = run_macs_ahead_ && gate_ == nullptr && !stepped && !delivered && macs_running_ > 0;
    // A cycle lost waiting on a network goes to the NoC when any network
    // waited on is the narrower side of its path, else to the buffer's ports.
    if (!worked && waited.noc) {
      ++totals_.stall_noc_cycles;
      add_stall_cycle(totals_.stall_spans, StallCause::Noc, cycle_);
    } else if (!worked && waited.buffer) {
      ++totals_.stall_buffer_cycles;
      add_stall_cycle(totals_.stall_spans, StallCause::Buffer, cycle_);
    }
    if (!worked && !delivered)
      throw std::logic_error("row-stationary array: no PE and no network can move in pass " +
                             std::to_string(next_pass_ - 1) + " at cycle " + std::to_string(cycle_));
    a.fold = static_cast<int>(next_pass_) - 1;
    a.phase = Phase::Stream;
    if (pes_done_ == active_.size()) {
      in_pass_ = false;
      if (gate_ != nullptr) gate_->finished(next_pass_ - 1);
    }
  }
  if (gate_ != nullptr) {
    gate_->buffer_bytes(a.buffer_bytes);
    gate_->dram_transfers(a.dram_transfers);
    const std::int64_t moved = gate_->bytes_moved(cycle_);
    a.dram_bytes = static_cast<std::uint32_t>(moved - std::exchange(bytes_moved_, moved));
    gate_->end_cycle(cycle_);
  }
  ++cycle_;
  return a;
}

template <class Op, class Acc>
std::int64_t RowStationaryArray<Op, Acc>::skip_repeats(std::int64_t limit) {
  if (!repeatable_) return 0;
  // Nothing has changed what the PEs and networks could do: each next cycle
  // does the same, but for what its slot holds. A PE wakes in the slot where
  // its run ends, the only runs a later slot changes.
  const std::size_t size = ahead_.size();
  std::int64_t count = 0;
  for (std::size_t slot = static_cast<std::size_t>(cycle_) % size; count < limit; ++count) {
    const MacsAhead& ahead = ahead_[slot];
    if (ahead.runs_started_less_ended != 0 || ahead.zero_inputs != repeated_.zero_inputs ||
        ahead.zero_weights != repeated_.zero_weights)
      break;
    ahead_[slot] = MacsAhead{};
    if (++slot == size) slot = 0;
  }
  cycle_ += count;
  return count;
}

template <class Op, class Acc>
bool RowStationaryArray<Op, Acc>::waiting_on_memory() const {
  return gate_ != nullptr && !in_pass_ && gate_->waiting_for_dram(next_pass_);
}

template <class Op, class Acc>
CycleActivity RowStationaryArray<Op, Acc>::step_quiet() {
  return step();
}

template <class Op, class Acc>
PeSnapshot RowStationaryArray<Op, Acc>::probe(int row, int col) const {
  PeSnapshot snap;
  if (row < 0 || row >= rows_ || col < 0 || col >= cols_) return snap;
  const Pe& pe = pes_[static_cast<std::size_t>(row * cols_ + col)];
  if (pe.unit < 0) return snap;
  if (!pe.weights.empty()) snap.stationary[0] = static_cast<double>(pe.weights.front());
  if (pe.inputs_received > 0) {
    snap.left_operand = static_cast<double>(pe.inputs[static_cast<std::size_t>(pe.inputs_received - 1)]);
    snap.left_valid = true;
  }
  if (!pe.psums.empty()) snap.partial_sum = static_cast<double>(pe.psums.front());
  snap.accumulator = static_cast<double>(pe.link);
  return snap;
}

template <class Op, class Acc>
void RowStationaryArray<Op, Acc>::probe_scratchpads(int row, int col, std::vector<ScratchpadSnapshot>& pads) const {
  pads.resize(3);
  for (ScratchpadSnapshot& pad : pads) pad.clear();
  if (row < 0 || row >= rows_ || col < 0 || col >= cols_) return;
  const Pe& pe = pes_[static_cast<std::size_t>(row * cols_ + col)];
  if (pe.unit < 0) return;
  for (int i = pe.inputs_freed; i < pe.inputs_received; ++i)
    pads[0].push_back(static_cast<double>(pe.inputs[static_cast<std::size_t>(i)]));
  for (int i = 0; i < pe.weights_loaded; ++i) pads[1].push_back(static_cast<double>(pe.weights[static_cast<std::size_t>(i)]));
  for (Acc sum : pe.psums) pads[2].push_back(static_cast<double>(sum));
}

template class RowStationaryArray<std::int8_t, std::int32_t>;
template class RowStationaryArray<std::int16_t, std::int64_t>;
template class RowStationaryArray<float, float>;

}  // namespace systole
