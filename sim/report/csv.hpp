#pragma once
// Cells of the CSV reports: text quoted when it holds a comma, a quote or a
// line break (RFC 4180), numbers with nine significant digits.

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

}  // namespace systole
