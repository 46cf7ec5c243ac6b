#include "sim/report/vcd_writer.hpp"

#include <cstdio>
#include <limits>
#include <stdexcept>

#include "systole/version.hpp"

namespace systole {

namespace {

// Identifier codes: base 94 over the printable characters '!' to '~'.
std::string code_for(std::size_t index) {
  std::string code;
  do {
    code += static_cast<char>('!' + index % 94);
    index /= 94;
  } while (index > 0);
  return code;
}

int decimal_digits(std::uint64_t value) {
  int digits = 1;
  while (value >= 10) {
    value /= 10;
    ++digits;
  }
  return digits;
}

bool fits(std::int64_t value, const VcdSignal& signal) {
  if (signal.bits >= 64) return signal.kind == VcdSignal::Kind::Signed || value >= 0;
  const std::int64_t span = std::int64_t{1} << signal.bits;
  if (signal.kind == VcdSignal::Kind::Signed) return value >= -span / 2 && value < span / 2;
  return value >= 0 && value < span;
}

// The scopes of a dotted name, without its last part.
std::vector<std::string> scopes_of(const std::string& name) {
  std::vector<std::string> scopes;
  std::size_t start = 0;
  for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
    scopes.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
  return scopes;
}

std::string leaf_of(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

}  // namespace

VcdTimescale vcd_timescale(std::uint64_t period_fs) {
  static const char* const kUnits[] = {"1 fs",  "10 fs", "100 fs", "1 ps",  "10 ps", "100 ps",
                                       "1 ns",  "10 ns", "100 ns", "1 us",  "10 us", "100 us",
                                       "1 ms",  "10 ms", "100 ms", "1 s",   "10 s",  "100 s"};
  VcdTimescale chosen{kUnits[0], period_fs == 0 ? 1 : period_fs};
  std::uint64_t unit_fs = 1;
  for (const char* unit : kUnits) {
    if (period_fs == 0 || period_fs % unit_fs != 0) break;
    chosen = {unit, period_fs / unit_fs};
    unit_fs *= 10;
  }
  return chosen;
}

VcdWriter::VcdWriter(std::ostream& out, std::vector<VcdSignal> signals, const VcdTimescale& timescale)
    : out_(out), signals_(std::move(signals)), states_(signals_.size()) {
  out_ << "$version\n   Systole " << kVersion << "\n$end\n";
  out_ << "$timescale\n   " << timescale.text << "\n$end\n";
  out_ << "$scope module systole $end\n";
  std::vector<std::string> open;
  for (std::size_t i = 0; i < signals_.size(); ++i) {
    const VcdSignal& signal = signals_[i];
    codes_.push_back(code_for(i));
    const std::vector<std::string> scopes = scopes_of(signal.name);
    std::size_t common = 0;
    while (common < open.size() && common < scopes.size() && open[common] == scopes[common]) ++common;
    for (std::size_t s = open.size(); s > common; --s) out_ << "$upscope $end\n";
    for (std::size_t s = common; s < scopes.size(); ++s) out_ << "$scope module " << scopes[s] << " $end\n";
    open = scopes;
    if (signal.kind == VcdSignal::Kind::Real)
      out_ << "$var real 64 " << codes_[i] << ' ' << leaf_of(signal.name) << " $end\n";
    else if (signal.bits == 1)
      out_ << "$var wire 1 " << codes_[i] << ' ' << leaf_of(signal.name) << " $end\n";
    else
      out_ << "$var wire " << signal.bits << ' ' << codes_[i] << ' ' << leaf_of(signal.name) << " ["
           << signal.bits - 1 << ":0] $end\n";
  }
  for (std::size_t s = open.size(); s > 0; --s) out_ << "$upscope $end\n";
  out_ << "$upscope $end\n$enddefinitions $end\n#0\n$dumpvars\n";
  for (std::size_t i = 0; i < signals_.size(); ++i) write_value(i);
  out_ << "$end\n";
}

void VcdWriter::set(std::size_t index, std::int64_t value) {
  const VcdSignal& signal = signals_.at(index);
  if (!fits(value, signal))
    throw std::logic_error("VCD signal '" + signal.name + "': " + std::to_string(value) + " does not fit " +
                           std::to_string(signal.bits) + " bits");
  State& state = states_[index];
  if (state.value == value) return;
  state.value = value;
  if (!state.changed) changed_.push_back(index);
  state.changed = true;
}

void VcdWriter::set_real(std::size_t index, double value) {
  State& state = states_.at(index);
  if (state.real == value) return;
  state.real = value;
  if (!state.changed) changed_.push_back(index);
  state.changed = true;
}

void VcdWriter::emit(std::uint64_t time) {
  if (changed_.empty()) return;
  out_ << '#' << time << '\n';
  for (std::size_t index : changed_) {
    write_value(index);
    states_[index].changed = false;
  }
  changed_.clear();
}

void VcdWriter::write_value(std::size_t index) {
  const VcdSignal& signal = signals_[index];
  const State& state = states_[index];
  if (signal.kind == VcdSignal::Kind::Real) {
    char text[40];
    std::snprintf(text, sizeof text, "r%.17g ", state.real);
    out_ << text << codes_[index] << '\n';
    return;
  }
  if (signal.bits == 1) {
    out_ << (state.value != 0 ? '1' : '0') << codes_[index] << '\n';
    return;
  }
  // The declared width's two's complement; leading zeros are implied.
  const std::uint64_t bits = static_cast<std::uint64_t>(state.value);
  int top = signal.bits - 1;
  while (top > 0 && ((bits >> top) & 1u) == 0) --top;
  std::string text = "b";
  for (int b = top; b >= 0; --b) text += ((bits >> b) & 1u) != 0 ? '1' : '0';
  out_ << text << ' ' << codes_[index] << '\n';
}

std::uint64_t VcdWriter::size_bound(const std::vector<VcdSignal>& signals, std::uint64_t timestamps,
                                    std::uint64_t last_time) {
  std::uint64_t header = 200, per_timestamp = 2 + static_cast<std::uint64_t>(decimal_digits(last_time));
  for (std::size_t i = 0; i < signals.size(); ++i) {
    const VcdSignal& signal = signals[i];
    const std::uint64_t code = code_for(i).size();
    const std::uint64_t value = signal.kind == VcdSignal::Kind::Real ? 26 + code
                                : signal.bits == 1                  ? 2 + code
                                                                    : 3 + static_cast<std::uint64_t>(signal.bits) + code;
    header += 40 + signal.name.size() + value;
    per_timestamp += value;
  }
  constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max();
  if (timestamps > (kMax - header) / per_timestamp) return kMax;
  return header + timestamps * per_timestamp;
}

}  // namespace systole
