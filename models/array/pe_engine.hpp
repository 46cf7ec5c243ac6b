#pragma once
// How a computing program's PE grid is evaluated (`systole run --engine`).
//
// Cycle: every PE register, cycle by cycle (models/array/pe_array.hpp); the
// reference.
// Fold: each fold's results and gated MACs at once, when the fold is issued
// (models/array/fold_evaluation.hpp); the controller still runs every cycle
// as it runs a timing-only program, so every count and every output is the
// cycle engine's (tests/test_engines.cpp). A run that probes PE registers
// (a VCD's PE window) also ticks the grid, for its registers only, around
// the window (models/array/array_controller.hpp says how it starts).

#include <cstdint>

namespace systole {

enum class PeEngine { Cycle, Fold };

// The cycles whose PE registers are probed, first to last (a VCD's PE
// window), in a run's or a step's cycles: none when first > last.
struct ProbedCycles {
  std::int64_t first = 0;
  std::int64_t last = -1;

  bool empty() const { return first > last; }
  // The same cycles counted from `start`.
  ProbedCycles from(std::int64_t start) const { return {first - start, last - start}; }
};

}  // namespace systole
