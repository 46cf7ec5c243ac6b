// Fuzz target: Systole's native INI architecture files
// (sim/config/arch_config.cpp), read as `systole run --arch FILE` reads them,
// then checked and turned into the JSON the reports embed.

#include "fuzz/fuzz_target.hpp"
#include "sim/config/arch_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("arch.ini", data, size);
  systole::fuzz::expect_clean_outcome([&] {
    const systole::ArchConfig config = systole::load_arch_config(path);
    systole::validate(config, path);
    systole::to_json(config).dump();
  });
  return 0;
}
