#pragma once
// The dataflows that lower a layer to GEMMs and fold them onto the array, as
// SCALE-Sim does: each decides which GEMM dimension spans the array rows
// (Sr), which spans the columns (Sc), and which is streamed in time (T), and
// the folds cut Sr×Sc into array-sized pieces, column fold outer and row
// fold inner, one group after another. The layer's operands are lowered by
// im2col (sim/dataflow/layer_data.hpp).
//
// When the memory system limits how much of the stream a fold may take
// (max_stream > 0), the stream is cut into chunks of at most max_stream
// elements, the outermost loop: each chunk runs every fold. In OS the stream
// is the reduction, so every chunk after the first adds to partial sums.
//
//   WS: Sr = K, Sc = N, T = M   (weights stay in the PEs)
//   IS: Sr = K, Sc = M, T = N   (inputs stay in the PEs)
//   OS: Sr = M, Sc = N, T = K   (outputs stay in the PEs)
//
// What differs between them is declared by the virtual functions below;
// sim/dataflow/stationary_dataflow.hpp holds what WS and IS share.

#include <cstdint>
#include <memory>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/array/array_program.hpp"
#include "models/memory/tile_plan.hpp"
#include "models/noc/noc_config.hpp"
#include "sim/dataflow/dataflow.hpp"
#include "sim/dataflow/edge_rates.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

struct Mapping {
  ArrayMode mode = ArrayMode::Stationary;
  std::int64_t spatial_rows = 0;  // Sr
  std::int64_t spatial_cols = 0;  // Sc
  std::int64_t temporal = 0;      // T
  std::int64_t row_folds = 0;
  std::int64_t col_folds = 0;
  std::vector<Fold> folds;        // all groups
  PathWidths widths;              // set with the DRAM memory model (sim/dataflow/gemm_step_plan.hpp)
  // Unweighted mean over folds of the fraction of PEs the fold maps work to.
  double mapping_efficiency = 0;
};

class GemmDataflow : public Dataflow {
 public:
  std::unique_ptr<ArrayStep> plan(const ArchConfig& arch, const Layer& step, double dram_gb_per_s) const override;
  bool runs_timing_only() const override { return true; }

  // The array mode that runs the folds (models/array/array_program.hpp).
  virtual ArrayMode mode() const = 0;
  // Sr, Sc and T of `gemm`, as rows, cols and stream.
  virtual GemmExtent extent(const GemmShape& gemm) const = 0;
  // Which operand enters at the left edge, and which at the top or into
  // the stationary rows.
  virtual OperandRoles roles() const = 0;
  // With the DRAM model, the longest stream a fold may have so that its
  // tiles fit half their partitions.
  virtual std::int64_t max_stream(const ArchConfig& arch, const BufferPartition& buffer) const = 0;
  // Sets one fold's stream, load and drain spacings for the step's edge
  // paths; returns what sets them.
  virtual FoldRateLimits set_fold_rates(const EdgePaths& paths, int array_cols, Fold& fold) const = 0;
  // The widths the schedule keeps overlapping folds within
  // (models/array/fold_schedule.hpp), `any_accumulates` when some fold adds
  // to partial sums in the buffer.
  virtual PathWidths shared_path_widths(const EdgePaths& paths, bool any_accumulates) const = 0;
  // The cycles a fold's edge paths need besides its stream: its stationary
  // load, or its results' drain.
  virtual std::int64_t fold_overhead_cycles(const ArrayConfig& array, const Fold& fold) const = 0;

  // Adds the neighbour-link hops one fold's operands and partial sums make
  // on an array of `array_rows` rows. (Values also drift into unused PEs;
  // hardware that gates those links does not pay for them, so they are not
  // counted.)
  virtual void add_link_hops(Counters& counted, const Fold& fold, int array_rows) const = 0;

  // Folds `groups` GEMMs of `gemm` onto the array, streams of at most
  // `max_stream` elements (0: the whole stream).
  Mapping map(const ArrayConfig& array, const GemmShape& gemm, std::int64_t groups,
              std::int64_t max_stream = 0) const;
};

}  // namespace systole
