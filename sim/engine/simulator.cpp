#include "sim/engine/simulator.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <spdlog/spdlog.h>

#include "models/dram/dram_system.hpp"
#include "models/vector_unit.hpp"
#include "sim/config/memspec.hpp"
#include "sim/dataflow/layer_data.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/report/dram_counters.hpp"

namespace systole {

std::string to_string(Verification verification) {
  switch (verification) {
    case Verification::NotChecked: return "not_checked";
    case Verification::Passed: return "passed";
    case Verification::Failed: return "failed";
    case Verification::Interrupted: return "interrupted";
    case Verification::TimingOnly: return "timing_only";
  }
  return "?";
}

namespace {

const Dataflow& dataflow_of(const ArchConfig& arch) {
  const Dataflow* dataflow = find_dataflow(arch.dataflow);
  if (dataflow == nullptr)
    throw std::invalid_argument("unknown dataflow '" + arch.dataflow + "' (expected " + dataflow_names() + ")");
  return *dataflow;
}

// The DRAM behind the array: Systole's own model of the configured part.
std::unique_ptr<DramBackend> make_dram_backend(const ArchConfig& arch) {
  return std::make_unique<DramSystem>(resolve_dram(arch.dram, "dram.spec"), arch.dram_channels);
}

}  // namespace

std::string memory_problem(const ArchConfig& arch, const Workload& workload) {
  const Dataflow& dataflow = dataflow_of(arch);
  const bool dram = arch.memory_model == MemoryModel::Dram;
  const double dram_gb_per_s = dram ? make_dram_backend(arch)->peak_gb_per_s() : 0;
  for (const Layer& layer : workload.layers)
    for (const Step& step : lower(layer)) {
      const auto* gemm = std::get_if<Layer>(&step.work);
      if (gemm == nullptr) continue;
      if (const std::string problem = dataflow.mapping_problem(arch, *gemm); !problem.empty())
        return "layer '" + layer.name + "': " + problem;
      if (!dram) continue;
      if (const std::string problem = dataflow.plan(arch, *gemm, dram_gb_per_s)->problem(); !problem.empty())
        return "layer '" + layer.name + "': " + problem;
    }
  return {};
}

Simulator::Simulator(Accelerator& accelerator, ArchConfig arch, RunOptions options)
    : accelerator_(accelerator), arch_(std::move(arch)), dataflow_(dataflow_of(arch_)),
      options_(options) {
  if (arch_.memory_model == MemoryModel::Dram) {
    dram_ = make_dram_backend(arch_);
    accelerator_.dram.attach(*dram_);
  }
  accelerator_.array.add_observer(*this);
  accelerator_.vector_unit.add_observer(*this);
}

Simulator::~Simulator() {
  if (dram_) accelerator_.dram.detach(*dram_);
  for (ClockedUnit* unit : {static_cast<ClockedUnit*>(&accelerator_.array),
                            static_cast<ClockedUnit*>(&accelerator_.vector_unit)}) {
    unit->stop();
    unit->remove_observer(*this);
    for (RunObserver* observer : observers_) unit->remove_observer(*observer);
  }
}

void Simulator::add_observer(RunObserver& observer) {
  observers_.push_back(&observer);
  accelerator_.array.add_observer(observer);
  accelerator_.vector_unit.add_observer(observer);
}

void Simulator::remove_observer(RunObserver& observer) {
  observers_.erase(std::remove(observers_.begin(), observers_.end(), &observer), observers_.end());
  accelerator_.array.remove_observer(observer);
  accelerator_.vector_unit.remove_observer(observer);
}

void Simulator::on_sequence(const CycleActivity*, std::int64_t, const CycleTotals& totals, const Execution&) {
  step_activity_.macs += static_cast<std::int64_t>(totals.active_pes);
  step_activity_.gated_macs += static_cast<std::int64_t>(totals.gated_macs);
  step_activity_.vector_operations += static_cast<std::int64_t>(totals.vector_operations);
  for (int f = 0; f < kRegisterFiles; ++f) {
    step_activity_.register_reads[f] += static_cast<std::int64_t>(totals.register_reads[f]);
    step_activity_.register_writes[f] += static_cast<std::int64_t>(totals.register_writes[f]);
  }
}

void Simulator::count(const CycleActivity& activity, std::int64_t cycles) {
  step_activity_.macs += cycles * activity.active_pes;
  step_activity_.gated_macs += cycles * activity.gated_macs;
  step_activity_.vector_operations += cycles * activity.vector_operations;
  for (int f = 0; f < kRegisterFiles; ++f) {
    step_activity_.register_reads[f] += cycles * activity.register_reads[f];
    step_activity_.register_writes[f] += cycles * activity.register_writes[f];
  }
}

void Simulator::count_step_activity(Counters& counted) const {
  counted[Counter::Macs] += step_activity_.macs;
  counted[Counter::MacsGated] += step_activity_.gated_macs;
  counted[Counter::VectorOperations] += step_activity_.vector_operations;
  for (int f = 0; f < kRegisterFiles; ++f) {
    counted[register_reads(static_cast<RegisterFile>(f))] += step_activity_.register_reads[f];
    counted[register_writes(static_cast<RegisterFile>(f))] += step_activity_.register_writes[f];
  }
}

RunResult Simulator::run(const Workload& workload) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  result.batch = workload.layers.empty() ? 1 : workload.layers.front().batch;
  run_layers(workload, result);
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.slept_cycles = slept_cycles_;
  if (dram_) {
    result.dram = true;
    result.dram_stats = dram_->stats();
    result.dram_tck_ns = dram_->tck_ns();
    result.dram_peak_gb_per_s = dram_->peak_gb_per_s();
  }
  return result;
}

void Simulator::run_layers(const Workload& workload, RunResult& result) {
  ProgressLine progress(options_.show_progress, workload.macs(), static_cast<int>(workload.layers.size()));
  progress_ = &progress;
  run_macs_before_layer_ = 0;
  for (std::size_t i = 0; i < workload.layers.size(); ++i) {
    LayerStats stats;
    const bool completed = run_layer(workload, i, result.total_cycles, stats);
    result.total_cycles += stats[Counter::Cycles];
    result.total_macs += stats[Counter::Macs];
    run_macs_before_layer_ = result.total_macs;
    result.layers.push_back(std::move(stats));
    if (!completed) {
      result.interrupted = true;
      break;
    }
    progress.update(static_cast<int>(i), workload.layers[i].name, result.total_macs, result.total_cycles);
  }
  progress.finish();
  progress_ = nullptr;
}

LayerStats start_layer_stats(const Layer& layer, std::int64_t first_cycle) {
  LayerStats stats;
  stats.name = layer.name;
  stats.kind = layer.kind;
  stats.batch = layer.batch;
  stats.expected_macs = layer.macs();
  stats.first_cycle = first_cycle;
  if (layer.runs_on_array()) {
    stats.gemm = layer.gemm();
    stats.groups = layer.groups();
  }
  return stats;
}

void finish_layer_stats(const ArchConfig& arch, LayerStats& stats, bool completed) {
  const std::int64_t macs = stats[Counter::Macs], cycles = stats[Counter::Cycles], folds = stats[Counter::Folds];
  if (completed && macs != stats.expected_macs)
    throw std::logic_error("layer '" + stats.name + "': the array performed " + std::to_string(macs) +
                           " MACs, the layer has " + std::to_string(stats.expected_macs));
  double occupancy = 0;
  for (double share : stats.fold_shares) occupancy += share;
  stats.fold_shares = {};
  if (folds > 0) stats.mapping_efficiency = occupancy / folds;
  stats.utilization = cycles == 0 ? 0
                      : static_cast<double>(macs) /
                            (static_cast<double>(arch.array.pe_count()) * static_cast<double>(cycles));
  if (!completed) stats.verification = Verification::Interrupted;
}

bool Simulator::run_layer(const Workload& workload, std::size_t index, std::int64_t first_cycle, LayerStats& stats) {
  const Layer& layer = workload.layers[index];
  stats = start_layer_stats(layer, first_cycle);
  const std::vector<Step> steps = lower(layer);
  stats.steps = static_cast<std::int64_t>(steps.size());
  if (demand_trace_ != nullptr) demand_trace_->begin_layer(static_cast<int>(index), layer);
  const bool completed = run_steps(workload, index, steps, 0, steps.size(), first_cycle, stats);
  if (demand_trace_ != nullptr) demand_trace_->end_layer();
  finish_layer_stats(arch_, stats, completed);
  return completed;
}

bool Simulator::run_steps(const Workload& workload, std::size_t index, const std::vector<Step>& steps,
                          std::size_t begin, std::size_t end, std::int64_t first_cycle, LayerStats& stats) {
  const Layer& layer = workload.layers[index];
  spdlog::debug("layer {}/{} '{}', steps {}-{} of {}", index + 1, workload.layers.size(), layer.name, begin + 1, end,
                steps.size());
  layer_index_ = static_cast<int>(index);
  layer_name_ = layer.name;
  run_cycles_before_layer_ = stats.first_cycle;
  bool completed = true;
  for (std::size_t s = begin; s < end && completed; ++s) {
    const std::uint64_t seed = options_.seed * 0x9E3779B97F4A7C15ULL + (index << 20) + s;
    for (RunObserver* observer : observers_)
      observer->begin_step(static_cast<int>(index), first_cycle + stats[Counter::Cycles]);
    if (const auto* op = std::get_if<VectorOp>(&steps[s].work))
      completed = run_vector_step(*op, stats);
    else
      completed = run_array_step(std::get<Layer>(steps[s].work), seed, stats);
  }
  return completed;
}

sc_core::sc_time Simulator::clock_period() const {
  return sc_core::sc_time::from_value(arch_.clock_period_fs());
}

bool Simulator::run_to_completion(ClockedUnit& unit, Execution& execution, LayerStats& stats) {
  MemoryWakeup* memory = dram_ && options_.skip_ahead ? &accelerator_.dram : nullptr;
  unit.start(execution, clock_period(), options_.pause_interval, options_.pause_after, memory);
  while (true) {
    sc_core::sc_start();
    if (execution.finished()) return true;
    if (progress_ != nullptr)
      progress_->update(layer_index_, layer_name_,
                        run_macs_before_layer_ + stats[Counter::Macs] + step_activity_.macs,
                        run_cycles_before_layer_ + stats[Counter::Cycles] + execution.cycles_elapsed());
    if (options_.interrupt != nullptr && options_.interrupt->load()) {
      unit.stop();
      return false;
    }
    unit.resume();
  }
}

StepMemory Simulator::begin_memory(const ArrayStep& step) const {
  // Tiles and outputs move as operands, partial sums as accumulators.
  accelerator_.global_buffer.begin_step(step.buffer(), operand_bits(arch_.array.data_type),
                                       accumulator_bits(arch_.array.data_type));
  StepMemory memory;
  memory.buffer = &accelerator_.global_buffer;
  if (!dram_) return memory;
  memory.dram = dram_.get();
  memory.start_fs = accelerator_.dram.time_fs();
  memory.period_fs = static_cast<std::int64_t>(clock_period().value());
  memory.noc_latency = arch_.noc.latency;
  return memory;
}

DramChannelStats Simulator::dram_stats_now() {
  if (!dram_) return {};
  dram_->advance_to(accelerator_.dram.time_fs());
  return dram_->stats();
}

void Simulator::count_dram(const DramChannelStats& before, Counters& counted) {
  if (!dram_) return;
  add_dram_commands(counted, before, dram_stats_now());
}

bool Simulator::run_vector_step(const VectorOp& op, LayerStats& stats) {
  // The DRAM idles meanwhile, refreshing and in standby: the layer's too.
  const DramChannelStats dram_before = dram_stats_now();
  VectorExecution execution(arch_.vector, op.operations);
  step_activity_ = {};
  const bool completed = run_to_completion(accelerator_.vector_unit, execution, stats);
  Counters counted;
  counted[Counter::Cycles] = execution.cycles_elapsed();
  counted[Counter::VectorCycles] = execution.cycles_elapsed();
  count_step_activity(counted);
  // The array idles while the vector unit works.
  counted[Counter::IdlePeCycles] = arch_.array.pe_count() * execution.cycles_elapsed();
  count_dram(dram_before, counted);
  stats.counters += counted;
  return completed;
}

bool Simulator::runs_timing_only(const Layer& gemm) {
  if (!options_.compute) return true;
  const std::int64_t bytes = functional_bytes(gemm, arch_.array.data_type);
  if (bytes <= options_.compute_limit_bytes) return false;
  if (!dataflow_.runs_timing_only())
    throw std::invalid_argument("step '" + gemm.name + "' needs " + std::to_string(bytes >> 20) +
                                " MiB of operand values, more than the compute limit, and the " + arch_.dataflow +
                                " dataflow cannot run timing-only");
  spdlog::warn("step '{}' needs {} MiB of operand values, more than the compute limit ({} MiB): it runs "
               "timing-only (no outputs, no zero gating)",
               gemm.name, bytes >> 20, options_.compute_limit_bytes >> 20);
  return true;
}

bool Simulator::run_array_step(const Layer& gemm, std::uint64_t seed, LayerStats& stats) {
  const std::unique_ptr<ArrayStep> step = dataflow_.plan(arch_, gemm, dram_ ? dram_->peak_gb_per_s() : 0);
  const DramChannelStats dram_before = dram_stats_now();
  OperandSource source;
  source.seed = seed;
  source.sparsity = options_.sparsity;
  source.values = options_.operand_values;
  if (gemm.ifmap_sparsity >= 0) source.sparsity.ifmap = gemm.ifmap_sparsity;
  source.timing_only = runs_timing_only(gemm);
  source.engine = options_.engine;
  source.probed = options_.probed.from(run_cycles_before_layer_ + stats[Counter::Cycles]);
  const StepMemory memory = begin_memory(*step);
  Execution& execution = step->start(source, memory);
  if (demand_trace_ != nullptr) demand_trace_->begin_step(stats[Counter::Cycles], memory.start_fs);
  if (demand_trace_ != nullptr && !step->trace_demand(*demand_trace_, stats[Counter::Cycles]) &&
      !std::exchange(untraced_warned_, true))
    spdlog::warn("the {} dataflow does not report its buffer demands: its steps have no demand traces",
                 arch_.dataflow);
  step_activity_ = {};
  Noc& noc = accelerator_.noc;
  noc.begin_step();
  const std::int64_t slept_before = accelerator_.array.slept_cycles();
  const bool completed = run_to_completion(accelerator_.array, execution, stats);
  slept_cycles_ += accelerator_.array.slept_cycles() - slept_before;
  Counters counted;
  counted[Counter::Cycles] = execution.cycles_elapsed();
  count_step_activity(counted);
  counted[Counter::IdlePeCycles] = arch_.array.pe_count() * counted[Counter::Cycles] - counted[Counter::Macs];
  const NocTraffic& traffic = noc.traffic();
  for (int n = 0; n < kNetworks; ++n) {
    counted[per_network(Counter::NocLeftWords, static_cast<Network>(n))] = traffic.words[n];
    counted[per_network(Counter::NocLeftBusyCycles, static_cast<Network>(n))] = traffic.busy_cycles[n];
  }
  counted[Counter::NocDeliveries] = traffic.pe_deliveries;
  // The array reads and writes the buffer with ideal memory too.
  const GlobalBufferTraffic& buffer = accelerator_.global_buffer.traffic();
  for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap}) {
    const int i = static_cast<int>(o);
    counted[per_operand(Counter::BufferIfmapReads, o)] = buffer.reads[i];
    counted[per_operand(Counter::BufferIfmapWrites, o)] = buffer.writes[i];
    counted[per_operand(Counter::BufferIfmapReadAccesses, o)] = buffer.read_accesses[i];
    counted[per_operand(Counter::BufferIfmapWriteAccesses, o)] = buffer.write_accesses[i];
  }
  if (dram_) {
    for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap}) {
      const int i = static_cast<int>(o);
      counted[per_operand(Counter::BufferIfmapPeakBytes, o)] = accelerator_.global_buffer.peak_bytes()[i];
      counted[per_operand(Counter::BufferIfmapCapacityBytes, o)] = step->buffer().bytes[i];
    }
  }
  count_dram(dram_before, counted);
  std::vector<StallSpan> stalls;
  step->record(counted, stalls, completed);
  const std::int64_t step_first_cycle = stats.first_cycle + stats[Counter::Cycles];
  for (StallSpan& stall : stalls) stall.first_cycle += step_first_cycle;
  stats.stall_spans.insert(stats.stall_spans.end(), stalls.begin(), stalls.end());
  stats.counters += counted;
  if (completed) step->record_mapping(stats);
  if (!completed) return false;
  if (source.timing_only) {
    if (stats.verification != Verification::Failed) stats.verification = Verification::TimingOnly;
    return true;
  }
  if (options_.verify &&
      (stats.verification == Verification::NotChecked || stats.verification == Verification::Passed)) {
    const Comparison comparison = step->compare_with_reference();
    stats.verification = comparison.mismatches == 0 ? Verification::Passed : Verification::Failed;
    if (comparison.mismatches > 0)
      stats.verification_detail = "step '" + gemm.name + "': " + std::to_string(comparison.mismatches) +
                                  " of " + std::to_string(comparison.compared) +
                                  " outputs differ from the reference; " + comparison.first_mismatch;
  }
  return true;
}

}  // namespace systole
