#include <catch2/catch.hpp>

#include "sim/dataflow/gemm_dataflow.hpp"
#include "sim/dataflow/registry.hpp"

using namespace systole;

namespace {
const GemmDataflow& gemm_dataflow(const char* name) { return dynamic_cast<const GemmDataflow&>(*find_dataflow(name)); }
}  // namespace

TEST_CASE("folds follow SCALE-Sim: column fold outer, row fold inner", "[mapping]") {
  ArrayConfig array;
  array.rows = 4;
  array.cols = 3;
  // WS: Sr = K = 10 -> 3 row folds (4, 4, 2), Sc = N = 5 -> 2 column folds (3, 2).
  const Mapping mapping = gemm_dataflow("ws").map(array, {7, 5, 10}, 1);
  REQUIRE(mapping.folds.size() == 6);
  CHECK(mapping.temporal == 7);
  const int expected_rows[] = {4, 4, 2, 4, 4, 2};
  const int expected_cols[] = {3, 3, 3, 2, 2, 2};
  for (int i = 0; i < 6; ++i) {
    CHECK(mapping.folds[i].rows_used == expected_rows[i]);
    CHECK(mapping.folds[i].cols_used == expected_cols[i]);
  }
  // Unweighted mean of occupancy: (12+12+6+8+8+4) / 12 / 6.
  CHECK(mapping.mapping_efficiency == Approx(50.0 / 72.0));
}

TEST_CASE("each dataflow puts its stationary operand on the array", "[mapping]") {
  ArrayConfig array;
  const GemmShape gemm{100, 20, 30};  // M, N, K
  Mapping os = gemm_dataflow("os").map(array, gemm, 1);
  CHECK((os.spatial_rows == 100 && os.spatial_cols == 20 && os.temporal == 30));
  Mapping is = gemm_dataflow("is").map(array, gemm, 1);
  CHECK((is.spatial_rows == 30 && is.spatial_cols == 100 && is.temporal == 20));
  Mapping ws = gemm_dataflow("ws").map(array, gemm, 3);
  CHECK((ws.spatial_rows == 30 && ws.spatial_cols == 20 && ws.temporal == 100));
  CHECK(ws.folds.size() == 3);  // one per group on the default 32x32
  CHECK(ws.folds[2].gemm == 2);
}

TEST_CASE("layer shapes lower to GEMMs", "[mapping]") {
  Layer layer;
  layer.shape = {224, 224, 3, 64, 7, 7, 2, 2, 3, 3, 3, 3, 1, 1, 1};  // ResNet conv1
  CHECK(layer.out_h() == 112);
  CHECK(layer.out_w() == 112);
  CHECK(layer.gemm().m == 112 * 112);
  CHECK(layer.gemm().k == 7 * 7 * 3);
  CHECK(layer.macs() == 118013952);  // 112·112·64·147
  layer.shape.dilation_h = 2;        // effective filter 13 rows: (230 - 13) / 2 + 1
  CHECK(layer.out_h() == 109);
  Layer depthwise;
  depthwise.shape = {56, 56, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 32};
  CHECK(depthwise.gemm().k == 9);
  CHECK(depthwise.gemm().n == 1);
  CHECK(depthwise.macs() == 56 * 56 * 32 * 9);
}
