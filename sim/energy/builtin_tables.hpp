#pragma once
// The energy tables built into Systole, by name (`--energy NAME`), each from
// published figures (../shared/reference/energy.md gives the sources):
// eyeriss-normalized (ISCA 2016 ratios, in MAC-equivalents), 65nm-16bit
// (nn_dataflow's calibration to the Eyeriss chip, pJ) and 45nm (Horowitz,
// ISSCC 2014, pJ). Where a source has no figure for an action, the entry
// says how it was derived or why it is zero.

#include <string>
#include <vector>

#include "sim/energy/energy_table.hpp"

namespace systole {

// The built-in table `name`, or nullptr.
const EnergyTable* find_builtin_table(const std::string& name);
std::vector<std::string> builtin_table_names();

}  // namespace systole
