#pragma once
// Reads SCALE-Sim v2 architecture .cfg files (Python configparser syntax:
// `key : value` or `key = value`, case-insensitive keys, whole-line comments).
//
// ArrayHeight, ArrayWidth and Dataflow set the array; run_name names it; the
// SRAM sizes set the buffer partitions; IfmapOffset, FilterOffset and
// OfmapOffset the bases of the demand traces' address spaces (--traces,
// ArchConfig::scalesim_offsets). Bandwidth, memory banks and the interface
// mode describe SCALE-Sim's memory model: they are accepted and reported as
// ignored.

#include <string>

#include "sim/config/arch_config.hpp"

namespace systole {

bool is_scalesim_config(const std::string& path);
ArchConfig load_scalesim_config(const std::string& path);

}  // namespace systole
