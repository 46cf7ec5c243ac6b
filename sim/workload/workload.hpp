#pragma once
// A network: the layers to run, in order, and where they came from.

#include <string>
#include <vector>

#include "sim/workload/layer.hpp"

namespace systole {

struct Workload {
  std::string name;
  std::string source;
  std::vector<Layer> layers;
};

}  // namespace systole
