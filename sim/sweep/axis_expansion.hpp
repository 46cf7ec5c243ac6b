#pragma once
// The points of a sweep: the Cartesian product of its axes, or a random
// sample of it drawn with a seed (the same seed, the same points on every
// machine: the generator is std::mt19937_64, whose output the standard fixes).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/sweep/sweep_file.hpp"

namespace systole {

// One point: a value for each axis, in the axes' order.
struct SweepPoint {
  std::uint64_t index = 0;  // in the full product, the last axis varying fastest
  std::vector<std::string> values;
};

// How many points the full product has; throws InputError past 2^62.
std::uint64_t product_size(const std::vector<SweepAxis>& axes);

// Every point, or `sample->points` distinct ones in index order.
std::vector<SweepPoint> expand_axes(const std::vector<SweepAxis>& axes, const std::optional<SweepSampling>& sample);

}  // namespace systole
