#include "sim/workload/decoder.hpp"

namespace systole {

namespace {

// Each decoded token is a pass of its own, lowered before the run starts: 8,192
// of them are 82 K layers, lowered in about a second.
constexpr std::int64_t kMaxDecodeSteps = 8192;

Layer eltwise(const std::string& name, std::int64_t elements, std::int64_t inputs) {
  Layer layer;
  layer.name = name;
  layer.kind = LayerKind::Eltwise;
  layer.elements = elements;
  layer.eltwise_inputs = inputs;
  return layer;
}

// One pass of `tokens` new tokens after `cached` earlier ones.
void add_pass(const std::string& prefix, const DecoderShape& d, std::int64_t tokens, std::int64_t cached,
              std::vector<Layer>& layers) {
  const std::int64_t hidden = tokens * d.model_dim;
  layers.push_back(eltwise(prefix + ".norm1", hidden, 1));
  Layer attention;
  attention.name = prefix + ".attention";
  attention.kind = LayerKind::Attention;
  attention.attention = {tokens, d.heads, d.model_dim, cached};
  layers.push_back(attention);
  layers.push_back(eltwise(prefix + ".add1", hidden, 2));
  layers.push_back(eltwise(prefix + ".norm2", hidden, 1));
  if (d.mlp == DecoderMlp::SwiGlu) {
    layers.push_back(make_gemm_layer(prefix + ".gate", tokens, d.mlp_dim, d.model_dim));
    layers.push_back(make_gemm_layer(prefix + ".up", tokens, d.mlp_dim, d.model_dim));
    layers.push_back(eltwise(prefix + ".silu_mul", tokens * d.mlp_dim, 2));
  } else {
    layers.push_back(make_gemm_layer(prefix + ".up", tokens, d.mlp_dim, d.model_dim));
    layers.push_back(eltwise(prefix + ".gelu", tokens * d.mlp_dim, 1));
  }
  layers.push_back(make_gemm_layer(prefix + ".down", tokens, d.model_dim, d.mlp_dim));
  layers.push_back(eltwise(prefix + ".add2", hidden, 2));
}

}  // namespace

std::string decoder_problem(const DecoderShape& d) {
  if (d.model_dim <= 0) return "model_dim must be positive";
  if (d.heads <= 0) return "heads must be positive";
  if (d.mlp_dim <= 0) return "mlp_dim must be positive";
  if (d.prompt_tokens <= 0) return "prompt_tokens must be positive";
  if (d.decode_steps < 0 || d.decode_steps > kMaxDecodeSteps)
    return "decode_steps must be between 0 and " + std::to_string(kMaxDecodeSteps);
  if (d.model_dim % d.heads != 0)
    return "model_dim (" + std::to_string(d.model_dim) + ") not divisible by heads (" + std::to_string(d.heads) + ")";
  return {};
}

std::vector<Layer> decoder_layers(const std::string& name, const DecoderShape& d, std::int64_t batch) {
  std::vector<Layer> layers;
  add_pass(name + ".prefill", d, d.prompt_tokens, 0, layers);
  for (std::int64_t t = 1; t <= d.decode_steps; ++t)
    add_pass(name + ".decode" + std::to_string(t), d, 1, d.prompt_tokens + t - 1, layers);
  for (Layer& layer : layers) layer.batch = batch;
  return layers;
}

}  // namespace systole
