#include "sim/dataflow/bulk_mt19937_64.hpp"

#include <algorithm>

#include "models/array/multiversion.hpp"

namespace systole {

namespace {

// MT19937-64's parameters (Matsumoto and Nishimura; C++'s std::mt19937_64).
constexpr std::size_t kN = 312, kM = 156;
constexpr std::uint64_t kMatrixA = 0xB5026F5AA96619E9ULL;
constexpr std::uint64_t kUpperMask = 0xFFFFFFFF80000000ULL, kLowerMask = 0x7FFFFFFFULL;
constexpr std::uint64_t kInitMultiplier = 6364136223846793005ULL;

inline std::uint64_t twisted(std::uint64_t word, std::uint64_t next, std::uint64_t far) {
  const std::uint64_t y = (word & kUpperMask) | (next & kLowerMask);
  return far ^ (y >> 1) ^ ((0 - (y & 1)) & kMatrixA);
}

// The next state from `state`, in place, and its words tempered into
// `draws`. Each loop reads only words it has not yet written, or written
// kM or more iterations before: the compiler vectorizes all three.
SYSTOLE_MULTIVERSION void twist_and_temper(std::uint64_t* __restrict state, std::uint64_t* __restrict draws) {
  for (std::size_t i = 0; i < kN - kM; ++i) state[i] = twisted(state[i], state[i + 1], state[i + kM]);
  for (std::size_t i = kN - kM; i < kN - 1; ++i) state[i] = twisted(state[i], state[i + 1], state[i + kM - kN]);
  state[kN - 1] = twisted(state[kN - 1], state[0], state[kM - 1]);
  for (std::size_t i = 0; i < kN; ++i) {
    std::uint64_t y = state[i];
    y ^= (y >> 29) & 0x5555555555555555ULL;
    y ^= (y << 17) & 0x71D67FFFEDA60000ULL;
    y ^= (y << 37) & 0xFFF7EEE000000000ULL;
    y ^= y >> 43;
    draws[i] = y;
  }
}

}  // namespace

BulkMt19937_64::BulkMt19937_64(std::uint64_t seed) {
  state_[0] = seed;
  for (std::size_t i = 1; i < kN; ++i) state_[i] = kInitMultiplier * (state_[i - 1] ^ (state_[i - 1] >> 62)) + i;
}

void BulkMt19937_64::refill() {
  twist_and_temper(state_, draws_);
  next_ = 0;
}

void BulkMt19937_64::fill(std::uint64_t* out, std::size_t count) {
  while (count > 0) {
    if (next_ == kStateSize) refill();
    const std::size_t taken = std::min(count, kStateSize - next_);
    std::copy(draws_ + next_, draws_ + next_ + taken, out);
    next_ += taken;
    out += taken;
    count -= taken;
  }
}

}  // namespace systole
