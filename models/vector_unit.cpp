#include "models/vector_unit.hpp"

#include <algorithm>

namespace systole {

VectorExecution::VectorExecution(const VectorUnitConfig& config, std::int64_t operations)
    : lanes_(config.lanes), remaining_(operations) {}

CycleActivity VectorExecution::step() {
  CycleActivity activity;
  activity.cycle = cycle_;
  if (remaining_ == 0) return activity;
  const std::int64_t done = std::min<std::int64_t>(lanes_, remaining_);
  remaining_ -= done;
  activity.phase = Phase::Vector;
  activity.vector_operations = static_cast<std::uint32_t>(done);
  ++cycle_;
  return activity;
}

std::int64_t VectorExecution::skip_repeats(std::int64_t limit) {
  // A partial cycle leaves no operation: only full cycles come before it.
  const std::int64_t run = std::min(limit, remaining_ / lanes_);
  remaining_ -= run * lanes_;
  cycle_ += run;
  return run;
}

}  // namespace systole
