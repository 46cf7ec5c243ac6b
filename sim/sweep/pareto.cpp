#include "sim/sweep/pareto.hpp"

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/report/figures.hpp"

namespace systole {

std::vector<ParetoAxis> parse_pareto_axes(const std::string& text) {
  std::vector<ParetoAxis> axes;
  for (const std::string& item : split(text, ',')) {
    ParetoAxis axis;
    axis.figure = trim(item);
    if (axis.figure.rfind("max:", 0) == 0) {
      axis.maximize = true;
      axis.figure = axis.figure.substr(4);
    }
    bool known = false;
    for (const SummaryFigure& figure : summary_figures()) known = known || figure.doc.name == axis.figure;
    if (!known) throw InputError("option --pareto: '" + axis.figure + "' is not a summary figure (systole figures)");
    axes.push_back(axis);
  }
  if (axes.size() < 2) throw InputError("option --pareto: give at least two figures, comma-separated");
  return axes;
}

std::vector<std::size_t> pareto_front(const std::vector<std::vector<double>>& points,
                                      const std::vector<ParetoAxis>& axes) {
  // Better on axis a: smaller, or larger for a maximized axis.
  auto at_least_as_good = [&](const std::vector<double>& p, const std::vector<double>& q, std::size_t a) {
    return axes[a].maximize ? p[a] >= q[a] : p[a] <= q[a];
  };
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < points.size(); ++i) {
    bool dominated = false;
    for (std::size_t j = 0; j < points.size() && !dominated; ++j) {
      if (j == i) continue;
      bool all = true, strictly = false;
      for (std::size_t a = 0; a < axes.size() && all; ++a) {
        all = at_least_as_good(points[j], points[i], a);
        strictly = strictly || points[j][a] != points[i][a];
      }
      dominated = all && strictly;
    }
    if (!dominated) front.push_back(i);
  }
  return front;
}

}  // namespace systole
