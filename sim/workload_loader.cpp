#include "sim/workload_loader.hpp"

#include "sim/input_error.hpp"
#include "sim/scalesim_topology.hpp"
#include "sim/text.hpp"

namespace systole {

Workload load_workload(const std::string& path, std::int64_t batch) {
  const std::string extension = to_lower(path.substr(path.find_last_of('.') + 1));
  if (path.find('.') == std::string::npos || (extension != "csv" && extension != "tsv"))
    throw_input_error(path, 0,
                      "unknown workload format (expected a SCALE-Sim topology .csv)");
  Workload workload = load_scalesim_topology(path);
  for (Layer& layer : workload.layers) {
    layer.batch = batch;
    if (const std::string problem = layer.problem(); !problem.empty())
      throw InputError("option --batch " + std::to_string(batch) + ": layer '" + layer.name +
                       "': " + problem);
  }
  return workload;
}

}  // namespace systole
