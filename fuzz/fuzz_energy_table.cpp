// Fuzz target: energy table files in Systole's own YAML format
// (sim/energy/energy_table_file.cpp), read as `--energy FILE.yaml` reads them.

#include "fuzz/fuzz_target.hpp"
#include "sim/energy/energy_table_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("energy.yaml", data, size);
  systole::fuzz::expect_clean_outcome([&] { systole::read_energy_table_file(path); });
  return 0;
}
