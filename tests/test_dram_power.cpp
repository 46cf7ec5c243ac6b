// The energy per DRAM command computed from a part's currents
// (models/dram/dram_power.hpp), against figures derived by hand from the
// formulas of ../shared/reference/dram.md §10.

#include <catch2/catch.hpp>

#include "models/dram/dram_power.hpp"

using namespace systole;

TEST_CASE("dram.md §10's DDR4 figures follow from its inputs", "[dram][energy]") {
  // §10's inputs (MICRON_4Gb_DDR4-2400_8bit_A.json, per x8 device): VDD
  // 1.2 V, IDD0 60.75 mA, IDD2N 38.25 mA, IDD3N 44.0 mA, IDD4R 184.5 mA,
  // IDD4W 168.75 mA, IDD5B 118 mA, VPP 2.5 V, IPP0 4.05 mA; tRC 45.8 ns,
  // tRAS 32.5 ns, tBURST 3.33 ns, tRFC 260 ns. mA × V × ns = pJ.
  // ACT + PRE: 1.2 × (60.75 × 45.8 − 44.0 × 32.5 − 38.25 × 13.3)
  //            + 2.5 × 4.05 × 45.8 = 1012.35 + 463.725 = 1476.1 pJ
  const double act_pre = 1.2 * (60.75 * 45.8 - 44.0 * 32.5 - 38.25 * (45.8 - 32.5)) + 2.5 * 4.05 * 45.8;
  CHECK(act_pre == Approx(1476.075));
  // Read burst: (184.5 − 44.0) × 1.2 × 3.33 = 561.4 pJ; write:
  // (168.75 − 44.0) × 1.2 × 3.33 = 498.5 pJ; REF: (118 − 44) × 1.2 × 260
  // = 23088 pJ; background 44.0 × 1.2 = 52.8 mW and 38.25 × 1.2 = 45.9 mW.
  const double read = (184.5 - 44.0) * 1.2 * 3.33, write = (168.75 - 44.0) * 1.2 * 3.33;
  const double refresh = (118 - 44.0) * 1.2 * 260;
  // §10's published values, to their rounding: per device ≈ 1.5 nJ, 0.56 nJ
  // (8.8 pJ/bit), 0.50 nJ (7.8 pJ/bit), 23 nJ, 52.8 mW, 45.9 mW; per 64-bit
  // rank of 8 devices ≈ 12 nJ, 4.5 nJ, 4.0 nJ, 185 nJ, 422 mW, 367 mW.
  CHECK(act_pre / 1000 == Approx(1.5).margin(0.05));
  CHECK(read / 1000 == Approx(0.56).margin(0.005));
  CHECK(read / 64 == Approx(8.8).margin(0.05));
  CHECK(write / 1000 == Approx(0.50).margin(0.005));
  CHECK(write / 64 == Approx(7.8).margin(0.05));
  CHECK(refresh / 1000 == Approx(23).margin(0.5));
  CHECK(44.0 * 1.2 == Approx(52.8));
  CHECK(38.25 * 1.2 == Approx(45.9));
  CHECK(8 * act_pre / 1000 == Approx(12).margin(0.5));
  CHECK(8 * read / 1000 == Approx(4.5).margin(0.05));
  CHECK(8 * write / 1000 == Approx(4.0).margin(0.05));
  CHECK(8 * refresh / 1000 == Approx(185).margin(0.5));
  CHECK(8 * 44.0 * 1.2 == Approx(422).margin(0.5));
  CHECK(8 * 38.25 * 1.2 == Approx(367).margin(0.5));
}

TEST_CASE("DDR4-2400: energy per command from the preset's currents and timings", "[dram][energy]") {
  const DramSpec spec = dram_preset("ddr4-2400");
  const auto energy = dram_command_energy(spec);
  REQUIRE(energy);
  // The preset's timings in ns (tCK 0.833333 ns): tRAS 39 → 32.5, tRC − tRAS
  // 16 → 13.3333, tBURST 4 → 3.33333, tRFC 312 → 260. Per x8 device,
  // mA × V × ns = pJ:
  //   ACT  1.2 × (60.75 − 44.0) × 32.5 + 2.5 × 4.05 × 32.5 = 653.25 + 329.06 = 982.31
  //   PRE  1.2 × (60.75 − 38.25) × 13.3333 + 2.5 × 4.05 × 13.3333 = 360 + 135 = 495.00
  //   RD   1.2 × (184.5 − 44.0) × 3.33333 = 562.00
  //   WR   1.2 × (168.75 − 44.0) × 3.33333 = 499.00
  //   REF  1.2 × (118 − 44.0) × 260 = 23088
  //   active standby 1.2 × 44.0 = 52.8 mW, precharge standby 1.2 × 38.25 = 45.9 mW
  // and 8 devices per rank.
  const double eps = 1e-5;
  CHECK(energy->activate_pj == Approx(8 * 982.3125).epsilon(eps));
  CHECK(energy->precharge_pj == Approx(8 * 495.0).epsilon(eps));
  CHECK(energy->activate_precharge_pj() == Approx(8 * 1477.3125).epsilon(eps));
  CHECK(energy->read_burst_pj == Approx(8 * 562.0).epsilon(eps));
  CHECK(energy->write_burst_pj == Approx(8 * 499.0).epsilon(eps));
  CHECK(energy->refresh_pj == Approx(8 * 23088.0).epsilon(eps));
  CHECK(energy->active_standby_mw == Approx(8 * 52.8).epsilon(eps));
  CHECK(energy->precharge_standby_mw == Approx(8 * 45.9).epsilon(eps));
  // The preset's timings are §10's to its rounding, so its figures are too.
  CHECK(energy->activate_precharge_pj() / 8 / 1000 == Approx(1.5).margin(0.05));
  CHECK(energy->read_burst_pj / 8 / 1000 == Approx(0.56).margin(0.005));
  CHECK(energy->refresh_pj / 8 / 1000 == Approx(23).margin(0.5));
}

TEST_CASE("LPDDR4-3200: energy per command sums its two core rails", "[dram][energy]") {
  const auto energy = dram_command_energy(dram_preset("lpddr4-3200"));
  REQUIRE(energy);
  // tCK 0.625 ns: tRAS 68 → 42.5 ns, tRC − tRAS 29 → 18.125 ns (per-bank
  // tRP), tBURST 8 → 5 ns, tRFC 448 → 280 ns. VDD1 1.8 V + VDD2 1.1 V, one
  // x16 device, mA × V × ns = pJ:
  //   ACT  1.8 × (3.5 − 2.25) × 42.5 + 1.1 × (45 − 30) × 42.5 = 95.625 + 701.25 = 796.875
  //   PRE  1.8 × (3.5 − 2.0) × 18.125 + 1.1 × (45 − 27) × 18.125 = 48.9375 + 358.875 = 407.8125
  //   RD   1.8 × (2.25 − 2.25) × 5 + 1.1 × (275 − 30) × 5 = 1347.5
  //   WR   1.1 × (210 − 30) × 5 = 990
  //   REF  1.8 × (10 − 2.25) × 280 + 1.1 × (90 − 30) × 280 = 3906 + 18480 = 22386
  //   standby 1.8 × 2.25 + 1.1 × 30 = 37.05 mW, 1.8 × 2.0 + 1.1 × 27 = 33.3 mW
  CHECK(energy->activate_pj == Approx(796.875));
  CHECK(energy->precharge_pj == Approx(407.8125));
  CHECK(energy->read_burst_pj == Approx(1347.5));
  CHECK(energy->write_burst_pj == Approx(990));
  CHECK(energy->refresh_pj == Approx(22386));
  CHECK(energy->active_standby_mw == Approx(37.05));
  CHECK(energy->precharge_standby_mw == Approx(33.3));
}

TEST_CASE("HBM2 has no currents, so no energy per command", "[dram][energy]") {
  CHECK_FALSE(dram_preset("hbm2").power);
  CHECK_FALSE(dram_command_energy(dram_preset("hbm2")));
}
