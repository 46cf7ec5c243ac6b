#pragma once
// Where the numbers a step computes on come from: a seed for the random
// operands, and how many of them are zero. Zeros change no cycle; they gate
// MACs and register reads, so they change energy (sim/energy/).

#include <cstdint>
#include <functional>
#include <string>

#include "models/array/pe_engine.hpp"
#include "models/memory/buffer_config.hpp"

namespace systole {

// The fraction of values drawn as zero, per operand (0-1). A value not
// drawn as zero is uniform over its type, so it is zero by chance too
// (1 in 256 for int8).
struct OperandSparsity {
  double ifmap = 0;
  double weights = 0;
  bool any() const { return ifmap > 0 || weights > 0; }
};

// "ifmap=0.5,weights=0.3" (either key may be left out); throws
// std::invalid_argument naming what is wrong.
OperandSparsity parse_sparsity(const std::string& text);

// The values a step computes on, when the caller gives them: element `index`
// of the step's input tensor (Operand::Ifmap: batch × in_h × in_w × channels,
// NHWC) or of its right-hand operand (Operand::Filter: groups·N rows of K,
// filter n's window as row n), converted to the array's data type. Which
// MACs are gated (a zero operand) depends on them.
using OperandValues = std::function<double(Operand operand, std::int64_t index)>;

// Given values first; else the layer's operand files; else drawn from the
// seed with the given sparsity. Or none at all: the step runs timing-only
// (every count that does not depend on values, and no outputs).
struct OperandSource {
  std::uint64_t seed = 1;
  OperandSparsity sparsity;
  OperandValues values;
  bool timing_only = false;
  // How the array evaluates the values (models/array/pe_engine.hpp), and
  // the step's cycles whose PE registers are probed.
  PeEngine engine = PeEngine::Fold;
  ProbedCycles probed;
};

}  // namespace systole
