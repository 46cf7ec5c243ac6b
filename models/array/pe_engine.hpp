#pragma once
// How a computing program's PE grid is evaluated (`systole run --engine`).
//
// Cycle: every PE register, cycle by cycle (models/array/pe_array.hpp); the
// reference.
// Fold: each fold's results and gated MACs at once, when the fold is issued
// (models/array/fold_evaluation.hpp); the controller still runs every cycle
// as it runs a timing-only program, so every count and every output is the
// cycle engine's (tests/test_engines.cpp). A run that probes PE registers
// (a VCD's PE window) also ticks the grid, for its registers only, from the
// start of each step through the window's last cycle: after it, nothing
// reads them.

namespace systole {

enum class PeEngine { Cycle, Fold };

}  // namespace systole
