#pragma once
// The plain reference computation the array's outputs are checked against: a
// direct convolution loop over the NHWC input, written independently of the
// im2col lowering and of the array.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/workload/layer.hpp"

namespace systole {

struct Comparison {
  std::int64_t compared = 0;
  std::int64_t mismatches = 0;
  std::string first_mismatch;  // empty when all match
};

// Integers must match exactly. fp32 results may differ from the reference by
// rounding only: |array − reference| ≤ (K + 2)·2⁻²⁴·Σ|products|, the bound for
// summing K products in any order.
template <class Op, class Acc>
Comparison compare_with_reference(const Layer& layer, const std::vector<Op>& input,
                                  const std::vector<Op>& filters, const std::vector<Acc>& output);

// int1 (binary: -1 and +1), as binary networks compute it and independently
// of the multiplying loop above: each value a bit (1 for +1), a window and a
// filter packed 64 to a word, and their dot product 2·popcount(XNOR) − K, K
// the window's positions inside the input (padding reads zero in the array,
// so it is masked out here). No value is multiplied.
Comparison compare_with_binary_reference(const Layer& layer, const std::vector<std::int8_t>& input,
                                         const std::vector<std::int8_t>& filters,
                                         const std::vector<std::int32_t>& output);

}  // namespace systole
