#include "sim/dataflow/row_stationary.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <optional>
#include <tuple>
#include <type_traits>

#include <spdlog/spdlog.h>

#include "models/memory/dram_compression.hpp"
#include "models/row_stationary/rs_array.hpp"
#include "models/row_stationary/rs_tile_plan.hpp"
#include "sim/config/memspec.hpp"
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

// The values a pass of `m` holds at most, per operand: every row its sets
// could read, whole (padding included), and every replica on a group of its
// own (up to the layer's groups). Any pass's tiles (plan_rs_tiles) are at
// most these, so a mapping this check accepts has a DRAM tile plan that fits.
std::array<std::int64_t, kOperands> pass_bound(const RsConv& conv, const RsMapping& m) {
  const std::int64_t replicas = m.replicas;
  std::array<std::int64_t, kOperands> values{};
  values[static_cast<int>(Operand::Filter)] =
      replicas * m.set_rows * m.filters_per_pe * m.channels_per_pe * conv.filter_w;
  values[static_cast<int>(Operand::Ifmap)] = std::min<std::int64_t>(replicas, conv.groups) *
                                            input_rows(conv, m.set_rows, m.set_cols) * conv.in_w * m.images_per_pe *
                                            m.channels_per_pe;
  values[static_cast<int>(Operand::Ofmap)] = replicas * m.filters_per_pe * m.set_cols * conv.out_w * m.images_per_pe;
  return values;
}

// Why a pass of `m` does not fit the global buffer, naming its size; empty
// when it does. A pass holds its weights, the input rows its sets read and
// its partial sums (accumulator width). With ideal memory passes do not
// overlap, so a pass may take the whole buffer; with DRAM the next pass's
// tiles arrive while it runs (double buffering), so each operand's must fit
// half its partition (a shared buffer: some split of its banks).
std::string buffer_problem(const RsConv& conv, const RsMapping& m, const ArchConfig& arch) {
  const std::array<std::int64_t, kOperands> values = pass_bound(conv, m);
  const int op = operand_bits(arch.array.data_type), acc = accumulator_bits(arch.array.data_type);
  const std::int64_t weights = values[static_cast<int>(Operand::Filter)];
  const std::int64_t inputs = values[static_cast<int>(Operand::Ifmap)];
  const std::int64_t psums = values[static_cast<int>(Operand::Ofmap)];
  if (arch.memory_model != MemoryModel::Dram) {
    const std::int64_t bytes = packed_bytes(weights + inputs, op) + packed_bytes(psums, acc);
    const std::int64_t capacity = buffer_capacity(arch.buffer);
    if (bytes <= capacity) return {};
    return "a pass of mapping " + m.to_string() + " holds " + std::to_string(bytes) +
           " bytes, more than the global buffer's " + std::to_string(capacity) +
           " (buffer.size_kb, or buffer.ifmap_kb + filter_kb + ofmap_kb)";
  }
  const std::array<std::int64_t, kOperands> bytes = {packed_bytes(inputs, op), packed_bytes(weights, op),
                                                     packed_bytes(psums, acc)};
  const GlobalBufferConfig& buffer = arch.buffer;
  if (buffer.organization == BufferOrganization::Separate) {
    const BufferPartition partition = buffer.partition();
    for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap})
      if (bytes[static_cast<int>(o)] > partition.capacity(o) / 2)
        return "a pass of mapping " + m.to_string() + " holds " + std::to_string(bytes[static_cast<int>(o)]) +
               " bytes of " + to_string(o) + ", more than half the " + to_string(o) + " buffer's " +
               std::to_string(partition.capacity(o)) + " (double buffered with --memory dram)";
    return {};
  }
  const std::int64_t bank = buffer.bank_bytes();
  std::int64_t banks = 0;
  for (std::int64_t b : bytes) banks += std::max<std::int64_t>(1, (2 * b + bank - 1) / bank);
  if (banks <= buffer.banks) return {};
  return "a pass of mapping " + m.to_string() + " holds ifmap, filter and ofmap tiles of " + std::to_string(bytes[0]) +
         ", " + std::to_string(bytes[1]) + " and " + std::to_string(bytes[2]) + " bytes: double buffered (--memory "
         "dram) they need " + std::to_string(banks) + " banks of " + std::to_string(bank) +
         " bytes, more than the shared buffer's " + std::to_string(buffer.banks);
}

// A step's DRAM tile plan and the buffer partition it runs with.
struct RsMemoryPlan {
  BufferPartition buffer;
  RsTiling tiling;
  TilePlan tiles;
  std::string problem;  // empty when every pass's tiles fit
};

// Separate buffers run as they are. A shared buffer is split, bank by bank,
// the way that moves the fewest DRAM bytes (what stays resident depends on
// the split), then loads the busiest partition's banks least, then gives
// ifmap, then filters, the most banks; every pass's tiles must fit half
// their partitions.
RsMemoryPlan plan_rs_memory(const RsConv& conv, const RsMapping& m, const ArchConfig& arch) {
  const std::vector<RsPass> passes = rs_passes(conv, m);
  const int op = operand_bits(arch.array.data_type), acc = accumulator_bits(arch.array.data_type);
  const std::int64_t reused_unit_block = rs_reused_unit_block_values(conv, passes);
  RsMemoryPlan memory;
  if (arch.buffer.organization == BufferOrganization::Separate) {
    memory.buffer = arch.buffer.partition();
    memory.tiling = rs_tiling(memory.buffer, conv, reused_unit_block, op);
    memory.tiles = plan_rs_tiles(conv, passes, memory.tiling, op, acc);
    memory.problem = memory.tiles.capacity_problem(memory.buffer);
    return memory;
  }
  struct Planned {
    MemoryTraffic totals;
    std::array<std::int64_t, kOperands> largest;
  };
  std::map<RsTiling, Planned> planned;
  const int banks = arch.buffer.banks;
  std::optional<std::tuple<std::int64_t, double, int, int>> best_cost;
  for (int ifmap = 1; ifmap <= banks - 2; ++ifmap)
    for (int filter = 1; filter <= banks - 1 - ifmap; ++filter) {
      const BufferPartition buffer = arch.buffer.partition({ifmap, filter, banks - ifmap - filter});
      const RsTiling tiling = rs_tiling(buffer, conv, reused_unit_block, op);
      auto found = planned.find(tiling);
      if (found == planned.end()) {
        const TilePlan tiles = plan_rs_tiles(conv, passes, tiling, op, acc);
        found = planned.emplace(tiling, Planned{tiles.totals(), tiles.largest_tiles()}).first;
      }
      const Planned& p = found->second;
      bool fits = true;
      for (int o = 0; o < kOperands; ++o) fits &= p.largest[o] <= buffer.bytes[o] / 2;
      if (!fits) continue;
      const auto cost = std::make_tuple(p.totals.dram.bytes(), busiest_bank_bytes(p.totals, buffer), -ifmap, -filter);
      if (!best_cost || cost < *best_cost) {
        best_cost = cost;
        memory.buffer = buffer;
        memory.tiling = tiling;
      }
    }
  if (!best_cost) {
    memory.problem = "no split of the shared buffer (" + std::to_string(banks) + " banks of " +
                     std::to_string(arch.buffer.bank_bytes()) + " B) holds two tiles of every operand of mapping " +
                     m.to_string();
    return memory;
  }
  memory.tiles = plan_rs_tiles(conv, passes, memory.tiling, op, acc);
  return memory;
}

// What a tile plan's DRAM traffic costs, for the mapper: the bytes per
// operand and, for tables that price DRAM commands, the bursts, and one
// activate and precharge per DRAM row of data (tiles are contiguous, so a
// transfer streams whole rows). Compression is left out: it depends on the
// values. So is background power: the mapper compares dynamic energy.
void add_dram_estimate(const DramTraffic& dram, const DramSpec& spec, Counters& c) {
  const auto read = [&](Operand o) { return dram.read_bytes[static_cast<int>(o)]; };
  c[Counter::DramIfmapReadBytes] = read(Operand::Ifmap);
  c[Counter::DramFilterReadBytes] = read(Operand::Filter);
  c[Counter::DramOfmapReadBytes] = read(Operand::Ofmap);
  c[Counter::DramOfmapWriteBytes] = dram.write_bytes[static_cast<int>(Operand::Ofmap)];
  const std::int64_t reads = dram_read_bytes(c), writes = dram_write_bytes(c);
  const std::int64_t row_bytes = std::int64_t{spec.bursts_per_row} * spec.burst_bytes;
  c[Counter::DramReadBursts] = ceil_div(reads, spec.burst_bytes);
  c[Counter::DramWriteBursts] = ceil_div(writes, spec.burst_bytes);
  c[Counter::DramActivates] = c[Counter::DramPrecharges] = ceil_div(reads, row_bytes) + ceil_div(writes, row_bytes);
}

// The global networks' widths and, with DRAM, the ports behind them: the
// ifmap and filter GINs read their partitions at operand width, the psum GIN
// reads and the GON writes partial sums in the ofmap partition.
// At least what any DRAM tile plan of `m` moves, without planning it: every
// output leaves once; the weights are read once if some split of the buffer
// could keep the whole filter tensor or a block of units' weights, else once
// per output block (images × output rows), as every pass reads its own; the
// ifmap is left at zero (a strided layer need not read every input).
DramTraffic dram_lower_bound(const RsConv& conv, const RsMapping& m, const ArchConfig& arch) {
  const int op = operand_bits(arch.array.data_type);
  const GlobalBufferConfig& buffer = arch.buffer;
  const std::int64_t largest_filter_partition = buffer.organization == BufferOrganization::Shared
                                                    ? (buffer.banks - 2) * buffer.bank_bytes()
                                                    : buffer.filter_bytes;
  const std::int64_t weights = rs_filter_values(conv);
  const std::int64_t output_blocks = ceil_div(conv.batch, m.images_per_pe) * ceil_div(conv.out_h, m.set_cols);
  const std::int64_t units = std::int64_t{conv.groups} * ceil_div(conv.filters, m.filters_per_pe);
  const std::int64_t unit_block = std::min<std::int64_t>(m.replicas, units) * m.filters_per_pe * conv.channels *
                                  conv.filter_h * conv.filter_w;
  const bool keepable = packed_bytes(weights, op) <= largest_filter_partition / 2 ||
                        (output_blocks > 1 && packed_bytes(unit_block, op) <= largest_filter_partition / 2);
  DramTraffic bound;
  bound.read_bytes[static_cast<int>(Operand::Filter)] = packed_bytes(weights, op) * (keepable ? 1 : output_blocks);
  bound.write_bytes[static_cast<int>(Operand::Ofmap)] =
      packed_bytes(std::int64_t{conv.batch} * conv.groups * conv.filters * conv.out_h * conv.out_w, op);
  return bound;
}

RsNetworkWidths network_widths(const ArchConfig& arch, const BufferPartition* buffer) {
  const int op = operand_bits(arch.array.data_type), acc = accumulator_bits(arch.array.data_type);
  const auto ports = [&](std::int64_t values) { return static_cast<int>(std::min<std::int64_t>(values, 1 << 30)); };
  RsNetworkWidths widths;
  widths.ifmap.words = arch.noc.left_words;
  widths.filter.words = arch.noc.top_words;
  widths.psum_in.words = widths.out.words = arch.noc.out_words;
  if (buffer != nullptr) {
    widths.ifmap.port_values = ports(buffer->read_values_per_cycle(Operand::Ifmap, op));
    widths.filter.port_values = ports(buffer->read_values_per_cycle(Operand::Filter, op));
    widths.psum_in.port_values = ports(buffer->read_values_per_cycle(Operand::Ofmap, acc));
    widths.out.port_values = ports(buffer->write_values_per_cycle(Operand::Ofmap, acc));
  }
  return widths;
}

template <class Op, class Acc>
class RsArrayStep final : public ArrayStep {
 public:
  RsArrayStep(const ArchConfig& arch, const Layer& step, const RsConv& conv, const RsMapping& mapping,
              std::optional<RsMemoryPlan> memory)
      : arch_(arch), step_(step), conv_(conv), mapping_(mapping) {
    if (memory) {
      buffer_ = memory->buffer;
      tiling_ = memory->tiling;
      memory_ = std::move(memory->tiles);
    }
  }

  Execution& start(const OperandSource& source, const StepMemory& memory) override {
    data_.emplace(step_, source, arch_.array.data_type);
    output_.assign(static_cast<std::size_t>(std::int64_t{conv_.batch} * conv_.out_h * conv_.out_w * conv_.groups *
                                            conv_.filters),
                   Acc{0});
    MemoryController::WriteEncoder encoder;
    const DramCompressionEntry* entry = find_dram_compression(arch_.dram_compression);
    if (memory.dram != nullptr && entry != nullptr && entry->compression != nullptr) {
      const DramCompression& compression = *entry->compression;
      encode_ifmap_tiles(compression);
      encoder = [this, &compression](std::size_t pass) {
        return compression.encoded_bytes(block_outputs(array_->passes()[pass]), operand_bits(arch_.array.data_type));
      };
    }
    array_.emplace(conv_, mapping_, arch_.array.rows, arch_.array.cols, arch_.array.scratchpads,
                   network_widths(arch_, memory.dram != nullptr ? &buffer_ : nullptr), data_->input(),
                   data_->filters(), output_, open_memory(memory, encoder), source.engine, source.probed);
    return *array_;
  }

  void record(Counters& counted, std::vector<StallSpan>& stalls, bool) const override {
    record_dram_traffic(counted);
    const RsTotals& totals = array_->totals();
    counted[Counter::LinkHopsVertical] += totals.link_hops;
    counted[Counter::StallNocCycles] += totals.stall_noc_cycles;
    counted[Counter::StallBufferCycles] += totals.stall_buffer_cycles;
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
      stats.fold_shares.push_back(static_cast<double>(used) / pes);
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
  // The ifmap tiles' DRAM bytes once encoded, from the values each holds
  // in DRAM's order (NHWC: image, row, column, then the group's channels).
  void encode_ifmap_tiles(const DramCompression& compression) {
    const std::vector<RsPass> passes = rs_passes(conv_, mapping_);
    const std::vector<int> columns = rs_input_columns(conv_);
    const std::vector<Op>& input = data_->input();
    const std::int64_t channels = std::int64_t{conv_.groups} * conv_.channels;
    const int bits = operand_bits(arch_.array.data_type);
    for (std::size_t g = 0; g < memory_.folds.size(); ++g)
      for (FoldTransfers::Tile& tile : memory_.folds[g].reads) {
        if (tile.operand != Operand::Ifmap) continue;
        std::vector<std::int64_t> values;
        values.reserve(static_cast<std::size_t>(tile.values));
        if (tiling_.whole.resident[static_cast<int>(Operand::Ifmap)]) {
          for (Op v : input) values.push_back(static_cast<std::int64_t>(v));
        } else {
          const RsPass& p = passes[g];
          const std::vector<int> rows = rs_pass_input_rows(conv_, p);
          for (int group : rs_pass_groups(p))
            for (int image = p.image0; image < p.image0 + p.images; ++image)
              for (int row : rows)
                for (int col : columns)
                  for (int c = p.channel0; c < p.channel0 + p.channels; ++c)
                    values.push_back(static_cast<std::int64_t>(
                        input[static_cast<std::size_t>(((std::int64_t{image} * conv_.in_h + row) * conv_.in_w + col) *
                                                           channels +
                                                       std::int64_t{group} * conv_.channels + c)]));
        }
        tile.dram_bytes = compression.encoded_bytes(values, bits);
      }
  }

  // The outputs of `pass`'s block, as its write-back carries them (NHWC).
  std::vector<std::int64_t> block_outputs(const RsPass& p) const {
    std::vector<std::int64_t> values;
    const std::int64_t filters = std::int64_t{conv_.groups} * conv_.filters;
    for (int image = p.image0; image < p.image0 + p.images; ++image)
      for (int row = p.out_row0; row < p.out_row0 + p.out_rows; ++row)
        for (int col = 0; col < conv_.out_w; ++col)
          for (const RsUnit& unit : p.units)
            for (int f = unit.filter0; f < unit.filter0 + unit.filters; ++f)
              values.push_back(static_cast<std::int64_t>(
                  output_[static_cast<std::size_t>(((std::int64_t{image} * conv_.out_h + row) * conv_.out_w + col) *
                                                       filters +
                                                   std::int64_t{unit.group} * conv_.filters + f)]));
    return values;
  }

  const ArchConfig& arch_;
  Layer step_;
  RsConv conv_;
  RsMapping mapping_;
  RsTiling tiling_;
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
                                     const RsMapping& mapping, std::optional<RsMemoryPlan> memory) {
  using Op = typename Numeric<type>::Operand;
  using Acc = typename Numeric<type>::Accum;
  return std::make_unique<RsArrayStep<Op, Acc>>(arch, step, conv, mapping, std::move(memory));
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

std::vector<RsMapping> legal_rs_mappings(const RsConv& conv, const ArchConfig& arch, bool fewer_replicas) {
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
            RsMapping m{h, e, p, q, n, static_cast<int>(std::min<std::int64_t>(fit, units))};
            if (!rs_mapping_problem(conv, m, rows, cols, pads).empty()) continue;
            if (buffer_problem(conv, m, arch).empty()) {
              legal.push_back(m);
              continue;
            }
            while (fewer_replicas && --m.replicas > 0)
              if (buffer_problem(conv, m, arch).empty()) {
                legal.push_back(m);
                break;
              }
          }
    }
  return legal;
}

RsChoice choose_rs_mapping(const RsConv& conv, const ArchConfig& arch, RsObjective objective,
                           double dram_gb_per_s) {
  RsChoice choice;
  std::vector<RsMapping> legal = legal_rs_mappings(conv, arch);
  // Only where no set fits the buffer as often as the array holds it: the
  // mappings of layers that fit stay as they were.
  if (legal.empty()) legal = legal_rs_mappings(conv, arch, true);
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
  const auto price = [&](const RsEstimate& e) {
    return energy ? energy->price(e.counters).dynamic() : static_cast<double>(e.cycles);
  };
  const bool dram = arch.memory_model == MemoryModel::Dram;
  const DramSpec spec = dram ? resolve_dram(arch.dram, "dram.spec") : DramSpec{};
  const double dram_bytes_per_cycle = dram_gb_per_s * arch.clock_period_ns();
  const auto with_dram = [&](RsEstimate e, const DramTraffic& traffic) {
    add_dram_estimate(traffic, spec, e.counters);
    if (dram_bytes_per_cycle > 0)
      e.cycles = std::max(e.cycles, static_cast<std::int64_t>(
                                        std::ceil(static_cast<double>(traffic.bytes()) / dram_bytes_per_cycle)));
    return e;
  };
  // Each mapping's cost is at least its on-chip estimate with the least DRAM
  // traffic any plan of it could move (dram_lower_bound): once that bound
  // reaches the best total found, no mapping later in ascending bound order
  // can win, so only the mappings before that point need a DRAM tile plan.
  std::vector<RsEstimate> on_chip;
  std::vector<double> bound;
  for (const RsMapping& m : legal) {
    on_chip.push_back(estimate_rs(conv, m, arch));
    bound.push_back(price(dram ? with_dram(on_chip.back(), dram_lower_bound(conv, m, arch)) : on_chip.back()));
  }
  std::vector<std::size_t> order(legal.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return bound[a] < bound[b]; });
  std::string dram_problem;
  double best = std::numeric_limits<double>::infinity();
  for (std::size_t i : order) {
    if (bound[i] >= best) break;
    RsEstimate e = on_chip[i];
    if (dram) {
      const RsMemoryPlan memory = plan_rs_memory(conv, legal[i], arch);
      if (!memory.problem.empty()) {
        if (dram_problem.empty())
          dram_problem = "the DRAM tile plan of mapping " + legal[i].to_string() + ": " + memory.problem;
        continue;
      }
      e = with_dram(e, memory.tiles.totals().dram);
    }
    if (const double cost = price(e); cost < best) {
      best = cost;
      choice.mapping = legal[i];
    }
  }
  if (best == std::numeric_limits<double>::infinity()) choice.problem = dram_problem;
  return choice;
}

std::unique_ptr<ArrayStep> RowStationary::plan(const ArchConfig& arch, const Layer& step,
                                               double dram_gb_per_s) const {
  const std::optional<RsConv> conv = rs_conv(step);
  if (!conv) return std::make_unique<UnmappableStep>("the row-stationary dataflow runs array layers only");
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
    choice = choose_rs_mapping(*conv, arch, arch.rs_mapper == "delay" ? RsObjective::Delay : RsObjective::Energy,
                               dram_gb_per_s);
  }
  if (!choice.problem.empty()) return std::make_unique<UnmappableStep>("row stationary: " + choice.problem);
  std::optional<RsMemoryPlan> memory;
  if (arch.memory_model == MemoryModel::Dram) {
    memory = plan_rs_memory(*conv, choice.mapping, arch);
    if (!memory->problem.empty())
      return std::make_unique<UnmappableStep>("row stationary: the DRAM tile plan of mapping " +
                                              choice.mapping.to_string() + ": " + memory->problem);
  }
  const RsMapping& m = choice.mapping;
  switch (arch.array.data_type) {
    case DataType::Int16: return make_step<DataType::Int16>(arch, step, *conv, m, std::move(memory));
    case DataType::Int8: return make_step<DataType::Int8>(arch, step, *conv, m, std::move(memory));
    case DataType::Int4: return make_step<DataType::Int4>(arch, step, *conv, m, std::move(memory));
    case DataType::Int2: return make_step<DataType::Int2>(arch, step, *conv, m, std::move(memory));
    case DataType::Int1: return make_step<DataType::Int1>(arch, step, *conv, m, std::move(memory));
    case DataType::Fp32: return make_step<DataType::Fp32>(arch, step, *conv, m, std::move(memory));
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

PeTraceLayout RowStationary::traced_pe(const ArrayConfig& array) const {
  const PeScratchpads& pads = array.scratchpads;
  return {{PeRegister::Left, PeRegister::LeftValid, PeRegister::Stationary0, PeRegister::PartialSum,
           PeRegister::Accumulator},
          {{"ifmap_spad", pads.ifmap_entries, false},
           {"filter_spad", pads.filter_entries, false},
           {"psum_spad", pads.psum_entries, true}}};
}

}  // namespace systole
