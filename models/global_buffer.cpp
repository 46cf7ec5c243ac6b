#include "models/global_buffer.hpp"

namespace systole {

std::string to_string(Operand operand) {
  switch (operand) {
    case Operand::Ifmap: return "ifmap";
    case Operand::Filter: return "filter";
    case Operand::Ofmap: return "ofmap";
  }
  return "?";
}

}  // namespace systole
