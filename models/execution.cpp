#include "models/execution.hpp"

#include "models/cycle_totals.hpp"

namespace systole {

std::int64_t Execution::step_quiet_run(CycleActivity* cycles, std::int64_t count, CycleTotals& totals, bool) {
  for (std::int64_t c = 0; c < count; ++c) {
    cycles[c] = step_quiet();
    totals.add(cycles[c]);
  }
  return count;
}

}  // namespace systole
