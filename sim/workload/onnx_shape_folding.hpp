#pragma once
// Folds the small integer computations real exporters emit to build the
// shape that a Reshape, Expand or Tile reads: `Shape` of a tensor whose shape
// is known, `Constant`, initializers, and Cast, Identity, Gather, Concat,
// Slice, Squeeze, Unsqueeze and Add/Sub/Mul/Div over them (PaddleOCR's
// exporter writes Shape -> Cast -> Slice -> Cast -> Concat -> Reshape).
//
// Every node whose value this computes becomes a Constant node with the same
// name and output, holding that value. ONNX's shape inference reads a
// Constant's value as data at every opset, whereas Debian's ONNX 1.12
// propagates computed shapes itself only for opset 14 and later models.
// Only integer tensors (int32, int64) of at most kLargestFolded elements are
// folded: shape arithmetic, never a layer's data.

#include <cstdint>

#include <onnx/onnx_pb.h>

namespace systole {

inline constexpr std::int64_t kLargestFolded = 1024;

// Replaces each node of `graph` (subgraphs aside) whose integer output can be
// computed from constants and from the tensor shapes the graph records
// (inputs, value_info, outputs, initializers) by a Constant node. Returns how
// many nodes it replaced: after new shapes are inferred, more may fold.
int fold_shape_computations(onnx::GraphProto& graph);

}  // namespace systole
