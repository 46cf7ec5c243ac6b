// Fuzz target: Accelergy energy reference tables (ERT.yaml), read through a
// fixed map file as `--energy map.yaml` reads them
// (sim/energy/energy_table_file.cpp). The map asks for the tables and actions
// of the seed corpus's ERTs (tests/data/energy/accelergy_map.yaml's).

#include <string_view>

#include "fuzz/fuzz_target.hpp"
#include "sim/energy/energy_table_file.hpp"

namespace {

constexpr std::string_view kMap = R"(accelergy_ert: ERT.yaml
technology_nm: 45
map:
  - {component: multiplier, action: multiply, ert: PE.mac, ert_action: mac_random, width_bits: 16, scaling: product}
  - {component: multiplier, action: gated, ert: "PE[0..255].mac", ert_action: mac_gated, width_bits: 16, scaling: product}
  - {component: register, action: read, ert: weights_reg, ert_action: access, width_bits: 16}
  - {component: buffer, action: read, ert: shared_glb, ert_action: read, width_bits: 64, capacity_bytes: 65536}
  - {component: buffer, action: write, ert: chip.shared_glb, ert_action: write, width_bits: 64, capacity_bytes: 65536}
  - {component: dram, action: read, ert: DRAM, ert_action: read, width_bits: 64}
  - {component: dram, action: write, ert: system.DRAM, ert_action: write, width_bits: 64}
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  systole::fuzz::write_scratch_file("ERT.yaml", data, size);
  const std::string map = systole::fuzz::write_scratch_file(
      "map.yaml", reinterpret_cast<const std::uint8_t*>(kMap.data()), kMap.size());
  systole::fuzz::expect_clean_outcome([&] { systole::read_energy_table_file(map); });
  return 0;
}
