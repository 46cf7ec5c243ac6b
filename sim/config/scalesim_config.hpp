#pragma once
// Reads SCALE-Sim v2 architecture .cfg files (Python configparser syntax:
// `key : value` or `key = value`, case-insensitive keys, whole-line comments).
//
// ArrayHeight, ArrayWidth and Dataflow set the array; run_name names it. The
// SRAM sizes, offsets, bandwidth, memory banks and interface mode describe
// SCALE-Sim's memory model: with the ideal memory model they are accepted and
// reported as ignored.

#include <string>

#include "sim/config/arch_config.hpp"

namespace systole {

bool is_scalesim_config(const std::string& path);
ArchConfig load_scalesim_config(const std::string& path);

}  // namespace systole
