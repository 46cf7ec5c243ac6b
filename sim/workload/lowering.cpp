#include "sim/workload/lowering.hpp"

namespace systole {

namespace {

Step gemm_step(const Layer& parent, const std::string& suffix, std::int64_t m, std::int64_t n,
               std::int64_t k, std::int64_t batch, std::int64_t groups = 1) {
  Layer gemm = make_gemm_layer(parent.name + "." + suffix, m, n, k, groups);
  gemm.batch = batch;
  gemm.ifmap_sparsity = parent.ifmap_sparsity;
  return {gemm.name, gemm};
}

Step vector_step(const Layer& parent, const std::string& suffix, std::int64_t operations) {
  return {parent.name + "." + suffix, VectorOp{operations}};
}

void lower_recurrent(const Layer& layer, std::vector<Step>& steps) {
  const RecurrentShape& r = layer.recurrent;
  const bool lstm = layer.kind == LayerKind::Lstm;
  const std::int64_t gates = lstm ? 4 : 3;
  const std::int64_t h = r.hidden_size, b = layer.batch;
  const std::int64_t gate_ops = (lstm ? 9 : 7) * b * h;
  const int directions = r.bidirectional ? 2 : 1;
  for (std::int64_t l = 0; l < r.layers; ++l) {
    const std::int64_t input = l == 0 ? r.input_size : directions * h;
    for (int d = 0; d < directions; ++d) {
      const std::string prefix = "l" + std::to_string(l) + (d == 0 ? "" : ".reverse");
      // All inputs of the layer are known: one GEMM over the whole sequence.
      steps.push_back(gemm_step(layer, prefix + ".input", r.sequence_length, gates * h, input, b));
      for (std::int64_t t = 0; t < r.sequence_length; ++t) {
        const std::string step = prefix + ".t" + std::to_string(t);
        if (lstm || r.linear_before_reset) {
          steps.push_back(gemm_step(layer, step + ".hidden", 1, gates * h, h, b));
        } else {
          steps.push_back(gemm_step(layer, step + ".update_reset", 1, 2 * h, h, b));
          steps.push_back(gemm_step(layer, step + ".candidate", 1, h, h, b));
        }
        steps.push_back(vector_step(layer, step + ".gates", gate_ops));
      }
    }
  }
}

void lower_attention(const Layer& layer, std::vector<Step>& steps) {
  const AttentionShape& a = layer.attention;
  const std::int64_t s = a.sequence_length, l = a.context_length(), d = a.model_dim, dh = d / a.heads;
  const std::int64_t instances = layer.batch * a.heads;
  // Keys and values of the new tokens only; the cached ones are read as the
  // per-head GEMMs' operands.
  steps.push_back(gemm_step(layer, "qkv", s, 3 * d, d, layer.batch));
  steps.push_back(gemm_step(layer, "scores", s, l, dh, 1, instances));
  steps.push_back(vector_step(layer, "softmax", 3 * instances * s * l));
  steps.push_back(gemm_step(layer, "context", s, dh, l, 1, instances));
  steps.push_back(gemm_step(layer, "output", s, d, d, layer.batch));
}

std::int64_t pool_operations(const Layer& layer) {
  const PoolShape& p = layer.pool;
  const std::int64_t outputs = layer.output_elements();
  return outputs * p.kernel_h * p.kernel_w;
}

}  // namespace

std::vector<Step> lower(const Layer& layer) {
  std::vector<Step> steps;
  switch (layer.kind) {
    case LayerKind::Conv:
    case LayerKind::Depthwise:
    case LayerKind::FullyConnected:
    case LayerKind::Gemm: steps.push_back({layer.name, layer}); break;
    case LayerKind::Pool: steps.push_back({layer.name, VectorOp{pool_operations(layer)}}); break;
    case LayerKind::Eltwise: steps.push_back({layer.name, VectorOp{layer.batch * layer.elements}}); break;
    case LayerKind::Lstm:
    case LayerKind::Gru: lower_recurrent(layer, steps); break;
    case LayerKind::Attention: lower_attention(layer, steps); break;
  }
  return steps;
}

}  // namespace systole
