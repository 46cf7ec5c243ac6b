#include "sim/dataflow/registry.hpp"

#include "sim/dataflow/input_stationary.hpp"
#include "sim/dataflow/output_stationary.hpp"
#include "sim/dataflow/row_stationary.hpp"
#include "sim/dataflow/weight_stationary.hpp"

namespace systole {

const std::vector<DataflowEntry>& dataflows() {
  static const WeightStationary weight_stationary;
  static const OutputStationary output_stationary;
  static const InputStationary input_stationary;
  static const RowStationary row_stationary;
  static const std::vector<DataflowEntry> entries = {
      {"ws", "weight stationary: filters stay in the PEs, inputs stream", &weight_stationary},
      {"os", "output stationary: outputs accumulate in the PEs, inputs and filters stream", &output_stationary},
      {"is", "input stationary: inputs stay in the PEs, filters stream", &input_stationary},
      {"rs", "row stationary (Eyeriss): filter rows stay in the PEs' scratchpads, input rows slide past them",
       &row_stationary},
  };
  return entries;
}

const Dataflow* find_dataflow(std::string_view name) {
  for (const DataflowEntry& entry : dataflows())
    if (entry.name == name) return entry.dataflow;
  return nullptr;
}

std::string dataflow_names() {
  const std::vector<DataflowEntry>& entries = dataflows();
  std::string names;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (i > 0) names += i + 1 == entries.size() ? " or " : ", ";
    names += entries[i].name;
  }
  return names;
}

}  // namespace systole
