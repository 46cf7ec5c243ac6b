#include "sim/workload/operand_source.hpp"

#include <cmath>
#include <cstdlib>
#include <sstream>
#include <stdexcept>

namespace systole {

OperandSparsity parse_sparsity(const std::string& text) {
  OperandSparsity sparsity;
  bool seen_ifmap = false, seen_weights = false;
  std::istringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    const std::size_t equals = item.find('=');
    if (equals == std::string::npos)
      throw std::invalid_argument("'" + item + "' is not NAME=FRACTION (e.g. ifmap=0.5,weights=0.3)");
    const std::string name = item.substr(0, equals), value = item.substr(equals + 1);
    char* end = nullptr;
    const double fraction = std::strtod(value.c_str(), &end);
    if (value.empty() || end != value.c_str() + value.size() || !(fraction >= 0 && fraction <= 1))
      throw std::invalid_argument(name + "=" + value + ": the fraction of zeros must be a number from 0 to 1");
    bool& seen = name == "ifmap" ? seen_ifmap : seen_weights;
    if (name != "ifmap" && name != "weights")
      throw std::invalid_argument("unknown operand '" + name + "' (expected ifmap or weights)");
    if (seen) throw std::invalid_argument(name + " is given twice");
    seen = true;
    (name == "ifmap" ? sparsity.ifmap : sparsity.weights) = fraction;
  }
  if (!seen_ifmap && !seen_weights) throw std::invalid_argument("empty: give ifmap=F and/or weights=F");
  return sparsity;
}

}  // namespace systole
