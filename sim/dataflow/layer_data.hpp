#pragma once
// The numbers a layer computes on: an input tensor (NHWC, with batch) and
// filters of the array's data type, random (a given fraction zero), given
// (OperandValues) or read from .npy files, lowered to the GEMM operands a
// mapping asks for, and the array's results gathered back into the output
// tensor (NHWC).
//
// Lowering (im2col): for group g, GEMM row m = (b·out_h + p)·out_w + q is an
// output pixel, column k = (fr·filter_w + fc)·Cg + ch walks its window with the
// channel innermost (SCALE-Sim's order), and GEMM column n is filter g·Ng + n.
// Window positions that fall in the padding read zero.

#include <cstdint>
#include <string>
#include <vector>

#include "models/array/array_program.hpp"
#include "models/array/data_type.hpp"
#include "models/memory/tile_plan.hpp"
#include "sim/dataflow/gemm_dataflow.hpp"
#include "sim/workload/layer.hpp"
#include "sim/workload/operand_source.hpp"

namespace systole {

// The values of a layer's operand file (Layer::ifmap_file, weights_file)
// as operands of `type`, held as Op: `count` of them, each a value of `type`
// exactly (integers in its range; int1: -1 or +1). Throws InputError naming
// the file and the first value that is not.
template <class Op>
std::vector<Op> operand_file_values(const std::string& path, std::int64_t count, DataType type);

// Checks every operand file of `layer` against `type` before a run.
void check_operand_files(const Layer& layer, DataType type);

// Why operands of `type` cannot have `sparsity`, or empty when they can:
// int1 has no zero to draw.
std::string sparsity_problem(const OperandSparsity& sparsity, DataType type);

// Bytes the functional simulation of `layer` holds at once with operands of
// `type` (RunOptions::compute_limit_bytes bounds it).
std::int64_t functional_bytes(const Layer& layer, DataType type);

// The program that runs `mapping` with its edges in `roles`, without values
// (timing-only: models/array/array_program.hpp); LayerData::program adds
// them.
template <class Op, class Acc>
ArrayProgram<Op, Acc> program_without_values(const Mapping& mapping, OperandRoles roles) {
  ArrayProgram<Op, Acc> program;
  program.mode = mapping.mode;
  program.roles = roles;
  program.folds = mapping.folds;
  program.widths = mapping.widths;
  return program;
}

template <class Op, class Acc>
class LayerData {
 public:
  // Values of `type` from `source`: given (each must be a value of `type`,
  // else std::invalid_argument), or drawn from its seed, uniform over the
  // type's values (and sparsity: InputError when sparsity_problem() says
  // why not), or read from the layer's operand files.
  LayerData(const Layer& layer, const OperandSource& source, DataType type);

  // The program that runs this layer under `mapping`, the lowered input and
  // the filters in the array roles `roles` (with the filters at the left
  // edge, the product is computed transposed: N×M). The returned program
  // points into this object, which must outlive it.
  ArrayProgram<Op, Acc> program(const Mapping& mapping, OperandRoles roles);

  // The layer output (batch × out_h × out_w × filters) from the array results.
  std::vector<Acc> output() const;

  const Layer& layer() const { return layer_; }
  const std::vector<Op>& input() const { return input_; }
  const std::vector<Op>& filters() const { return filters_; }

 private:
  void lower(bool transposed);

  Layer layer_;
  GemmShape gemm_;
  bool transposed_ = false;  // filters at the left edge: results are N×M
  std::vector<Op> input_;
  std::vector<Op> filters_;
  std::vector<Op> lowered_;  // per group: M×K, or K×M for input stationary; empty for a 1×1 layer (the input)
  std::vector<Acc> result_;  // per group: M×N, or N×M for input stationary
};

}  // namespace systole
