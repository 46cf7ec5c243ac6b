#pragma once
// energy.csv: one row per layer, component and action, with the count, the
// energy one action costs, the energy and the table entry (with its
// scaling) the cost came from; docs/outputs.md defines its columns.

#include <ostream>

#include "sim/energy/energy_model.hpp"
#include "sim/report/layer_stats.hpp"

namespace systole {

void write_energy_csv(std::ostream& out, const EnergyModel& model, const RunResult& result);

// The energy of every layer's actions together.
LayerEnergy run_energy(const EnergyModel& model, const RunResult& result);

}  // namespace systole
