#include "sim/dataflow/gemm_dataflow.hpp"

#include <algorithm>
#include <optional>
#include <stdexcept>
#include <type_traits>

#include "models/array/array_controller.hpp"
#include "models/memory/memory_controller.hpp"
#include "sim/dataflow/fold_stalls.hpp"
#include "sim/dataflow/gemm_step_plan.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/dataflow/scalesim_addresses.hpp"

namespace systole {

namespace {

// Turns the array's edge entries (models/array/edge_trace.hpp) into the
// SCALE-Sim addresses of the layer's operands, one line per operand and
// cycle: the left edge's R rows, the top edge's (or stationary rows') C
// columns, the C columns results leave through.
class DemandTranslator final : public EdgeTraceSink {
 public:
  DemandTranslator(DemandTrace& trace, std::int64_t first_cycle, const Layer& step, OperandRoles roles,
                   const ArchConfig& arch)
      : trace_(trace), first_cycle_(first_cycle), addresses_(step, arch.scalesim_offsets), roles_(roles),
        left_(static_cast<std::size_t>(arch.array.rows)), top_(static_cast<std::size_t>(arch.array.cols)),
        out_(static_cast<std::size_t>(arch.array.cols)) {}

  void edge_cycle(const EdgeCycle& edges) override {
    // With the filters at the left edge (IS) the GEMM is transposed: L is
    // N×K, Rt is K×M and O is N×M.
    const bool transposed = roles_.left == Operand::Filter;
    emit(roles_.left, edges.cycle, edges.left, left_, [&](const EdgeEntry& e) {
      return transposed ? addresses_.filter(e.gemm, e.col, e.row) : addresses_.ifmap(e.gemm, e.row, e.col);
    });
    emit(roles_.top, edges.cycle, edges.top, top_, [&](const EdgeEntry& e) {
      return transposed ? addresses_.ifmap(e.gemm, e.col, e.row) : addresses_.filter(e.gemm, e.row, e.col);
    });
    emit(Operand::Ofmap, edges.cycle, edges.out, out_, [&](const EdgeEntry& e) {
      return transposed ? addresses_.ofmap(e.gemm, e.col, e.row) : addresses_.ofmap(e.gemm, e.row, e.col);
    });
  }

 private:
  template <class Address>
  void emit(Operand operand, std::int64_t cycle, const std::vector<EdgeEntry>& entries,
            std::vector<std::int64_t>& lanes, Address address) {
    if (entries.empty()) return;
    std::fill(lanes.begin(), lanes.end(), -1);
    for (const EdgeEntry& e : entries) lanes[static_cast<std::size_t>(e.lane)] = address(e);
    trace_.sram(operand, first_cycle_ + cycle, lanes);
  }

  DemandTrace& trace_;
  std::int64_t first_cycle_;
  ScaleSimAddresses addresses_;
  OperandRoles roles_;
  std::vector<std::int64_t> left_, top_, out_;
};

// One GEMM step: its plan, its lowered operands and the array controller
// that runs its folds.
template <class Op, class Acc>
class GemmArrayStep final : public ArrayStep {
 public:
  GemmArrayStep(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& step, GemmStepPlan plan)
      : dataflow_(dataflow), arch_(arch), step_(step), mapping_(std::move(plan.mapping)),
        limits_(std::move(plan.limits)) {
    buffer_ = plan.buffer;
    memory_ = std::move(plan.memory);
    problem_ = std::move(plan.problem);
  }

  Execution& start(const OperandSource& source, const StepMemory& memory) override {
    ArrayProgram<Op, Acc> program;
    if (source.timing_only) {
      program = program_without_values<Op, Acc>(mapping_, dataflow_.roles());
    } else {
      data_.emplace(step_, source, arch_.array.data_type);
      program = data_->program(mapping_, dataflow_.roles());
    }
    controller_.emplace(arch_.array, std::move(program), open_memory(memory), source.engine,
                        source.probed);
    return *controller_;
  }


  void record(Counters& counted, std::vector<StallSpan>& stalls, bool completed) const override;
  void record_mapping(LayerStats& stats) const override;

  bool trace_demand(DemandTrace& trace, std::int64_t first_cycle) override {
    translator_.emplace(trace, first_cycle, step_, dataflow_.roles(), arch_);
    controller_->set_edge_trace(&*translator_);
    return true;
  }

  Comparison compare_with_reference() const override {
    if constexpr (std::is_same_v<Op, Numeric<DataType::Int1>::Operand> &&
                  std::is_same_v<Acc, Numeric<DataType::Int1>::Accum>)
      if (arch_.array.data_type == DataType::Int1)
        return compare_with_binary_reference(step_, data_->input(), data_->filters(), data_->output());
    return systole::compare_with_reference<Op, Acc>(step_, data_->input(), data_->filters(), data_->output());
  }

 private:
  const GemmDataflow& dataflow_;
  const ArchConfig& arch_;
  Layer step_;
  Mapping mapping_;
  std::vector<FoldRateLimits> limits_;  // per fold; DRAM model only
  std::optional<LayerData<Op, Acc>> data_;
  std::optional<ArrayController<Op, Acc>> controller_;
  std::optional<DemandTranslator> translator_;
};

template <class Op, class Acc>
void GemmArrayStep<Op, Acc>::record(Counters& counted, std::vector<StallSpan>& stall_spans, bool completed) const {
  record_dram_traffic(counted);
  const MemoryController* memory = memory_controller();
  const ArrayController<Op, Acc>& controller = *controller_;
  if (controller.first_mac_count_mismatch() >= 0)
    throw std::logic_error("step '" + step_.name + "': in cycle " +
                           std::to_string(controller.first_mac_count_mismatch()) +
                           " the PEs performed a number of MACs other than the fold schedule's");
  const auto& timings = controller.fold_timings();
  for (std::size_t g = 0; g < timings.size(); ++g) dataflow_.add_link_hops(counted, mapping_.folds[g], arch_.array.rows);
  StepEnd end;
  const bool ended = memory != nullptr && completed && !mapping_.folds.empty();
  if (ended)
    end = {controller.cycles_elapsed(), controller.padded_length(), controller.last_result_cycle(),
           memory->last_dram_write_cycle(), arch_.noc.latency};
  const StallCycles stalls =
      fold_stalls(mapping_.folds, timings, controller.memory_waits(), limits_, controller.drain_tail(),
                  controller.last_result_cycle(), completed, ended ? &end : nullptr);
  counted[Counter::StallDramCycles] += stalls.dram;
  counted[Counter::StallNocCycles] += stalls.noc;
  counted[Counter::StallBufferCycles] += stalls.buffer;
  stall_spans.insert(stall_spans.end(), stalls.spans.begin(), stalls.spans.end());
}

template <class Op, class Acc>
void GemmArrayStep<Op, Acc>::record_mapping(LayerStats& stats) const {
  if (stats.groups > 0) {  // the layer is this one GEMM
    stats.row_folds = mapping_.row_folds;
    stats.col_folds = mapping_.col_folds;
  }
  stats[Counter::Folds] += static_cast<std::int64_t>(mapping_.folds.size());
  // Every chunk of the stream runs every fold of the unchunked mapping, for
  // each group (the folds' GEMMs are numbered from 0).
  if (!mapping_.folds.empty()) {
    const std::int64_t groups = mapping_.folds.back().gemm + 1;
    const std::int64_t unchunked = groups * mapping_.row_folds * mapping_.col_folds;
    stats[Counter::StreamChunks] += static_cast<std::int64_t>(mapping_.folds.size()) / unchunked;
    stats[Counter::StationaryReloads] += static_cast<std::int64_t>(mapping_.folds.size()) - unchunked;
  }
  stats.fold_shares.push_back(mapping_.mapping_efficiency * static_cast<double>(mapping_.folds.size()));
}

template <DataType type>
std::unique_ptr<ArrayStep> make_step(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& step,
                                     GemmStepPlan plan) {
  using Op = typename Numeric<type>::Operand;
  using Acc = typename Numeric<type>::Accum;
  return std::make_unique<GemmArrayStep<Op, Acc>>(dataflow, arch, step, std::move(plan));
}

}  // namespace

std::unique_ptr<ArrayStep> GemmDataflow::plan(const ArchConfig& arch, const Layer& step,
                                              double dram_gb_per_s) const {
  GemmStepPlan plan = plan_gemm_step(*this, arch, step, dram_gb_per_s);
  switch (arch.array.data_type) {
    case DataType::Int16: return make_step<DataType::Int16>(*this, arch, step, std::move(plan));
    case DataType::Int8: return make_step<DataType::Int8>(*this, arch, step, std::move(plan));
    case DataType::Int4: return make_step<DataType::Int4>(*this, arch, step, std::move(plan));
    case DataType::Int2: return make_step<DataType::Int2>(*this, arch, step, std::move(plan));
    case DataType::Int1: return make_step<DataType::Int1>(*this, arch, step, std::move(plan));
    case DataType::Fp32: return make_step<DataType::Fp32>(*this, arch, step, std::move(plan));
  }
  return nullptr;
}

Mapping GemmDataflow::map(const ArrayConfig& array, const GemmShape& gemm, std::int64_t groups,
                          std::int64_t max_stream) const {
  Mapping mapping;
  mapping.mode = mode();
  const GemmExtent e = extent(gemm);
  mapping.spatial_rows = e.rows;
  mapping.spatial_cols = e.cols;
  mapping.temporal = e.stream;
  const std::int64_t rows = array.rows;
  const std::int64_t cols = array.cols;
  mapping.row_folds = (mapping.spatial_rows + rows - 1) / rows;
  mapping.col_folds = (mapping.spatial_cols + cols - 1) / cols;
  mapping.folds.reserve(static_cast<std::size_t>(groups * mapping.row_folds * mapping.col_folds));
  double occupancy_sum = 0;
  const std::int64_t chunk = max_stream > 0 ? std::min(max_stream, mapping.temporal) : mapping.temporal;
  for (std::int64_t g = 0; g < groups; ++g) {
    for (std::int64_t t0 = 0; t0 < mapping.temporal; t0 += chunk) {
      for (std::int64_t fc = 0; fc < mapping.col_folds; ++fc) {
        for (std::int64_t fr = 0; fr < mapping.row_folds; ++fr) {
          Fold fold;
          fold.gemm = static_cast<int>(g);
          fold.stream_offset = t0;
          fold.stream_length = std::min(chunk, mapping.temporal - t0);
          fold.row_offset = fr * rows;
          fold.rows_used = static_cast<int>(std::min(rows, mapping.spatial_rows - fold.row_offset));
          fold.col_offset = fc * cols;
          fold.cols_used = static_cast<int>(std::min(cols, mapping.spatial_cols - fold.col_offset));
          occupancy_sum += static_cast<double>(fold.rows_used) * fold.cols_used / (rows * cols);
          mapping.folds.push_back(fold);
        }
      }
    }
  }
  if (!mapping.folds.empty()) mapping.mapping_efficiency = occupancy_sum / mapping.folds.size();
  return mapping;
}

}  // namespace systole
