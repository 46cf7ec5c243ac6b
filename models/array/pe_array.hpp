#pragma once
// The R×C grid of processing elements and its registers.
//
// Each PE has stationary registers (two when the array double-buffers its
// stationary operand), an operand register for the value passing left to
// right, a register for the value passing top to bottom (a partial sum in the
// stationary dataflows, an operand in output stationary), an accumulator
// (output stationary), and a valid bit beside every moving value. A PE does
// one multiply-accumulate per cycle; it counts as active when both of its
// operands are valid.
//
// The state lives in plain arrays ticked as a whole, one call per clock cycle:
// a SystemC process per PE is two orders of magnitude slower. What is
// abstracted away: clock gating, control wiring, and the physical transfer of
// stationary rows (a row is written in the cycle the controller names).
//
// Only the rows and columns named in a tick's windows are evaluated. Outside
// its window a PE holds no valid value and all its registers are zero, and a
// tick would leave them so; skipping it is exact (docs/architecture.md).
// Within a window, a PE whose operands cannot both be valid (a row no fold
// feeds, a column past every fold's used ones) multiplies by zero: only its
// moving values move. No moving value is copied from PE to PE: the values
// moving down live in a ring of rows that rotates one row per cycle, and
// each row's left operands in a ring of slots that rotates one slot per
// cycle.

#include <cstdint>
#include <vector>

namespace systole {

// Which columns of one row to evaluate this cycle, and which stationary
// buffer each column reads: [first, split) use buffer_left, [split, last]
// use buffer_right. An empty window has first > last. Only rows below
// fed_rows can hold an operand fed at the left edge, and only columns
// below mac_cols a valid stationary value or top operand: the folds whose
// operands the window holds use no more.
struct RowWindow {
  int first = 0;
  int last = -1;
  int split = 0;
  int buffer_left = 0;
  int buffer_right = 0;
  int fed_rows = 0;
  int mac_cols = 0;
};

// What one tick of the grid did.
struct TickCounts {
  std::uint32_t macs = 0;        // PEs whose two operands were valid
  std::uint32_t gated_macs = 0;  // of those, with an operand of zero

  TickCounts& operator+=(const TickCounts& other) {
    macs += other.macs;
    gated_macs += other.gated_macs;
    return *this;
  }
};

template <class Op, class Acc>
struct PeRegisters {
  Op left_operand{};   // value moving right (0 when invalid)
  bool left_valid = false;
  Op stationary[2]{};  // stationary buffers (WS/IS)
  Acc partial_sum{};   // value moving down (WS/IS)
  Op top_operand{};    // value moving down (OS)
  bool top_valid = false;
  Acc accumulator{};   // OS
};

template <class Op, class Acc>
class PeArray {
 public:
  // Throws std::invalid_argument beyond 65535 columns.
  PeArray(int rows, int cols, int stationary_buffers);

  int rows() const { return rows_; }
  int cols() const { return cols_; }

  // Edge inputs for the coming tick. A left edge not set holds an invalid
  // zero (each tick leaves them so); the top edges (output stationary) must
  // all be set before each tick.
  void set_left_edge(int row, Op value, bool valid) {
    set_left_slot(row, 0, value, valid);
  }
  void set_top_edge(int col, Op value, bool valid) {
    top_[top_index(0, col)] = value;
    top_valid_[top_index(0, col)] = valid;
  }

  // Writes one row of a stationary buffer: values[0..valid_count) are valid,
  // the rest of the row is cleared.
  void write_stationary_row(int buffer, int row, const Op* values, int valid_count);

  // One clock cycle.
  TickCounts tick_stationary(const RowWindow* windows);
  TickCounts tick_output_stationary(const RowWindow* windows);

  // The partial sums leaving the bottom of each column in the last tick.
  const Acc* bottom_outputs() const { return &psum_[psum_index(rows_, 0)]; }
  // Reads an output-stationary accumulator and clears it for the next fold.
  Acc take_accumulator(int row, int col);
  // Sets an accumulator to the sum a grid ticked from the start would hold.
  void restore_accumulator(int row, int col, Acc sum) { accumulator_[index(row, col)] = sum; }

  PeRegisters<Op, Acc> probe(int row, int col) const;

 private:
  std::size_t index(int row, int col) const {
    return static_cast<std::size_t>(row) * cols_ + col;
  }
  // Each row's left operands live in a ring of C+1 slots that rotates one
  // slot per cycle instead of copying: logical slot 0 is the edge input, so
  // PE c reads slot c, and the register of PE c is slot c + 1. The ring is
  // stored twice over, so that any C+1 consecutive slots are contiguous.
  std::size_t left_index(int row, int slot) const {
    return static_cast<std::size_t>(row) * 2 * (cols_ + 1) + left_base_ + slot;
  }
  // Writes a slot and its copy.
  void set_left_slot(int row, int slot, Op value, bool valid) {
    const std::size_t at = left_index(row, slot);
    const std::size_t copy = left_base_ + slot > cols_ ? at - (cols_ + 1) : at + (cols_ + 1);
    left_[at] = left_[copy] = value;
    left_valid_[at] = left_valid_[copy] = valid;
  }
  // Clears the register of PE C-1 of a row, which the rotation makes the
  // row's edge slot. Only a ticked row whose window reaches column C-1 can
  // hold a value there: an operand that PE C-1 registered keeps C-1 in the
  // row's window a cycle.
  void clear_leaving_operand(int row) { set_left_slot(row, cols_, Op{}, false); }
  // Rotates every row's ring one slot on: what slot c held, slot c + 1 holds.
  void rotate_left_operands() { left_base_ = left_base_ == 0 ? cols_ : left_base_ - 1; }
  // Top operands live in a ring of R+1 rows that rotates one row per cycle
  // instead of copying: logical row 0 is the edge input, row r+1 the
  // register of PE row r.
  std::size_t top_index(int logical_row, int col) const {
    return static_cast<std::size_t>((top_base_ + logical_row) % (rows_ + 1)) * cols_ + col;
  }
  // Partial sums live in a ring of R+1 rows like the top operands: logical
  // row 0 is the zero the top row adds to, row r+1 the register of PE row r.
  std::size_t psum_index(int logical_row, int col) const {
    return static_cast<std::size_t>((psum_base_ + logical_row) % (rows_ + 1)) * cols_ + col;
  }

  int rows_;
  int cols_;
  int buffers_;
  std::vector<Op> left_;
  std::vector<std::uint8_t> left_valid_;
  int left_base_ = 0;
  std::vector<Op> stationary_;               // buffers_ × rows × cols
  std::vector<std::uint8_t> stationary_valid_;
  std::vector<Acc> psum_;
  int psum_base_ = 0;
  // The bottom row's window in the last tick: where the ring's next edge
  // row may hold partial sums.
  int bottom_first_ = 0, bottom_last_ = -1;
  std::vector<Op> top_;
  std::vector<std::uint8_t> top_valid_;
  int top_base_ = 0;
  std::vector<Acc> accumulator_;
};

}  // namespace systole
