#include "sim/cli/option_values.hpp"

#include <string>
#include <vector>

#include "sim/config/input_error.hpp"

namespace systole {

void reject_options_as_values(const boost::program_options::variables_map& vm) {
  for (const auto& [name, value] : vm) {
    if (value.defaulted()) continue;
    std::vector<std::string> words;
    if (const auto* word = boost::any_cast<std::string>(&value.value()))
      words.push_back(*word);
    else if (const auto* list = boost::any_cast<std::vector<std::string>>(&value.value()))
      words = *list;
    for (const std::string& word : words)
      if (word.rfind("--", 0) == 0)
        throw InputError("option --" + name + ": its value is missing ('" + word +
                         "', the next option, was taken in its place)");
  }
}

}  // namespace systole
