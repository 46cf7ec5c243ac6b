#pragma once
// A network: the layers to run, in order, and where they came from.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/workload/layer.hpp"

namespace systole {

struct Workload {
  std::string name;
  std::string source;
  std::vector<Layer> layers;

  std::int64_t macs() const {
    std::int64_t total = 0;
    for (const Layer& layer : layers) total += layer.macs();
    return total;
  }
};

}  // namespace systole
