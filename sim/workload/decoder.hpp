#pragma once
// A transformer decoder layer run the way an LLM serves a request: the
// prompt's tokens at once (prefill), then one token a step (decode), each
// step attending to every token before it through the KV cache, which grows
// by one token a step. Expanded into ordinary layers, so each pass reports
// its own rows:
//   <name>.prefill.* : the prompt's S tokens, attention with no cache
//   <name>.decode<t>.*: token t (1-based), attention over S + t tokens
// Each pass: RMS norm, attention (projections and per-head GEMMs, softmax),
// residual add, RMS norm, the MLP (SwiGLU: gate and up GEMMs, SiLU times up,
// down GEMM; GELU: up GEMM, GELU, down GEMM), residual add. Norms and
// activations run on the vector unit, one operation per element (a norm's
// reduction and scaling are not counted apart).

#include <cstdint>
#include <string>
#include <vector>

#include "sim/workload/layer.hpp"

namespace systole {

enum class DecoderMlp { SwiGlu, Gelu };

struct DecoderShape {
  std::int64_t model_dim = 0, heads = 0, mlp_dim = 0;
  DecoderMlp mlp = DecoderMlp::SwiGlu;
  std::int64_t prompt_tokens = 0, decode_steps = 0;
};

// Empty when the shape can be simulated; otherwise what is wrong.
std::string decoder_problem(const DecoderShape& shape);
std::vector<Layer> decoder_layers(const std::string& name, const DecoderShape& shape, std::int64_t batch);

}  // namespace systole
