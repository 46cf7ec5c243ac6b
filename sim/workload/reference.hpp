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

}  // namespace systole
