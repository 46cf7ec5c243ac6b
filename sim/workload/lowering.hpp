#pragma once
// How each layer becomes work for the hardware: a sequence of steps, each
// either a GEMM-shaped array layer or a batch of element operations for the
// vector unit. Steps run strictly in order, so a step that needs a previous
// step's result never starts before that result has left the array.
//
//   conv, depthwise, fc, gemm  one array step, the layer itself
//   pool                       vector: B·P·Q·C·kh·kw operations (compare or add)
//   eltwise                    vector: B·elements additions
//   lstm (per layer, direction) input projection GEMM (M = B·T, K = D_l,
//                              N = 4H); then per time step the recurrent GEMM
//                              (M = B, K = H, N = 4H) and the gate math on the
//                              vector unit, 9·B·H operations (four activations,
//                              c = f·c + i·g, h = o·tanh(c))
//   gru                        as lstm with N = 3H and 7·B·H gate operations;
//                              with linear_before_reset false the recurrent
//                              product is two dependent GEMMs (N = 2H for the
//                              update and reset gates, then N = H on r ⊙ h)
//   attention                  Q/K/V projection of the S new tokens (M = B·S,
//                              K = d, N = 3d); scores Q·Kᵀ over the L = cached
//                              + S keys (B·h GEMMs of S × d_h by d_h × L);
//                              softmax on the vector unit, 3·B·h·S·L
//                              operations; context P·V (B·h GEMMs of S × L by
//                              L × d_h); output projection (M = B·S, K = d, N = d)

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "sim/workload/layer.hpp"

namespace systole {

struct VectorOp {
  std::int64_t operations = 0;
};

struct Step {
  std::string name;
  std::variant<Layer, VectorOp> work;
};

std::vector<Step> lower(const Layer& layer);

}  // namespace systole
