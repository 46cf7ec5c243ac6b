#pragma once
// A Value Change Dump (IEEE 1364, the format GTKWave opens) written by hand
// rather than through SystemC's tracing, so that each signal is declared at
// its real width and holds its two's complement there, the timescale follows
// the clock, and a window's size can be bounded before anything is written.
// Signals are declared once, up front; each `emit(time)` writes the ones that
// changed since the last. A dotted name ("array.pe_0_1.left_operand") nests in
// scopes.

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace systole {

struct VcdSignal {
  // Signed: a two's complement integer of `bits`; Unsigned: a count;
  // Real: a floating-point value (`bits` unused).
  enum class Kind { Signed, Unsigned, Real };
  std::string name;
  int bits = 1;
  Kind kind = Kind::Unsigned;
};

// The VCD timescale for a clock of `period_fs` femtoseconds: the coarsest
// of 1 fs, 10 fs, ..., 100 s that divides the period exactly, as its text
// ("1 ns") and the number of such units in a period.
struct VcdTimescale {
  std::string text;
  std::uint64_t units_per_period = 1;
};
VcdTimescale vcd_timescale(std::uint64_t period_fs);

class VcdWriter {
 public:
  // Writes the header and every signal's initial value, 0.
  VcdWriter(std::ostream& out, std::vector<VcdSignal> signals, const VcdTimescale& timescale);

  // The new value of signal `index` (in declaration order). An integer that
  // does not fit its declared width is a programming error (std::logic_error).
  void set(std::size_t index, std::int64_t value);
  void set_real(std::size_t index, double value);
  // Writes the signals that changed since the last emit, at `time` (in
  // timescale units); nothing when none did.
  void emit(std::uint64_t time);

  // An upper bound of the bytes a file holds: its header, and `timestamps`
  // timestamps at which every signal changes.
  static std::uint64_t size_bound(const std::vector<VcdSignal>& signals, std::uint64_t timestamps,
                                  std::uint64_t last_time);

 private:
  struct State {
    std::int64_t value = 0;
    double real = 0;
    bool changed = false;
  };
  void write_value(std::size_t index);

  std::ostream& out_;
  std::vector<VcdSignal> signals_;
  std::vector<std::string> codes_;
  std::vector<State> states_;
  std::vector<std::size_t> changed_;
};

}  // namespace systole
