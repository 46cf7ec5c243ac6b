#pragma once
// Input stationary (IS): a fold keeps a K×M block of the lowered input in
// the PEs and streams the N filters through them, computing the transposed
// output: Sr = K, Sc = M, T = N.

#include "sim/dataflow/stationary_dataflow.hpp"

namespace systole {

class InputStationary final : public StationaryDataflow {
 public:
  GemmExtent extent(const GemmShape& gemm) const override { return {gemm.k, gemm.m, gemm.n}; }
  OperandRoles roles() const override { return {Operand::Filter, Operand::Ifmap}; }
};

}  // namespace systole
