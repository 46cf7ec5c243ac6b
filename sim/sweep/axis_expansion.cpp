#include "sim/sweep/axis_expansion.hpp"

#include <random>
#include <set>

#include "sim/config/input_error.hpp"

namespace systole {

namespace {

// More points than this are never held at once without sampling.
constexpr std::uint64_t kMaxPoints = 10'000'000;

SweepPoint point_at(const std::vector<SweepAxis>& axes, std::uint64_t index) {
  SweepPoint point;
  point.index = index;
  point.values.resize(axes.size());
  for (std::size_t a = axes.size(); a-- > 0;) {
    const std::uint64_t size = axes[a].values.size();
    point.values[a] = axes[a].values[index % size];
    index /= size;
  }
  return point;
}

}  // namespace

std::uint64_t product_size(const std::vector<SweepAxis>& axes) {
  std::uint64_t total = 1;
  for (const SweepAxis& axis : axes) {
    if (total > (std::uint64_t{1} << 62) / axis.values.size())
      throw InputError("the axes' product has more than 2^62 points: sample some (sample: {points: N})");
    total *= axis.values.size();
  }
  return total;
}

std::vector<SweepPoint> expand_axes(const std::vector<SweepAxis>& axes, const std::optional<SweepSampling>& sample) {
  const std::uint64_t total = product_size(axes);
  std::vector<SweepPoint> points;
  if (!sample || sample->points >= static_cast<std::int64_t>(total)) {
    if (total > kMaxPoints)
      throw InputError("the axes' product has " + std::to_string(total) + " points (more than " +
                       std::to_string(kMaxPoints) + "): sample some (sample: {points: N})");
    for (std::uint64_t i = 0; i < total; ++i) points.push_back(point_at(axes, i));
    return points;
  }
  if (static_cast<std::uint64_t>(sample->points) > kMaxPoints)
    throw InputError("sample: more than " + std::to_string(kMaxPoints) + " points");
  // Floyd's algorithm: `points` distinct indices, each subset equally likely,
  // in as many draws. The draw is a plain modulo of the generator's output,
  // fixed by the standard, so the sample does not depend on the library.
  std::mt19937_64 generator(sample->seed);
  std::set<std::uint64_t> chosen;
  const std::uint64_t wanted = static_cast<std::uint64_t>(sample->points);
  for (std::uint64_t j = total - wanted; j < total; ++j) {
    const std::uint64_t t = generator() % (j + 1);
    if (!chosen.insert(t).second) chosen.insert(j);
  }
  for (std::uint64_t index : chosen) points.push_back(point_at(axes, index));
  return points;
}

}  // namespace systole
