#pragma once
// What a layer computes, independent of any hardware.
//
// Convolutions, fully connected layers and plain GEMMs share one shape (the
// "array layers"): a GEMM of M×K by K×N is a convolution of a 1×1 filter over
// an M×1 input with K channels, so each lowers to `groups` GEMMs through the
// im2col view and runs on the array as it is. Pooling and element-wise layers
// run on the vector unit; recurrent and attention layers lower to a sequence
// of GEMMs and vector operations (sim/workload/lowering.hpp).

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

enum class LayerKind { Conv, Depthwise, FullyConnected, Gemm, Pool, Eltwise, Lstm, Gru, Attention };

struct ConvShape {
  std::int64_t in_h = 1, in_w = 1, in_channels = 1;
  std::int64_t filters = 1;
  std::int64_t filter_h = 1, filter_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
};

struct PoolShape {
  bool max = true;  // max or average
  std::int64_t in_h = 1, in_w = 1, channels = 1;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
};

// LSTM or GRU: `layers` stacked layers, each one or two directions.
struct RecurrentShape {
  std::int64_t input_size = 1, hidden_size = 1, sequence_length = 1, layers = 1;
  bool bidirectional = false;
  // GRU only: false (ONNX's default) applies the reset gate before the
  // recurrent product of the candidate, making two dependent GEMMs per step.
  bool linear_before_reset = false;
};

// Multi-head self-attention of `sequence_length` new tokens over
// themselves and `cached_tokens` earlier ones, whose keys and values a
// decoder keeps in its KV cache (0 for an encoder or a prompt).
struct AttentionShape {
  std::int64_t sequence_length = 1, heads = 1, model_dim = 1;
  std::int64_t cached_tokens = 0;
  // The keys each new token attends to.
  std::int64_t context_length() const { return cached_tokens + sequence_length; }
};

struct GemmShape {
  std::int64_t m = 0, n = 0, k = 0;
};

struct Layer {
  std::string name;
  LayerKind kind = LayerKind::Conv;
  ConvShape shape;  // array layers
  // False when a GEMM's right operand is an activation (e.g. an ONNX MatMul
  // of two tensors computed at run time): it then holds no weights.
  bool has_weights = true;
  PoolShape pool;
  std::int64_t elements = 1;  // eltwise: elements per input, per batch item
  // Eltwise: the tensors it reads (two for an addition, one for an
  // activation), and, when it reduces (ONNX Reduce*), its output elements,
  // all batch items together (0: as many as each input).
  std::int64_t eltwise_inputs = 2;
  std::int64_t reduced_elements = 0;
  RecurrentShape recurrent;
  AttentionShape attention;
  std::int64_t batch = 1;
  // One-GEMM layers: .npy files holding the input (batch × in_h × in_w ×
  // channels) and the filters (filters × filter_h × filter_w × channels per
  // group); empty: drawn from the seed.
  std::string ifmap_file;
  std::string weights_file;
  // The row-stationary mapping to run it with, when the user forces one (a
  // published mapping to replay): set rows h, set columns e, filters p,
  // channels q and images n per PE, replicas; empty: the mapper chooses.
  std::vector<std::int64_t> rs_mapping;
  // The fraction of its input values drawn as zero, when the layer says
  // (a ReLU's output: its measured or published density); negative: the
  // run's --sparsity.
  double ifmap_sparsity = -1;

  bool runs_on_array() const;

  // Array layers only.
  std::int64_t out_h() const;
  std::int64_t out_w() const;
  std::int64_t groups() const { return shape.groups; }
  // The GEMM each group performs: M = batch·out_h·out_w output pixels,
  // N = filters per group, K = filter_h·filter_w·channels per group.
  GemmShape gemm() const;

  // Any layer; biases are not counted.
  std::int64_t macs() const;
  std::int64_t weights() const;
  std::int64_t input_elements() const;
  std::int64_t output_elements() const;

  // Empty when the layer is well formed, else what is wrong with it.
  std::string problem() const;

  // No tensor may have more elements than this, so that every size computed
  // from a layer fits in 64 bits (memory is budgeted per data type in
  // sim/dataflow/layer_data.hpp).
  static constexpr std::int64_t kMaxTensorElements = std::int64_t{1} << 36;
  static constexpr std::int64_t kMaxRecurrentLayers = 1000;
};

std::string to_string(LayerKind kind);

// GEMM M×N×K as a layer; with groups, that many independent GEMMs.
Layer make_gemm_layer(std::string name, std::int64_t m, std::int64_t n, std::int64_t k,
                      std::int64_t groups = 1);

}  // namespace systole
