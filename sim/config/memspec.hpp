#pragma once
// Reads a DRAMSys memspec JSON file (memarchitecturespec, memtimingspec and,
// when there, mempowerspec, with DRAMSys's key names for DDR4, LPDDR4 and
// HBM2) into a DramSpec, so users can bring their own parts. Errors name the
// file and the key.

#include <string>

#include "models/dram/dram_spec.hpp"

namespace systole {

DramSpec load_memspec(const std::string& path);

// A preset name or a memspec path; throws InputError naming `option`.
DramSpec resolve_dram(const std::string& name_or_path, const std::string& option);

}  // namespace systole
