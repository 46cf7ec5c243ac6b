#pragma once
// Errors in what the user gave us (files, options). The message is one line
// that names the file and line, or the option, and what is wrong; the command
// line turns it into exit code 2.

#include <stdexcept>
#include <string>

namespace systole {

class InputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "file:line: problem", or "file: problem" when line is 0.
[[noreturn]] void throw_input_error(const std::string& file, int line, const std::string& problem);

}  // namespace systole
