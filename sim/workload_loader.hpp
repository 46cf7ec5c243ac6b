#pragma once
// Loads a workload file, choosing the reader by its extension: .yaml/.yml
// (native), .csv (SCALE-Sim topology). A batch size given here replaces the
// file's (SCALE-Sim files have none: 1).

#include <cstdint>
#include <optional>
#include <string>

#include "sim/workload.hpp"

namespace systole {

Workload load_workload(const std::string& path, std::optional<std::int64_t> batch);

}  // namespace systole
