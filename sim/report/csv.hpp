#pragma once
// Cells of the CSV reports: text quoted when it holds a comma, a quote or a
// line break (RFC 4180), numbers with nine significant digits.

#include <charconv>
#include <ostream>
#include <string>

#include <spdlog/fmt/fmt.h>

namespace systole {

inline std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + '"';
}

inline std::string csv_number(double value) { return fmt::format("{:.9g}", value); }

// What `out << value` writes in the stream's default format (%g at its
// precision), several times faster: utilization.csv writes a row of these
// every window of cycles.
inline void write_number(std::ostream& out, double value) {
  constexpr std::ios_base::fmtflags kFormatting =
      std::ios_base::floatfield | std::ios_base::showpoint | std::ios_base::showpos | std::ios_base::uppercase;
  if ((out.flags() & kFormatting) != std::ios_base::fmtflags{} || out.width() != 0) {
    out << value;
    return;
  }
  char text[64];
  const auto written =
      std::to_chars(text, text + sizeof text, value, std::chars_format::general, static_cast<int>(out.precision()));
  out.write(text, written.ptr - text);
}

}  // namespace systole
