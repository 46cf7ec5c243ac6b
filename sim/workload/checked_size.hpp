#pragma once
// Size arithmetic on dimensions read from input files, checked: a product
// or sum that would leave 64 bits is no value, never a wrapped-around one.
// The front ends (YAML, SCALE-Sim, ONNX) and Layer::problem() size tensors
// through these, so absurd dimensions are refused with one line.

#include <cstdint>
#include <initializer_list>
#include <optional>

namespace systole {

inline std::optional<std::int64_t> checked_product(std::initializer_list<std::int64_t> factors) {
  std::int64_t product = 1;
  for (std::int64_t factor : factors)
    if (__builtin_mul_overflow(product, factor, &product)) return std::nullopt;
  return product;
}

inline std::optional<std::int64_t> checked_sum(std::initializer_list<std::int64_t> terms) {
  std::int64_t sum = 0;
  for (std::int64_t term : terms)
    if (__builtin_add_overflow(sum, term, &sum)) return std::nullopt;
  return sum;
}

}  // namespace systole
