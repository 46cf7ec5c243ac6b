#pragma once
// How a layer is folded onto the array (SCALE-Sim's mapping): for each
// dataflow, which GEMM dimension spans the array rows (Sr), which spans the
// columns (Sc), and which is streamed in time (T); the folds that cut Sr×Sc
// into array-sized pieces, column fold outer and row fold inner, one group
// after another.
//
// When the memory system limits how much of the stream a fold may take
// (max_stream > 0), the stream is cut into chunks of at most max_stream
// elements, the outermost loop: each chunk runs every fold. In OS the stream
// is the reduction, so every chunk after the first adds to partial sums.
//
//   WS: Sr = K, Sc = N, T = M   (weights stay in the PEs)
//   IS: Sr = K, Sc = M, T = N   (inputs stay in the PEs)
//   OS: Sr = M, Sc = N, T = K   (outputs stay in the PEs)

#include <cstdint>
#include <vector>

#include "models/array/array_config.hpp"
#include "models/array/array_program.hpp"
#include "sim/workload/layer.hpp"

namespace systole {

struct Mapping {
  Dataflow dataflow = Dataflow::WeightStationary;
  ArrayMode mode = ArrayMode::Stationary;
  std::int64_t spatial_rows = 0;  // Sr
  std::int64_t spatial_cols = 0;  // Sc
  std::int64_t temporal = 0;      // T
  std::int64_t row_folds = 0;
  std::int64_t col_folds = 0;
  std::vector<Fold> folds;        // all groups
  PathWidths widths;              // set with the DRAM memory model (sim/engine/edge_rates.hpp)
  // Unweighted mean over folds of the fraction of PEs the fold maps work to.
  double mapping_efficiency = 0;
};

Mapping map_gemm(const ArrayConfig& array, const GemmShape& gemm, std::int64_t groups,
                 std::int64_t max_stream = 0);

}  // namespace systole
