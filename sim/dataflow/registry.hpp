#pragma once
// The dataflows Systole can run, by name (`array.dataflow`, `--dataflow`).
// Adding one: its implementation files in sim/dataflow/ and one line in
// registry.cpp's table.

#include <string>
#include <string_view>
#include <vector>

#include "sim/dataflow/dataflow.hpp"

namespace systole {

struct DataflowEntry {
  std::string_view name;
  std::string_view description;
  const Dataflow* dataflow;
};

// Every registered dataflow, in the order --help lists them.
const std::vector<DataflowEntry>& dataflows();
// The dataflow called `name`; null when there is none.
const Dataflow* find_dataflow(std::string_view name);
// "ws, os or is": the names, for help texts and errors.
std::string dataflow_names();

}  // namespace systole
