#pragma once
// Imports an ONNX model as a workload: the graph is read with Debian's ONNX
// library, symbolic input dimensions are pinned, ONNX shape inference fills
// in every tensor's shape (with the shape computations it cannot see through
// folded to constants: onnx_shape_folding.hpp), and each node becomes a layer:
//
//   Conv, ConvInteger, QLinearConv        conv (depthwise when group = C)
//   Gemm, MatMul (+ Integer/QLinear)      fc when the right operand is a
//                                         weight, gemm otherwise; batched
//                                         MatMuls are grouped GEMMs
//   LSTM, GRU                             lstm, gru (one layer, 1-2 directions)
//   MaxPool, AveragePool, Global*Pool     pool
//   element-wise and normalisation ops    eltwise (vector unit)
//
// Nodes that only move or reshape data (Reshape, Transpose, Concat, ...) cost
// nothing and are dropped. Anything else, ConvTranspose and control flow
// (If, Loop, Scan) included, is unsupported: listed by name and type, then
// skipped with a warning or refused, as the user chooses. So is a node whose
// input shape stays unknown: one warning line each, or a one-line error.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/workload/workload.hpp"

namespace systole {

struct OnnxOptions {
  // Input name -> full shape, for inputs with symbolic dimensions.
  std::map<std::string, std::vector<std::int64_t>> input_shapes;
  // A symbolic leading (batch) dimension not given above takes this value.
  std::int64_t batch = 1;
  bool skip_unsupported = true;
};

Workload load_onnx_workload(const std::string& path, const OnnxOptions& options);

// "data=1x3x224x224" -> {"data", {1, 3, 224, 224}}; throws InputError.
std::pair<std::string, std::vector<std::int64_t>> parse_input_shape(const std::string& text);

}  // namespace systole
