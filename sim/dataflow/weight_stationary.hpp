#pragma once
// Weight stationary (WS, TPU-style): a fold keeps a K×N block of the filters
// in the PEs and streams the lowered input's M rows through them:
// Sr = K, Sc = N, T = M.

#include "sim/dataflow/stationary_dataflow.hpp"

namespace systole {

class WeightStationary final : public StationaryDataflow {
 public:
  GemmExtent extent(const GemmShape& gemm) const override { return {gemm.k, gemm.n, gemm.m}; }
  OperandRoles roles() const override { return {Operand::Ifmap, Operand::Filter}; }
};

}  // namespace systole
