#pragma once
// The run loop: for each layer of a workload, lower it to steps
// (sim/workload/lowering.hpp); run each GEMM step on the array (map it, build its data
// and program, clock the SystemC model until its last result has left the
// array, check the results against the reference when asked) and each vector
// step on the vector unit; collect the layer's statistics.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "models/accelerator.hpp"
#include "models/clocked_unit.hpp"
#include "models/dram/dram_backend.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/dataflow/dataflow.hpp"
#include "sim/engine/run_observer.hpp"
#include "sim/report/layer_stats.hpp"
#include "sim/report/progress.hpp"
#include "sim/workload/lowering.hpp"
#include "sim/workload/workload.hpp"

namespace systole {

struct RunOptions {
  std::uint64_t seed = 1;
  OperandSparsity sparsity;
  bool verify = false;
  bool show_progress = false;
  // Cycles, and wall-clock time, between returns to the run loop (progress,
  // Ctrl-C), whichever comes first.
  std::int64_t pause_interval = 1 << 16;
  std::chrono::milliseconds pause_after{100};
  // Sleep through cycles in which the array only waits on memory (they are
  // still counted one by one); off, every cycle is stepped in full.
  bool skip_ahead = true;
  const std::atomic<bool>* interrupt = nullptr;
  // The values every step computes on, when given (OperandValues,
  // sim/dataflow/dataflow.hpp: tests); else random, drawn from `seed`.
  OperandValues operand_values;
  // Off: every array step runs timing-only, without operand values
  // (OperandSource::timing_only). On, a step whose values would take more
  // than `compute_limit_bytes` runs timing-only too, with a warning.
  bool compute = true;
  std::int64_t compute_limit_bytes = std::int64_t{1} << 30;
  // How the array evaluates computing steps (models/array/pe_engine.hpp),
  // and the run's cycles whose PE registers are probed (a VCD's PE window).
  PeEngine engine = PeEngine::Fold;
  ProbedCycles probed;
};

// Checks, before anything runs, that the memory model can run every layer:
// empty when it can, else a one-line reason (a tile that does not fit).
std::string memory_problem(const ArchConfig& arch, const Workload& workload);

// A layer's statistics before any of its steps has run.
LayerStats start_layer_stats(const Layer& layer, std::int64_t first_cycle);
// Completes a layer's statistics once its steps have run (`completed`:
// all of them): the ratios its counters give, and the check that every MAC
// of the layer met valid operands in exactly one PE.
void finish_layer_stats(const ArchConfig& arch, LayerStats& stats, bool completed);

class Simulator : private CycleObserver {
 public:
  // Drives `accelerator` (built once per process, models/accelerator.hpp).
  Simulator(Accelerator& accelerator, ArchConfig arch, RunOptions options);
  ~Simulator() override;
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  void add_observer(RunObserver& observer);
  void remove_observer(RunObserver& observer);
  // Records every array step's buffer demands in `trace` (null: none).
  void set_demand_trace(DemandTrace* trace) { demand_trace_ = trace; }
  RunResult run(const Workload& workload);
  // Runs steps [begin, end) of layer `index` (`steps`: its lowering), as if
  // the run had reached `first_cycle` when they start, adding what they do to
  // `stats`; false when interrupted. A layer can run in parts, each in a
  // process of its own (sim/engine/layer_pool.hpp): each step draws its own
  // operands, so its numbers do not depend on which steps ran before it.
  bool run_steps(const Workload& workload, std::size_t index, const std::vector<Step>& steps, std::size_t begin,
                 std::size_t end, std::int64_t first_cycle, LayerStats& stats);
  // Quiet cycles slept through so far (RunResult::slept_cycles).
  std::int64_t slept_cycles() const { return slept_cycles_; }
  // The run's DRAM (null with ideal memory), for observers that read its
  // statistics.
  DramBackend* dram_backend() const { return dram_.get(); }

 private:
  void run_layers(const Workload& workload, RunResult& result);
  bool run_layer(const Workload& workload, std::size_t index, std::int64_t first_cycle, LayerStats& stats);
  bool run_array_step(const Layer& gemm, std::uint64_t seed, LayerStats& stats);
  // Whether `gemm` runs without operand values, and the warning when only
  // its size makes it.
  bool runs_timing_only(const Layer& gemm);
  // Begins the buffer's step and says what memory stands behind the array.
  StepMemory begin_memory(const ArrayStep& step) const;
  bool run_vector_step(const VectorOp& op, LayerStats& stats);
  // The DRAM's statistics after advancing it to now (it runs on while the
  // array is busy or the vector unit works); empty with ideal memory.
  DramChannelStats dram_stats_now();
  // Adds the DRAM's commands and standby cycles since `before` to `counted`.
  void count_dram(const DramChannelStats& before, Counters& counted);
  // Clocks `unit` until `execution` finishes; false when interrupted.
  bool run_to_completion(ClockedUnit& unit, Execution& execution, LayerStats& stats);
  sc_core::sc_time clock_period() const;
  void on_cycle(const CycleActivity& activity, const Execution&) override { count(activity, 1); }
  void on_cycles(const CycleActivity& activity, std::int64_t cycles, const Execution&) override {
    count(activity, cycles);
  }
  void on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                   const Execution&) override;
  std::int64_t max_run() const override { return std::numeric_limits<std::int64_t>::max(); }
  bool reads_each_alike_cycle() const override { return false; }  // on_sequence reads the totals
  // `cycles` cycles that each did `activity`, added to step_activity_.
  void count(const CycleActivity& activity, std::int64_t cycles);
  // Adds what the step's cycles did (step_activity_) to its counters.
  void count_step_activity(Counters& counted) const;

  Accelerator& accelerator_;
  ArchConfig arch_;
  const Dataflow& dataflow_;
  RunOptions options_;
  std::unique_ptr<DramBackend> dram_;  // with the DRAM memory model
  std::vector<RunObserver*> observers_;
  DemandTrace* demand_trace_ = nullptr;
  bool untraced_warned_ = false;  // a step whose dataflow cannot report its demands
  // What the running step's cycles did, summed (CycleActivity).
  struct StepActivity {
    std::int64_t macs = 0;
    std::int64_t gated_macs = 0;
    std::int64_t vector_operations = 0;
    std::int64_t register_reads[kRegisterFiles] = {0, 0, 0};
    std::int64_t register_writes[kRegisterFiles] = {0, 0, 0};
  };
  StepActivity step_activity_;
  std::int64_t slept_cycles_ = 0;
  // Progress of the run: where the current layer started and what it is.
  ProgressLine* progress_ = nullptr;
  int layer_index_ = 0;
  std::string layer_name_;
  std::int64_t run_cycles_before_layer_ = 0;
  std::int64_t run_macs_before_layer_ = 0;
};

}  // namespace systole
