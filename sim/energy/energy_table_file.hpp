#pragma once
// Reading an energy table from a YAML file, in either of two formats told
// apart by their content (docs/energy.md, "Energy table files"):
//
// - Systole's own table: `unit`, `technology_nm` and a list of `actions`,
//   each with its energy, the width it refers to and how it scales;
// - a name map onto an Accelergy energy reference table (ERT.yaml, as
//   Accelergy and Timeloop write it): `accelergy_ert` names the ERT and `map`
//   says which ERT table and action prices each of Systole's actions, and at
//   what width.
//
// Every malformed input is one InputError line naming the file, the line and
// the entry. A name Systole does not price is an error, so that a typo cannot
// become an energy of zero; an action the file does not give is not (the
// energy model reports it if a run performs it).

#include <string>
#include <vector>

#include "sim/energy/energy_table.hpp"

namespace systole {

// The actions Systole's energy model prices, as "component.action"
// ("multiplier.multiply", "buffer.read", ...): the only ones a file may give.
std::vector<std::string> known_actions();

EnergyTable read_energy_table_file(const std::string& path);

}  // namespace systole
