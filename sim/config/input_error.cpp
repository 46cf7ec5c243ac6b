#include "sim/config/input_error.hpp"

namespace systole {

void throw_input_error(const std::string& file, int line, const std::string& problem) {
  std::string message = file;
  if (line > 0) message += ":" + std::to_string(line);
  throw InputError(message + ": " + problem);
}

}  // namespace systole
