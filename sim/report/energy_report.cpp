#include "sim/report/energy_report.hpp"

#include "sim/report/csv.hpp"

namespace systole {

LayerEnergy run_energy(const EnergyModel& model, const RunResult& result) {
  Counters totals;
  for (const LayerStats& layer : result.layers) totals += layer.counters;
  return model.price(totals);
}

void write_energy_csv(std::ostream& out, const EnergyModel& model, const RunResult& result) {
  out << "layer,component,action,count,count_unit,energy_per_action,energy,unit,kind,entry\n";
  const auto row = [&](const std::string& layer, const EnergyLine& line) {
    out << csv_field(layer) << ',' << line.component << ',' << line.action << ',' << line.count << ','
        << csv_field(line.count_unit) << ',' << csv_number(line.per_action) << ',' << csv_number(line.energy) << ','
        << csv_field(model.unit()) << ',' << (line.background ? "background" : "dynamic") << ','
        << csv_field(line.entry) << '\n';
  };
  for (const LayerStats& layer : result.layers)
    for (const EnergyLine& line : model.price(layer.counters).lines) row(layer.name, line);
}

}  // namespace systole
