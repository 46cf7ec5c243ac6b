#include "sim/simulator.hpp"

#include <chrono>

#include <spdlog/spdlog.h>

#include "models/accelerator.hpp"
#include "models/array_controller.hpp"
#include "sim/layer_data.hpp"
#include "sim/mapping.hpp"
#include "sim/progress.hpp"
#include "sim/reference.hpp"

namespace systole {

std::string to_string(Verification verification) {
  switch (verification) {
    case Verification::NotChecked: return "not_checked";
    case Verification::Passed: return "passed";
    case Verification::Failed: return "failed";
  }
  return "?";
}

Simulator::Simulator(ArchConfig arch, RunOptions options)
    : arch_(std::move(arch)), options_(options) {
  Accelerator::instance().array.add_observer(*this);
}

Simulator::~Simulator() {
  SystolicArray& array = Accelerator::instance().array;
  array.stop();
  array.remove_observer(*this);
  for (RunObserver* observer : observers_) array.remove_observer(*observer);
}

void Simulator::add_observer(RunObserver& observer) {
  observers_.push_back(&observer);
  Accelerator::instance().array.add_observer(observer);
}

void Simulator::on_cycle(const CycleActivity& activity, const ArrayExecution&) {
  layer_macs_ += activity.active_pes;
}

RunResult Simulator::run(const Workload& workload) {
  const auto start = std::chrono::steady_clock::now();
  RunResult result;
  switch (arch_.array.data_type) {
    case DataType::Int8:
      run_layers<Numeric<DataType::Int8>::Operand, Numeric<DataType::Int8>::Accum>(workload, result);
      break;
    case DataType::Int16:
      run_layers<Numeric<DataType::Int16>::Operand, Numeric<DataType::Int16>::Accum>(workload, result);
      break;
    case DataType::Fp32:
      run_layers<Numeric<DataType::Fp32>::Operand, Numeric<DataType::Fp32>::Accum>(workload, result);
      break;
  }
  result.wall_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

template <class Op, class Acc>
void Simulator::run_layers(const Workload& workload, RunResult& result) {
  std::int64_t network_macs = 0;
  for (const Layer& layer : workload.layers) network_macs += layer.macs();
  ProgressLine progress(options_.show_progress, network_macs,
                        static_cast<int>(workload.layers.size()));
  for (std::size_t i = 0; i < workload.layers.size(); ++i) {
    const Layer& layer = workload.layers[i];
    spdlog::debug("layer {}/{} '{}'", i + 1, workload.layers.size(), layer.name);
    for (RunObserver* observer : observers_) observer->begin_layer(static_cast<int>(i), result.total_cycles);
    if (!run_layer<Op, Acc>(layer, static_cast<int>(i), result, progress)) {
      result.interrupted = true;
      break;
    }
    progress.update(static_cast<int>(i), layer.name, result.total_macs, result.total_cycles);
  }
  progress.finish();
}

template <class Op, class Acc>
bool Simulator::run_layer(const Layer& layer, int index, RunResult& result,
                          ProgressLine& progress) {
  const Mapping mapping = map_gemm(arch_.array, layer.gemm(), layer.groups());
  // Each layer draws its own data, so a layer's numbers do not depend on
  // which layers ran before it.
  LayerData<Op, Acc> data(layer, options_.seed * 0x9E3779B97F4A7C15ULL + static_cast<std::uint64_t>(index));
  ArrayController<Op, Acc> controller(arch_.array, data.program(mapping));

  SystolicArray& array = Accelerator::instance().array;
  layer_macs_ = 0;
  array.start(controller, options_.pause_interval);
  while (true) {
    sc_core::sc_start();
    if (controller.finished()) break;
    progress.update(index, layer.name, result.total_macs + layer_macs_,
                    result.total_cycles + controller.cycles_elapsed());
    if (options_.interrupt != nullptr && options_.interrupt->load()) {
      array.stop();
      result.total_cycles += controller.cycles_elapsed();
      result.total_macs += layer_macs_;
      return false;
    }
  }

  LayerStats stats;
  stats.name = layer.name;
  stats.kind = layer.kind;
  stats.gemm = layer.gemm();
  stats.groups = layer.groups();
  stats.batch = layer.batch;
  stats.macs = layer_macs_;
  stats.expected_macs = layer.macs();
  stats.first_cycle = result.total_cycles;
  stats.cycles = controller.cycles_elapsed();
  stats.spatial_rows = mapping.spatial_rows;
  stats.spatial_cols = mapping.spatial_cols;
  stats.temporal = mapping.temporal;
  stats.row_folds = mapping.row_folds;
  stats.col_folds = mapping.col_folds;
  stats.folds = static_cast<std::int64_t>(mapping.folds.size());
  stats.mapping_efficiency = mapping.mapping_efficiency;
  stats.utilization = static_cast<double>(stats.macs) /
                      (static_cast<double>(arch_.array.pe_count()) * static_cast<double>(stats.cycles));
  if (options_.verify) {
    const Comparison comparison =
        compare_with_reference<Op, Acc>(layer, data.input(), data.filters(), data.output());
    stats.verification = comparison.mismatches == 0 ? Verification::Passed : Verification::Failed;
    if (comparison.mismatches > 0)
      stats.verification_detail = std::to_string(comparison.mismatches) + " of " +
                                  std::to_string(comparison.compared) +
                                  " outputs differ from the reference; " + comparison.first_mismatch;
  }
  result.total_cycles += stats.cycles;
  result.total_macs += stats.macs;
  result.layers.push_back(std::move(stats));
  return true;
}

}  // namespace systole
