// Fuzz target: SCALE-Sim v2 .cfg architecture files
// (sim/config/scalesim_config.cpp), through the same entry point as
// `systole run --arch FILE.cfg`, then checked and turned into JSON.

#include "fuzz/fuzz_target.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/config/scalesim_config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("arch.cfg", data, size);
  systole::fuzz::expect_clean_outcome([&] {
    const systole::ArchConfig config = systole::load_scalesim_config(path);
    systole::validate(config, path);
    systole::to_json(config).dump();
  });
  return 0;
}
