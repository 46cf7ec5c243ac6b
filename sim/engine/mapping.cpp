#include "sim/engine/mapping.hpp"

#include <algorithm>

namespace systole {

Mapping map_gemm(const ArrayConfig& array, const GemmShape& gemm, std::int64_t groups,
                 std::int64_t max_stream) {
  Mapping mapping;
  mapping.dataflow = array.dataflow;
  switch (array.dataflow) {
    case Dataflow::WeightStationary:
      mapping.mode = ArrayMode::Stationary;
      mapping.spatial_rows = gemm.k;
      mapping.spatial_cols = gemm.n;
      mapping.temporal = gemm.m;
      break;
    case Dataflow::InputStationary:
      mapping.mode = ArrayMode::Stationary;
      mapping.spatial_rows = gemm.k;
      mapping.spatial_cols = gemm.m;
      mapping.temporal = gemm.n;
      break;
    case Dataflow::OutputStationary:
      mapping.mode = ArrayMode::OutputStationary;
      mapping.spatial_rows = gemm.m;
      mapping.spatial_cols = gemm.n;
      mapping.temporal = gemm.k;
      break;
  }
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
