#pragma once
// Small text helpers shared by the input readers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace systole {

std::string trim(std::string_view text);
std::string to_lower(std::string_view text);
std::vector<std::string> split(std::string_view text, char delimiter);
// A whole-string decimal integer, or nothing.
std::optional<std::int64_t> parse_integer(std::string_view text);
// Whether `text` is well-formed UTF-8 (JSON and CSV readers need it).
bool valid_utf8(std::string_view text);
// The text of the file at `path`, its line endings (CR LF, or a lone CR as
// classic Mac editors write) made LF; `what` names the file in the
// InputError when it cannot be read ("workload file").
std::string read_input_file(const std::string& path, const std::string& what);
// `text` with CR LF and lone CR line endings made LF.
std::string unix_line_endings(std::string_view text);
// `text` safe to print on one line: control characters, bytes that are not
// UTF-8 and Unicode line separators become escapes (\r, \x1b, \u2028).
std::string printable(std::string_view text);

}  // namespace systole
