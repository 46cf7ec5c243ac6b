#pragma once
// What one multiply-accumulate of a PE computes, shared by the engines that
// evaluate the grid (models/array/pe_array.hpp cycle by cycle,
// models/array/fold_evaluation.hpp a fold at once), so that their sums are
// the same bit for bit.

#include <cstdint>
#include <type_traits>

namespace systole {

// Holds the product of two Op exactly, and is as narrow as that allows.
template <class Op>
struct ExactProduct {
  using type = Op;
};
template <>
struct ExactProduct<std::int8_t> {
  using type = std::int16_t;
};
template <>
struct ExactProduct<std::int16_t> {
  using type = std::int32_t;
};

// The product of a PE's two operands: exact for integers, rounded once, as
// float, for floats. The PE adds it to its sum widened to the sum's type
// (static_cast<Acc>).
template <class Op>
[[gnu::always_inline]] inline typename ExactProduct<Op>::type exact_product(Op a, Op b) {
  return static_cast<typename ExactProduct<Op>::type>(a * b);
}

// Whether a product has two non-zero factors. An integer product is zero
// only when a factor is; a float product may underflow to zero, so the
// factors decide. A MAC with a zero factor is gated.
template <class Op, class Product>
[[gnu::always_inline]] inline std::uint16_t nonzero_factors(Op a, Op b, Product product) {
  if constexpr (std::is_integral_v<Op>)
    return product != 0;
  else
    return (a != 0) & (b != 0);
}

}  // namespace systole
