#include "models/array/pe_array.hpp"

#include <algorithm>
#include <stdexcept>
#include <type_traits>

#include "models/array/multiversion.hpp"
#include "models/array/pe_arithmetic.hpp"

namespace systole {

namespace {

// The row kernels are the simulator's hot path. They are compiled for
// several instruction sets and picked at load time, so one binary is fast on
// any x86-64 machine.
//
// They count branch-free, so the loops stay vectorised, in 16-bit sums (a
// row has at most 65535 PEs: PeArray's constructor). An invalid operand or
// stationary value is zero, so a MAC is gated unless it multiplies two
// non-zero operands: the kernels count those.
template <class Op, class Acc>
[[gnu::always_inline]] inline TickCounts mac_down_impl(
    Acc* __restrict psum, const Op* __restrict weight,
    const std::uint8_t* __restrict weight_valid, const Op* __restrict operand,
    const std::uint8_t* __restrict operand_valid, int count) {
  std::uint16_t macs = 0, ungated = 0;
  for (int c = 0; c < count; ++c) {
    const auto product = exact_product(weight[c], operand[c]);
    psum[c] += static_cast<Acc>(product);
    macs += weight_valid[c] & operand_valid[c];
    ungated += nonzero_factors(weight[c], operand[c], product);
  }
  return {macs, static_cast<std::uint32_t>(macs - ungated)};
}

template <class Op, class Acc>
[[gnu::always_inline]] inline TickCounts mac_accumulate_impl(
    Acc* __restrict acc, const Op* __restrict left, const std::uint8_t* __restrict left_valid,
    const Op* __restrict top, const std::uint8_t* __restrict top_valid, int count) {
  std::uint16_t macs = 0, ungated = 0;
  for (int c = 0; c < count; ++c) {
    const auto product = exact_product(left[c], top[c]);
    acc[c] += static_cast<Acc>(product);
    macs += left_valid[c] & top_valid[c];
    ungated += nonzero_factors(left[c], top[c], product);
  }
  return {macs, static_cast<std::uint32_t>(macs - ungated)};
}

#define SYSTOLE_DEFINE_KERNELS(Op, Acc)                                                   \
  SYSTOLE_MULTIVERSION TickCounts mac_down(Acc* psum, const Op* w, const std::uint8_t* wv, \
                                            const Op* a, const std::uint8_t* av, int count) {\
    return mac_down_impl<Op, Acc>(psum, w, wv, a, av, count);                            \
  }                                                                                      \
  SYSTOLE_MULTIVERSION TickCounts mac_accumulate(Acc* acc, const Op* l,                 \
                                                  const std::uint8_t* lv, const Op* t,   \
                                                  const std::uint8_t* tv, int count) {   \
    return mac_accumulate_impl<Op, Acc>(acc, l, lv, t, tv, count);                       \
  }

SYSTOLE_DEFINE_KERNELS(std::int8_t, std::int32_t)
SYSTOLE_DEFINE_KERNELS(std::int16_t, std::int64_t)
SYSTOLE_DEFINE_KERNELS(float, float)

// A narrow window (a small batch streaming through) makes rows of a few
// PEs, for which the call into the multiversioned kernel costs more than the
// loop: those run inline.
constexpr int kInlineRowLength = 32;

template <class Op, class Acc>
[[gnu::always_inline]] inline TickCounts mac_down_row(Acc* psum, const Op* weight, const std::uint8_t* weight_valid,
                                                      const Op* operand, const std::uint8_t* operand_valid, int count) {
  if (count <= kInlineRowLength)
    return mac_down_impl<Op, Acc>(psum, weight, weight_valid, operand, operand_valid, count);
  return mac_down(psum, weight, weight_valid, operand, operand_valid, count);
}

template <class Op, class Acc>
[[gnu::always_inline]] inline TickCounts mac_accumulate_row(Acc* acc, const Op* left, const std::uint8_t* left_valid,
                                                            const Op* top, const std::uint8_t* top_valid, int count) {
  if (count <= kInlineRowLength) return mac_accumulate_impl<Op, Acc>(acc, left, left_valid, top, top_valid, count);
  return mac_accumulate(acc, left, left_valid, top, top_valid, count);
}

}  // namespace

template <class Op, class Acc>
PeArray<Op, Acc>::PeArray(int rows, int cols, int stationary_buffers)
    : rows_(rows),
      cols_(cols),
      buffers_(stationary_buffers),
      left_(static_cast<std::size_t>(rows) * 2 * (cols + 1)),
      left_valid_(left_.size()),
      stationary_(static_cast<std::size_t>(stationary_buffers) * rows * cols),
      stationary_valid_(stationary_.size()),
      psum_(static_cast<std::size_t>(rows + 1) * cols),
      top_(static_cast<std::size_t>(rows + 1) * cols),
      top_valid_(top_.size()),
      accumulator_(static_cast<std::size_t>(rows) * cols) {
  if (cols > 65535) throw std::invalid_argument("a PE array has at most 65535 columns");
}

template <class Op, class Acc>
void PeArray<Op, Acc>::write_stationary_row(int buffer, int row, const Op* values,
                                            int valid_count) {
  const std::size_t base = static_cast<std::size_t>(buffer) * rows_ * cols_ + index(row, 0);
  std::copy(values, values + valid_count, stationary_.begin() + base);
  std::fill(stationary_.begin() + base + valid_count, stationary_.begin() + base + cols_, Op{});
  std::fill(stationary_valid_.begin() + base, stationary_valid_.begin() + base + valid_count, 1);
  std::fill(stationary_valid_.begin() + base + valid_count,
            stationary_valid_.begin() + base + cols_, 0);
}

template <class Op, class Acc>
TickCounts PeArray<Op, Acc>::tick_stationary(const RowWindow* windows) {
  TickCounts counts;
  // The top row adds to zero. Each row adds its products to the partial
  // sums its upper neighbour registered in the previous cycle, in place;
  // rotating the ring then makes them this row's registers. The edge row
  // held the bottom row's registers, which are zero outside its window.
  if (bottom_first_ <= bottom_last_)
    std::fill(&psum_[psum_index(0, bottom_first_)], &psum_[psum_index(0, bottom_last_)] + 1, Acc{});
  bottom_first_ = windows[rows_ - 1].first;
  bottom_last_ = windows[rows_ - 1].last;
  const std::size_t buffer_size = static_cast<std::size_t>(rows_) * cols_;
  // The ring row holding logical row r: one further per row, wrapping once.
  int psum_row = psum_base_;
  for (int r = 0; r < rows_; ++r, psum_row = psum_row == rows_ ? 0 : psum_row + 1) {
    const RowWindow& w = windows[r];
    if (w.first > w.last || r >= w.fed_rows) continue;
    Acc* psum = &psum_[static_cast<std::size_t>(psum_row) * cols_];
    const Op* operand = &left_[left_index(r, 0)];
    const std::uint8_t* operand_valid = &left_valid_[left_index(r, 0)];
    const Op* weight = &stationary_[index(r, 0)];
    const std::uint8_t* weight_valid = &stationary_valid_[index(r, 0)];
    const auto mac = [&](int buffer, int from, int to) {
      const std::size_t b = static_cast<std::size_t>(buffer) * buffer_size;
      counts += mac_down_row(psum + from, weight + b + from, weight_valid + b + from, operand + from,
                             operand_valid + from, to - from);
    };
    const int end = std::min(w.last + 1, w.mac_cols);
    if (w.buffer_left == w.buffer_right) {
      if (end > w.first) mac(w.buffer_left, w.first, end);
    } else {
      const int split = std::clamp(w.split, w.first, std::max(w.first, end));
      if (split > w.first) mac(w.buffer_left, w.first, split);
      if (end > split) mac(w.buffer_right, split, end);
    }
    if (w.last == cols_ - 1) clear_leaving_operand(r);
  }
  psum_base_ = (psum_base_ + rows_) % (rows_ + 1);
  rotate_left_operands();
  return counts;
}

template <class Op, class Acc>
TickCounts PeArray<Op, Acc>::tick_output_stationary(const RowWindow* windows) {
  TickCounts counts;
  // The ring row holding logical row r: one further per row, wrapping once.
  int top_ring_row = top_base_;
  for (int r = 0; r < rows_; ++r, top_ring_row = top_ring_row == rows_ ? 0 : top_ring_row + 1) {
    const RowWindow& w = windows[r];
    if (w.first > w.last || r >= w.fed_rows) continue;
    const int end = std::min(w.last + 1, w.mac_cols);
    const std::size_t top_row = static_cast<std::size_t>(top_ring_row) * cols_;
    if (end > w.first)
      counts += mac_accumulate_row(&accumulator_[index(r, w.first)], &left_[left_index(r, w.first)],
                                   &left_valid_[left_index(r, w.first)], &top_[top_row + w.first],
                                   &top_valid_[top_row + w.first], end - w.first);
    if (w.last == cols_ - 1) clear_leaving_operand(r);
  }
  // Every top operand moves down one row: rotate the ring. The row that fell
  // off the bottom becomes next cycle's edge row.
  top_base_ = (top_base_ + rows_) % (rows_ + 1);
  rotate_left_operands();
  return counts;
}

template <class Op, class Acc>
Acc PeArray<Op, Acc>::take_accumulator(int row, int col) {
  Acc value = accumulator_[index(row, col)];
  accumulator_[index(row, col)] = Acc{};
  return value;
}

template <class Op, class Acc>
PeRegisters<Op, Acc> PeArray<Op, Acc>::probe(int row, int col) const {
  PeRegisters<Op, Acc> regs;
  regs.left_operand = left_[left_index(row, col + 1)];
  regs.left_valid = left_valid_[left_index(row, col + 1)];
  for (int b = 0; b < buffers_ && b < 2; ++b)
    regs.stationary[b] = stationary_[static_cast<std::size_t>(b) * rows_ * cols_ + index(row, col)];
  regs.partial_sum = psum_[psum_index(row + 1, col)];
  regs.top_operand = top_[top_index(row + 1, col)];
  regs.top_valid = top_valid_[top_index(row + 1, col)];
  regs.accumulator = accumulator_[index(row, col)];
  return regs;
}

template class PeArray<std::int8_t, std::int32_t>;
template class PeArray<std::int16_t, std::int64_t>;
template class PeArray<float, float>;

}  // namespace systole
