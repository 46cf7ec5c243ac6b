#pragma once
// A dataflow: how a layer's work is mapped onto the array and sequenced
// through it. It decides which operand stays in the PEs and which moves,
// how the layer is cut into pieces that fit the array, which of the array's
// execution modes runs them and at what rates the network and the buffer
// feed them, what each piece moves between DRAM and the buffer, and how the
// cycles it loses are attributed.
//
// The engine (sim/engine/simulator.hpp) knows a dataflow only through this
// interface and finds it by name in the registry (sim/dataflow/registry.hpp),
// so adding one is a new file pair and one registration line. A dataflow
// receives each array step as a layer (sim/workload/lowering.hpp): the GEMM
// dataflows lower it to im2col themselves (sim/dataflow/gemm_dataflow.hpp);
// one that works on convolution rows can keep them.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "models/dram/dram_backend.hpp"
#include "models/execution.hpp"
#include "models/memory/buffer_config.hpp"
#include "models/memory/fold_gate.hpp"
#include "models/memory/global_buffer.hpp"
#include "models/memory/memory_controller.hpp"
#include "models/memory/tile_plan.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/dataflow/demand_trace.hpp"
#include "sim/report/layer_stats.hpp"
#include "sim/workload/layer.hpp"
#include "sim/workload/operand_source.hpp"
#include "sim/workload/reference.hpp"

namespace systole {

enum class LinkPayload { Operand, PartialSum };

// What one PE stores, for the area model: register bits, and bytes of
// scratchpad SRAM.
struct PeStorage {
  std::int64_t register_bits = 0;
  std::int64_t sram_bytes = 0;
};


// The memory system behind the array, as the engine hands it to a step:
// the DRAM (null: ideal memory) and the global buffer, which has begun the
// step with the step's partition; the step's cycle c ends at
// start_fs + (c + 1)·period_fs in the DRAM's time.
struct StepMemory {
  DramBackend* dram = nullptr;
  GlobalBuffer* buffer = nullptr;
  std::int64_t start_fs = 0;
  std::int64_t period_fs = 0;
  int noc_latency = 0;
};

// One array step of a layer as a dataflow runs it. Planned when created
// (what the engine checks before a run); start() builds its operands, the
// memory controller that runs its memory plan and the execution that
// computes them. Each dataflow brings its own execution and memory plan:
// the engine sees only this interface.
class ArrayStep {
 public:
  virtual ~ArrayStep() = default;

  // The buffer partition the step runs with.
  const BufferPartition& buffer() const { return buffer_; }
  // Why the step cannot run with this architecture; empty when it can.
  const std::string& problem() const { return problem_; }

  // Builds the step's operands (drawn as `source` says), the memory behind
  // the array (none with ideal memory) and the execution that runs it.
  virtual Execution& start(const OperandSource& source, const StepMemory& memory) = 0;
  // Adds what only the dataflow knows of the execution, completed or
  // interrupted, to the step's counters: neighbour-link hops, stalls by
  // cause and what its memory moved between DRAM and the buffer; and where
  // the stalls were lost, in the step's cycles, to `stalls`.
  virtual void record(Counters& counted, std::vector<StallSpan>& stalls, bool completed) const = 0;
  // After the step completed: its folds and how it mapped onto the array.
  virtual void record_mapping(LayerStats& stats) const = 0;
  // The outputs the array computed against the reference computation.
  virtual Comparison compare_with_reference() const = 0;
  // After start(): reports the buffer addresses the array's edges read and
  // write in each cycle to `trace`, the step's cycle 0 being the layer's
  // `first_cycle`. False when the dataflow cannot say (no trace then).
  virtual bool trace_demand(DemandTrace& trace, std::int64_t first_cycle) {
    (void)trace;
    (void)first_cycle;
    return false;
  }

 protected:
  // With a DRAM, the memory controller that runs memory_ (the step's tile
  // plan, whatever its pieces are: folds or passes), as the execution's
  // gate; null with ideal memory. `encoder` sizes write-backs compressed
  // (MemoryController::encode_write_backs); null: as they are.
  FoldGate* open_memory(const StepMemory& memory, MemoryController::WriteEncoder encoder = nullptr);
  const MemoryController* memory_controller() const { return memory_controller_.get(); }
  // The bytes the memory controller moved between DRAM and the buffer.
  void record_dram_traffic(Counters& counted) const;

  BufferPartition buffer_;
  TilePlan memory_;  // what moves between DRAM and the buffer (DRAM model only)
  std::string problem_;

 private:
  std::unique_ptr<MemoryController> memory_controller_;
};

class Dataflow {
 public:
  virtual ~Dataflow() = default;

  // Plans `step` (one GEMM-shaped array step of a layer) on `arch`;
  // `dram_gb_per_s` is the DRAM's peak bandwidth over all channels, 0 with
  // ideal memory.
  virtual std::unique_ptr<ArrayStep> plan(const ArchConfig& arch, const Layer& step,
                                          double dram_gb_per_s) const = 0;
  // Why `step` cannot run on `arch` whatever the memory (a mapping that
  // fits nothing), in one line; empty when it can. Checked before a run.
  virtual std::string mapping_problem(const ArchConfig& arch, const Layer& step) const {
    (void)arch;
    (void)step;
    return {};
  }
  // Whether its steps can run without values (OperandSource::timing_only).
  virtual bool runs_timing_only() const { return false; }
  // Whether the NoC's widths and the buffer's size shape its runs with
  // ideal memory too (row stationary's networks and mapper).
  virtual bool models_noc_with_ideal_memory() const { return false; }
  // What the array's vertical neighbour links carry: partial sums (their
  // width is the accumulator's) or operands. Energy prices a hop by it.
  virtual LinkPayload vertical_link_payload() const = 0;
  // What each PE of `array` stores, partial sums `psum_bits` wide.
  virtual PeStorage pe_storage(const ArrayConfig& array, int psum_bits) const = 0;
  // What a trace shows of one PE: the registers that hold this dataflow's
  // values, and its scratchpads.
  virtual PeTraceLayout traced_pe(const ArrayConfig& array) const = 0;
};

}  // namespace systole
