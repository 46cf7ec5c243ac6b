#pragma once
// std::mt19937_64's sequence, bit for bit, generated a whole state (312
// draws) at a time by loops the compiler vectorizes. A recurrent layer's
// operands are drawn afresh for each of its steps, and std's generator,
// which twists its state one word at a time, took a fifth of such runs.
// tests/test_functional.cpp compares the two sequences.

#include <cstddef>
#include <cstdint>

namespace systole {

class BulkMt19937_64 {
 public:
  using result_type = std::uint64_t;
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  explicit BulkMt19937_64(std::uint64_t seed);

  result_type operator()() {
    if (next_ == kStateSize) refill();
    return draws_[next_++];
  }
  // The next `count` draws, in order.
  void fill(std::uint64_t* out, std::size_t count);

 private:
  static constexpr std::size_t kStateSize = 312;
  void refill();

  std::uint64_t state_[kStateSize];
  std::uint64_t draws_[kStateSize];  // the tempered state, handed out from next_
  std::size_t next_ = kStateSize;
};

}  // namespace systole
