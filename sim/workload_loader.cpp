#include "sim/workload_loader.hpp"

#include "sim/input_error.hpp"
#include "sim/scalesim_topology.hpp"
#include "sim/text.hpp"
#include "sim/yaml_workload.hpp"

namespace systole {

Workload load_workload(const std::string& path, std::optional<std::int64_t> batch) {
  const std::size_t dot = path.find_last_of('.');
  const std::string extension = dot == std::string::npos ? "" : to_lower(path.substr(dot + 1));
  Workload workload;
  if (extension == "yaml" || extension == "yml")
    workload = load_yaml_workload(path);
  else if (extension == "csv" || extension == "tsv")
    workload = load_scalesim_topology(path);
  else
    throw_input_error(path, 0,
                      "unknown workload format (expected .yaml, or a SCALE-Sim topology .csv)");
  if (!batch) return workload;
  for (Layer& layer : workload.layers) {
    layer.batch = *batch;
    if (const std::string problem = layer.problem(); !problem.empty())
      throw InputError("option --batch " + std::to_string(*batch) + ": layer '" + layer.name +
                       "': " + problem);
  }
  return workload;
}

}  // namespace systole
