// Fuzz target: DRAMSys memspec JSON files (sim/config/memspec.cpp), read as
// `--dram FILE.json` reads them.

#include "fuzz/fuzz_target.hpp"
#include "sim/config/memspec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("memspec.json", data, size);
  systole::fuzz::expect_clean_outcome([&] { systole::resolve_dram(path, "dram"); });
  return 0;
}
