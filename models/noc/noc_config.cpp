#include "models/noc/noc_config.hpp"

namespace systole {

const char* to_string(Network network) {
  switch (network) {
    case Network::Left: return "left";
    case Network::Top: return "top";
    case Network::Out: return "out";
  }
  return "?";
}

}  // namespace systole
