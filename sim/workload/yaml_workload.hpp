#pragma once
// Reads Systole's native workload format: a YAML file listing a network's
// layers, short enough to write by hand (docs/workloads.md has the schema).
//
//   name: tiny
//   batch: 4
//   layers:
//     - {name: conv1, type: conv, input: [32, 32, 3], filters: 16, kernel: 3, padding: 1}
//     - {name: pool1, type: pool, op: max, input: [32, 32, 16], kernel: 2, stride: 2}
//     - {name: fc, type: fc, inputs: 4096, outputs: 10}
//
// Errors name the file, the line and the field.

#include <string>

#include "sim/workload/workload.hpp"

namespace systole {

Workload load_yaml_workload(const std::string& path);

}  // namespace systole
