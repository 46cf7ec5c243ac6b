#pragma once
// Loads a workload file, choosing the reader by its format, and applies the
// run's batch size.

#include <cstdint>
#include <string>

#include "sim/workload.hpp"

namespace systole {

Workload load_workload(const std::string& path, std::int64_t batch);

}  // namespace systole
