#include "sim/dataflow/row_stationary.hpp"

#include <algorithm>
#include <limits>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "models/row_stationary/rs_array.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/energy/energy_model.hpp"
#include "sim/energy/energy_table.hpp"

namespace systole {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

// The sizes of the blocks `extent` is cut into, `block` at a time.
std::vector<std::int64_t> blocks(std::int64_t extent, std::int64_t block) {
  std::vector<std::int64_t> sizes;
  for (std::int64_t at = 0; at < extent; at += block) sizes.push_back(std::min(block, extent - at));
  return sizes;
}

// Distinct input rows a set of h filter rows × e output rows reads.
std::int64_t input_rows(const RsConv& conv, int h, int e) {
  std::vector<int> rows;
  for (int i = 0; i < h; ++i)
    for (int j = 0; j < e; ++j) rows.push_back(j * conv.stride_h + i * conv.dilation_h);
  std::sort(rows.begin(), rows.end());
  return std::unique(rows.begin(), rows.end()) - rows.begin();
}

std::int64_t buffer_capacity(const GlobalBufferConfig& buffer) {
  return buffer.organization == BufferOrganization::Shared ? buffer.shared_bytes
                                                           : buffer.ifmap_bytes + buffer.filter_bytes + buffer.ofmap_bytes;
}

// Why a pass of `m` does not fit the global buffer, naming its size; empty
// when it does. A pass holds its weights, the input rows its sets read and
// its partial sums (accumulator width); passes do not overlap, so it may
// take the whole buffer.
std::string buffer_problem(const RsConv& conv, const RsMapping& m, const ArchConfig& arch) {
  const std::int64_t replicas = m.replicas;
  const std::int64_t weights = replicas * m.set_rows * m.filters_per_pe * m.channels_per_pe * conv.filter_w;
  const std::int64_t inputs = std::min<std::int64_t>(replicas, conv.groups) * input_rows(conv, m.set_rows, m.set_cols) *
                              conv.in_w * m.images_per_pe * m.channels_per_pe;
  const std::int64_t psums = replicas * m.filters_per_pe * m.set_cols * conv.out_w * m.images_per_pe;
  const std::int64_t bytes = packed_bytes(weights + inputs, operand_bits(arch.array.data_type)) +
                             packed_bytes(psums, accumulator_bits(arch.array.data_type));
  const std::int64_t capacity = buffer_capacity(arch.buffer);
  if (bytes <= capacity) return {};
  return "a pass of mapping " + m.to_string() + " holds " + std::to_string(bytes) +
         " bytes, more than the global buffer's " + std::to_string(capacity) +
         " (buffer.size_kb, or buffer.ifmap_kb + filter_kb + ofmap_kb)";
}

RsNetworkWidths network_widths(const ArchConfig& arch) {
  return {arch.noc.left_words, arch.noc.top_words, arch.noc.out_words};
}

template <class Op, class Acc>
class RsArrayStep final : public ArrayStep {
 public:
  RsArrayStep(const ArchConfig& arch, const Layer& step, const RsConv& conv, const RsMapping& mapping)
      : arch_(arch), step_(step), conv_(conv), mapping_(mapping) {}

  Execution& start(const OperandSource& source, const StepMemory& memory) override {
    data_.emplace(step_, source, arch_.array.data_type);
    output_.assign(static_cast<std::size_t>(std::int64_t{conv_.batch} * conv_.out_h * conv_.out_w * conv_.groups *
                                            conv_.filters),
                   Acc{0});
    array_.emplace(conv_, mapping_, arch_.array.rows, arch_.array.cols, arch_.array.scratchpads,
                   network_widths(arch_), data_->input(), data_->filters(), output_, open_memory(memory));
    return *array_;
  }

  void record(Counters& counted, std::vector<StallSpan>& stalls, bool) const override {
    record_dram_traffic(counted);
    const RsTotals& totals = array_->totals();
    counted[Counter::LinkHopsVertical] += totals.link_hops;
    counted[Counter::StallNocCycles] += totals.stall_noc_cycles;
    counted[Counter::StallDramCycles] += totals.stall_dram_cycles;
    stalls.insert(stalls.end(), totals.stall_spans.begin(), totals.stall_spans.end());
  }

  void record_mapping(LayerStats& stats) const override {
    // One line per layer that is this step; a layer of many steps (an
    // LSTM) would flood the terminal, so its steps' go to debug.
    spdlog::log(stats.groups > 0 ? spdlog::level::info : spdlog::level::debug, "layer '{}': row-stationary mapping {}",
                stats.name, mapping_.to_string());
    const std::vector<RsPass>& passes = array_->passes();
    stats[Counter::Folds] += static_cast<std::int64_t>(passes.size());
    const double pes = static_cast<double>(arch_.array.pe_count());
    if (stats.mapping.empty()) stats.mapping = mapping_.to_string();
    for (const RsPass& pass : passes) {
      const std::int64_t used = static_cast<std::int64_t>(pass.units.size()) * pass.filter_rows * pass.out_rows;
      stats.active_pes = std::max(stats.active_pes, used);
      stats.fold_occupancy += static_cast<double>(used) / pes;
    }
  }

  Comparison compare_with_reference() const override {
    if constexpr (std::is_same_v<Op, Numeric<DataType::Int1>::Operand> &&
                  std::is_same_v<Acc, Numeric<DataType::Int1>::Accum>)
      if (arch_.array.data_type == DataType::Int1)
        return compare_with_binary_reference(step_, data_->input(), data_->filters(), output_);
    return systole::compare_with_reference<Op, Acc>(step_, data_->input(), data_->filters(), output_);
  }

 private:
  const ArchConfig& arch_;
  Layer step_;
  RsConv conv_;
  RsMapping mapping_;
  std::optional<LayerData<Op, Acc>> data_;
  std::vector<Acc> output_;
  std::optional<RowStationaryArray<Op, Acc>> array_;
};

// A step that cannot run: it only says why.
class UnmappableStep final : public ArrayStep {
 public:
  explicit UnmappableStep(std::string problem) { problem_ = std::move(problem); }
  Execution& start(const OperandSource&, const StepMemory&) override { throw std::logic_error(problem_); }
  void record(Counters&, std::vector<StallSpan>&, bool) const override {}
  void record_mapping(LayerStats&) const override {}
  Comparison compare_with_reference() const override { return {}; }
};

template <DataType type>
std::unique_ptr<ArrayStep> make_step(const ArchConfig& arch, const Layer& step, const RsConv& conv,
                                     const RsMapping& mapping) {
  using Op = typename Numeric<type>::Operand;
  using Acc = typename Numeric<type>::Accum;
  return std::make_unique<RsArrayStep<Op, Acc>>(arch, step, conv, mapping);
}

}  // namespace

std::optional<RsConv> rs_conv(const Layer& layer) {
  if (!layer.runs_on_array()) return std::nullopt;
  const ConvShape& s = layer.shape;
  RsConv conv;
  conv.batch = static_cast<int>(layer.batch);
  conv.groups = static_cast<int>(s.groups);
  conv.channels = static_cast<int>(s.in_channels / s.groups);
  conv.filters = static_cast<int>(s.filters / s.groups);
  conv.in_h = static_cast<int>(s.in_h);
  conv.in_w = static_cast<int>(s.in_w);
  conv.pad_top = static_cast<int>(s.pad_top);
  conv.pad_left = static_cast<int>(s.pad_left);
  conv.filter_h = static_cast<int>(s.filter_h);
  conv.filter_w = static_cast<int>(s.filter_w);
  conv.stride_h = static_cast<int>(s.stride_h);
  conv.stride_w = static_cast<int>(s.stride_w);
  conv.dilation_h = static_cast<int>(s.dilation_h);
  conv.dilation_w = static_cast<int>(s.dilation_w);
  conv.out_h = static_cast<int>(layer.out_h());
  conv.out_w = static_cast<int>(layer.out_w());
  const bool pointwise = s.filter_h == 1 && s.filter_w == 1 && s.stride_h == 1 && s.stride_w == 1 &&
                         s.pad_top == 0 && s.pad_left == 0 && s.pad_bottom == 0 && s.pad_right == 0;
  if (pointwise && (layer.kind == LayerKind::FullyConnected || layer.kind == LayerKind::Gemm)) {
    // A fully connected layer: every input pixel is an image of 1×1 (NHWC
    // keeps the same order), so the PE sets are 1×1 and replicate.
    conv.batch = static_cast<int>(layer.batch * s.in_h * s.in_w);
    conv.in_h = conv.in_w = conv.out_h = conv.out_w = 1;
  }
  return conv;
}

RsEstimate estimate_rs(const RsConv& conv, const RsMapping& m, const ArchConfig& arch) {
  RsEstimate e;
  Counters& c = e.counters;
  const std::int64_t p = m.filters_per_pe;
  const std::int64_t units = std::int64_t{conv.groups} * ceil_div(conv.filters, p);
  const std::int64_t image_blocks = ceil_div(conv.batch, m.images_per_pe);
  const std::int64_t channel_blocks = ceil_div(conv.channels, m.channels_per_pe);
  const std::int64_t row_blocks = ceil_div(conv.filter_h, m.set_rows);
  const std::int64_t weights = std::int64_t{conv.groups} * conv.filters * conv.channels * conv.filter_h * conv.filter_w;
  const std::int64_t outputs = std::int64_t{conv.batch} * conv.groups * conv.filters * conv.out_h * conv.out_w;
  const std::int64_t columns = static_cast<std::int64_t>(rs_window(conv).columns.size());
  const std::int64_t macs = conv.macs();
  // Input rows the passes read: every (output-row block, filter-row block).
  std::int64_t rows_read = 0;
  for (std::int64_t e_used : blocks(conv.out_h, m.set_cols))
    for (std::int64_t h_used : blocks(conv.filter_h, m.set_rows))
      rows_read += input_rows(conv, static_cast<int>(h_used), static_cast<int>(e_used));
  // Replicas of one group share its input rows; of different groups not.
  std::int64_t group_chunks = 0;
  const std::int64_t units_per_group = ceil_div(conv.filters, p);
  for (std::int64_t u0 = 0; u0 < units; u0 += m.replicas)
    group_chunks += (std::min(units, u0 + m.replicas) - 1) / units_per_group - u0 / units_per_group + 1;
  const std::int64_t filter_words = weights * image_blocks * ceil_div(conv.out_h, m.set_cols);
  const std::int64_t ifmap_words = group_chunks * conv.batch * conv.channels * rows_read * columns;
  const std::int64_t sends = std::int64_t{conv.out_w} * conv.batch * conv.groups * conv.filters * conv.out_h *
                             channel_blocks * conv.filter_h;
  const std::int64_t out_words = outputs * channel_blocks * row_blocks;
  const std::int64_t in_psums = outputs * (channel_blocks * row_blocks - 1);
  c[Counter::Macs] = macs;
  c[Counter::RfOperandReads] = macs;
  c[Counter::RfStationaryReads] = macs;
  c[Counter::RfPsumReads] = macs + sends;
  c[Counter::RfPsumWrites] = macs;
  c[Counter::RfStationaryWrites] = weights * image_blocks * conv.out_h;
  c[Counter::RfOperandWrites] = columns * conv.batch * conv.channels * units * conv.filter_h * conv.out_h;
  c[Counter::LinkHopsVertical] = sends - out_words;
  c[Counter::NocTopWords] = filter_words;
  c[Counter::NocLeftWords] = ifmap_words;
  c[Counter::NocOutWords] = out_words + in_psums;
  c[Counter::NocDeliveries] = c[Counter::RfStationaryWrites] + c[Counter::RfOperandWrites] + in_psums;
  c[Counter::BufferFilterReads] = c[Counter::BufferFilterReadAccesses] = filter_words;
  c[Counter::BufferIfmapReads] = c[Counter::BufferIfmapReadAccesses] = ifmap_words;
  c[Counter::BufferOfmapReads] = c[Counter::BufferOfmapReadAccesses] = in_psums;
  c[Counter::BufferOfmapWrites] = c[Counter::BufferOfmapWriteAccesses] = out_words;
  // Cycles: each pass loads its weights, then each PE computes n·p partial
  // sums of q·S MACs and sends them, per output column; the networks bound
  // the whole.
  const std::int64_t passes = ceil_div(units, m.replicas) * image_blocks * ceil_div(conv.out_h, m.set_cols) *
                              channel_blocks * row_blocks;
  const std::int64_t per_pass_weights = std::min<std::int64_t>(m.replicas, units) * m.set_rows * p *
                                        m.channels_per_pe * conv.filter_w;
  const auto rate = [](std::int64_t words, int width) { return width > 0 ? ceil_div(words, width) : 0; };
  const std::int64_t compute =
      std::int64_t{conv.out_w} * m.images_per_pe * p * (std::int64_t{m.channels_per_pe} * conv.filter_w + 1) +
      m.set_rows + rate(per_pass_weights, arch.noc.top_words);
  e.cycles = std::max({passes * compute, rate(ifmap_words, arch.noc.left_words),
                       rate(out_words + in_psums, arch.noc.out_words)});
  c[Counter::Cycles] = e.cycles;
  c[Counter::IdlePeCycles] = std::max<std::int64_t>(0, arch.array.pe_count() * e.cycles - macs);
  return e;
}

std::vector<RsMapping> legal_rs_mappings(const RsConv& conv, const ArchConfig& arch) {
  const int rows = arch.array.rows, cols = arch.array.cols;
  const PeScratchpads& pads = arch.array.scratchpads;
  std::vector<RsMapping> legal;
  // Sets as tall and as wide as the layer allows, balanced when folded.
  std::vector<int> heights, widths;
  for (int k = static_cast<int>(ceil_div(conv.filter_h, rows)); k <= conv.filter_h; ++k)
    if (const int h = static_cast<int>(ceil_div(conv.filter_h, k)); heights.empty() || h != heights.back())
      heights.push_back(h);
  for (int k = static_cast<int>(ceil_div(conv.out_h, cols)); k <= conv.out_h; ++k)
    if (const int e = static_cast<int>(ceil_div(conv.out_h, k)); widths.empty() || e != widths.back())
      widths.push_back(e);
  if (heights.size() > 1) heights.resize(1);  // fold filter rows only as much as the array needs
  const int window = rs_window(conv).largest_window;
  for (int h : heights)
    for (int e : widths) {
      const int fit = (rows / h) * (cols / e);
      for (int p = 1; p <= std::min(conv.filters, pads.psum_entries); ++p)
        for (int q = 1; q <= conv.channels && std::int64_t{p} * q * conv.filter_w <= pads.filter_entries; ++q)
          for (int n = 1; n <= conv.batch && n * p <= pads.psum_entries &&
                          std::int64_t{n} * q * window <= pads.ifmap_entries;
               ++n) {
            const std::int64_t units = std::int64_t{conv.groups} * ceil_div(conv.filters, p);
            const RsMapping m{h, e, p, q, n, static_cast<int>(std::min<std::int64_t>(fit, units))};
            if (rs_mapping_problem(conv, m, rows, cols, pads).empty() && buffer_problem(conv, m, arch).empty())
              legal.push_back(m);
          }
    }
  return legal;
}

RsChoice choose_rs_mapping(const RsConv& conv, const ArchConfig& arch, RsObjective objective) {
  RsChoice choice;
  const std::vector<RsMapping> legal = legal_rs_mappings(conv, arch);
  if (legal.empty()) {
    // Name the limit the smallest mapping breaks.
    const RsMapping smallest{std::min(conv.filter_h, arch.array.rows), 1, 1, 1, 1, 1};
    choice.problem = rs_mapping_problem(conv, smallest, arch.array.rows, arch.array.cols, arch.array.scratchpads);
    if (choice.problem.empty()) choice.problem = buffer_problem(conv, smallest, arch);
    if (choice.problem.empty()) choice.problem = "no row-stationary mapping fits";
    return choice;
  }
  std::optional<EnergyModel> energy;
  if (objective == RsObjective::Energy && arch.energy_table != "none")
    energy.emplace(load_energy_table(arch.energy_table), arch, RowStationary{});
  double best = std::numeric_limits<double>::infinity();
  for (const RsMapping& m : legal) {
    const RsEstimate e = estimate_rs(conv, m, arch);
    const double cost = energy ? energy->price(e.counters).dynamic() : static_cast<double>(e.cycles);
    if (cost < best) {
      best = cost;
      choice.mapping = m;
    }
  }
  return choice;
}

std::unique_ptr<ArrayStep> RowStationary::plan(const ArchConfig& arch, const Layer& step, double) const {
  const std::optional<RsConv> conv = rs_conv(step);
  if (!conv) return std::make_unique<UnmappableStep>("the row-stationary dataflow runs array layers only");
  if (arch.memory_model == MemoryModel::Dram)
    return std::make_unique<UnmappableStep>(
        "the row-stationary dataflow runs with ideal memory only (memory.model = ideal): its DRAM tile plan is not "
        "modelled yet");
  RsChoice choice;
  if (step.rs_mapping.size() == 6) {
    const auto& f = step.rs_mapping;
    const auto narrow = [](std::int64_t v) { return static_cast<int>(std::min<std::int64_t>(v, 1 << 20)); };
    choice.mapping = {narrow(f[0]), narrow(f[1]), narrow(f[2]), narrow(f[3]), narrow(f[4]), narrow(f[5])};
    choice.problem = rs_mapping_problem(*conv, choice.mapping, arch.array.rows, arch.array.cols,
                                        arch.array.scratchpads);
    if (choice.problem.empty()) choice.problem = buffer_problem(*conv, choice.mapping, arch);
    if (!choice.problem.empty()) choice.problem = "the forced rs_mapping " + choice.mapping.to_string() + ": " + choice.problem;
  } else {
    choice = choose_rs_mapping(*conv, arch, arch.rs_mapper == "delay" ? RsObjective::Delay : RsObjective::Energy);
  }
  if (!choice.problem.empty()) return std::make_unique<UnmappableStep>("row stationary: " + choice.problem);
  switch (arch.array.data_type) {
    case DataType::Int16: return make_step<DataType::Int16>(arch, step, *conv, choice.mapping);
    case DataType::Int8: return make_step<DataType::Int8>(arch, step, *conv, choice.mapping);
    case DataType::Int4: return make_step<DataType::Int4>(arch, step, *conv, choice.mapping);
    case DataType::Int2: return make_step<DataType::Int2>(arch, step, *conv, choice.mapping);
    case DataType::Int1: return make_step<DataType::Int1>(arch, step, *conv, choice.mapping);
    case DataType::Fp32: return make_step<DataType::Fp32>(arch, step, *conv, choice.mapping);
  }
  return nullptr;
}

std::string RowStationary::mapping_problem(const ArchConfig& arch, const Layer& step) const {
  return plan(arch, step, 0)->problem();
}

PeStorage RowStationary::pe_storage(const ArrayConfig& array, int psum_bits) const {
  const PeScratchpads& pads = array.scratchpads;
  const std::int64_t bits = operand_bits(array.data_type);
  return {pads.ifmap_entries * bits + std::int64_t{pads.psum_entries} * psum_bits,
          packed_bytes(pads.filter_entries, static_cast<int>(bits))};
}

std::vector<PeRegister> RowStationary::traced_registers(const ArrayConfig&) const {
  return {PeRegister::Left, PeRegister::LeftValid, PeRegister::Stationary0, PeRegister::PartialSum,
          PeRegister::Accumulator};
}

}  // namespace systole
