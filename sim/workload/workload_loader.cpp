#include "sim/workload/workload_loader.hpp"

#include "sim/config/input_error.hpp"
#include "sim/workload/onnx_workload.hpp"
#include "sim/workload/scalesim_topology.hpp"
#include "sim/config/text.hpp"
#include "sim/workload/yaml_workload.hpp"

namespace systole {

Workload load_workload(const std::string& path, const WorkloadOptions& options) {
  const std::optional<std::int64_t>& batch = options.batch;
  const std::size_t dot = path.find_last_of('.');
  const std::string extension = dot == std::string::npos ? "" : to_lower(path.substr(dot + 1));
  Workload workload;
  if (!options.input_shapes.empty() && extension != "onnx")
    throw InputError("option --input-shape applies to ONNX models only");
  if (extension == "onnx") {
    OnnxOptions onnx;
    onnx.input_shapes = options.input_shapes;
    onnx.batch = batch.value_or(1);
    onnx.skip_unsupported = options.skip_unsupported;
    return load_onnx_workload(path, onnx);
  }
  if (extension == "yaml" || extension == "yml")
    workload = load_yaml_workload(path);
  else if (extension == "csv" || extension == "tsv")
    workload = load_scalesim_topology(path);
  else
    throw_input_error(path, 0,
                      "unknown workload format (expected .yaml, .onnx, or a SCALE-Sim topology .csv)");
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
