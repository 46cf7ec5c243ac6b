#pragma once
// The Pareto front of a set of points: those no other point dominates (is
// at least as good on every axis and better on one). Each axis is minimized
// unless marked maximized.

#include <cstddef>
#include <string>
#include <vector>

namespace systole {

struct ParetoAxis {
  std::string figure;  // a summary figure, e.g. "totals.time"
  bool maximize = false;
};

// "totals.time,energy.total,max:totals.throughput"; throws InputError
// naming --pareto on an unknown figure.
std::vector<ParetoAxis> parse_pareto_axes(const std::string& text);

// The indices of the points (each a value per axis) on the front, in order.
std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points,
                                      const std::vector<ParetoAxis>& axes);

}  // namespace systole
