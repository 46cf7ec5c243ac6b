#pragma once
// How a table entry is scaled to the run's hardware: to the width of what
// an action moves or computes, to the capacity of the SRAM bank it hits, and
// to another technology node. One rule each, documented in docs/energy.md
// with its source; the energy model prints the figure each rule produced.

#include <cstdint>
#include <string>

#include "sim/energy/energy_table.hpp"

namespace systole {

// Energy (or area) at `bits_a` (× `bits_b` for a product) relative to the
// entry's `reference_bits`: 1 for None; bits_a / reference for Linear
// (adders, storage and wires move that many bits); bits_a·bits_b /
// reference² for Product (multipliers: 8/16/32-bit are 1 : 4 : 16).
double width_factor(WidthScaling scaling, int reference_bits, int bits_a, int bits_b);

// SRAM energy per access grows with the square root of the bank's capacity,
// at equal access width: Horowitz (ISSCC 2014) gives 10, 20 and 100 pJ per
// 64-bit read of 8 KB, 32 KB and 1 MB, i.e. 2× per 4× and 5× per 32×. The
// exponent is declared once here.
inline constexpr double kSramCapacityExponent = 0.5;
double capacity_factor(std::int64_t reference_bytes, std::int64_t bytes);

// Dynamic energy from `from_nm` to `to_nm` (Stillmaker and Baas 2017, as
// Accelergy applies them at 0.8 V; energy.md §5). Throws
// std::invalid_argument for a node the table of factors does not hold.
double technology_energy_factor(double from_nm, double to_nm);
// The nodes technology_energy_factor knows, for messages.
std::string technology_nodes();

}  // namespace systole
