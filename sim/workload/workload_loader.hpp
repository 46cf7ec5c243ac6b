#pragma once
// Loads a workload file, choosing the reader by its extension: .yaml/.yml
// (native), .csv (SCALE-Sim topology), .onnx (ONNX model). A batch size given
// here replaces the file's (SCALE-Sim files have none: 1); for ONNX models it
// fills a symbolic batch dimension.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/workload/workload.hpp"

namespace systole {

struct WorkloadOptions {
  std::optional<std::int64_t> batch;
  // ONNX only: shapes of inputs with symbolic dimensions, and whether
  // unsupported operators are skipped (with a warning) or refused.
  std::map<std::string, std::vector<std::int64_t>> input_shapes;
  bool skip_unsupported = true;
};

Workload load_workload(const std::string& path, const WorkloadOptions& options);

}  // namespace systole
