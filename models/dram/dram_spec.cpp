#include "models/dram/dram_spec.hpp"

#include <algorithm>
#include <stdexcept>

namespace systole {

namespace {

DramSpec ddr4_2400() {
  DramSpec s;
  s.name = "ddr4-2400";
  s.standard = "DDR4";
  s.source = "DRAMSys configs/memspec/JEDEC_4Gb_DDR4-2400_8bit_A.json (x8 devices, 64-bit rank)";
  s.tck_ps = 833.333;
  s.bank_groups = 4;
  s.banks_per_group = 4;
  s.rows = 32768;
  s.bursts_per_row = 128;  // 1024 columns per device, BL8
  s.burst_bytes = 64;
  DramTiming& t = s.t;
  t.RL = 16;
  t.WL = 16;
  t.RCD_RD = t.RCD_WR = 16;
  t.RP = 16;
  t.RAS = 39;
  t.RC = 55;
  t.BURST = 4;
  t.CCD_S = 4;
  t.CCD_L = 6;
  t.RRD_S = 4;
  t.RRD_L = 6;
  t.FAW = 26;
  t.WR = 18;
  t.RTP = 12;
  t.WTR_S = 3;
  t.WTR_L = 9;
  t.RTW = t.RL + t.BURST + 2 - t.WL;  // JEDEC DDR4 read-to-write turnaround
  t.RTRS = 1;
  t.REFI = 9360;                      // 7.8 µs: normal temperature range
  t.RFC = 312;                        // RFC1, 4 Gb
  // The same file's mempowerspec (memoryId MICRON_4Gb_DDR4-2400_8bit_A; the
  // currents of DRAMSys's MICRON_4Gb_DDR4-2400_8bit_A.json too), per x8
  // device. Its VPP draws only during activation (ipp2n, ipp3n, ipp4r,
  // ipp4w and ipp5B are 0 there).
  DramPower power;
  power.devices = 8;
  power.rails = {{"VDD", 1.2, 60.75e-3, 38.25e-3, 44.0e-3, 184.5e-3, 168.75e-3, 118.0e-3},
                 {"VPP", 2.5, 4.05e-3, 0, 0, 0, 0, 0}};
  s.power = power;
  return s;
}

DramSpec lpddr4_3200() {
  DramSpec s;
  s.name = "lpddr4-3200";
  s.standard = "LPDDR4";
  s.source = "DRAMSys configs/memspec/JEDEC_8Gb_LPDDR4-3200_16bit.json (x16 channel; tDQSCK not added)";
  s.tck_ps = 625;
  s.bank_groups = 1;
  s.banks_per_group = 8;
  s.rows = 65536;
  s.bursts_per_row = 64;  // 1024 columns, BL16
  s.burst_bytes = 32;
  DramTiming& t = s.t;
  t.RL = 28;
  t.WL = 14;
  t.RCD_RD = t.RCD_WR = 29;
  t.RP = 29;  // per-bank precharge
  t.RAS = 68;
  t.RC = 97;
  t.BURST = 8;
  t.CCD_S = t.CCD_L = 8;
  t.RRD_S = t.RRD_L = 16;
  t.FAW = 64;
  t.WR = 29;
  t.RTP = 12;
  t.WTR_S = t.WTR_L = 16;
  // JEDEC LPDDR4 read-to-write: RL + tDQSCK + BL/2 - WL + tWPRE + tRPST, with
  // DRAMSys's DQSCK 6, a 2-cycle write preamble and the 0.5-cycle read
  // postamble rounded up.
  t.RTW = t.RL + 6 + t.BURST - t.WL + 2 + 1;
  t.RTRS = 1;
  t.REFI = 6246;  // 3.9 µs
  t.RFC = 448;    // all-bank, 8 Gb per channel
  // The same file's mempowerspec: idd01/idd02, idd2n1/idd2n2, idd3n1/idd3n2,
  // idd4r1/idd4r2, idd4w1/idd4w2, idd51/idd52 (IDD5: all-bank refresh burst).
  DramPower power;
  power.rails = {{"VDD1", 1.8, 3.5e-3, 2.0e-3, 2.25e-3, 2.25e-3, 2.25e-3, 10.0e-3},
                 {"VDD2", 1.1, 45.0e-3, 27.0e-3, 30.0e-3, 275.0e-3, 210.0e-3, 90.0e-3}};
  s.power = power;
  return s;
}

DramSpec hbm2() {
  DramSpec s;
  s.name = "hbm2";
  s.standard = "HBM2";
  s.source = "DRAMSys configs/memspec/HBM2.json (one 64-bit pseudo-channel; vendor-tuned values)";
  s.tck_ps = 1000;
  s.bank_groups = 4;
  s.banks_per_group = 4;
  s.rows = 32768;
  s.bursts_per_row = 32;
  s.burst_bytes = 32;
  DramTiming& t = s.t;
  t.RL = 17;
  t.WL = 7;
  t.RCD_RD = 12;
  t.RCD_WR = 6;
  t.RP = 14;
  t.RAS = 28;
  t.RC = 42;
  t.BURST = 2;
  t.CCD_S = 2;
  t.CCD_L = 3;
  t.RRD_S = 4;
  t.RRD_L = 6;
  t.FAW = 16;
  t.WR = 14;
  t.RTP = 5;
  t.WTR_S = 4;
  t.WTR_L = 9;
  t.RTW = 18;
  t.REFI = 3900;
  t.RFC = 220;
  // No currents: every one in HBM2.json's mempowerspec is 0 (DRAMsim3's
  // HBM2 configs have some, for other timings and a 128-bit channel;
  // docs/dram.md).
  return s;
}

}  // namespace

DramSpec dram_preset(const std::string& name) {
  if (name == "ddr4-2400") return ddr4_2400();
  if (name == "lpddr4-3200") return lpddr4_3200();
  if (name == "hbm2") return hbm2();
  throw std::invalid_argument("unknown DRAM preset '" + name + "' (expected ddr4-2400, lpddr4-3200 or hbm2)");
}

std::vector<std::string> dram_preset_names() { return {"ddr4-2400", "lpddr4-3200", "hbm2"}; }

std::string dram_spec_problem(const DramSpec& s) {
  if (s.banks() <= 0) return "the DRAM has no banks";
  if (s.ranks <= 0) return "the DRAM has no ranks";
  if (s.rows <= 0 || s.bursts_per_row <= 0) return "rows and columns must be positive";
  if (s.burst_bytes <= 0 || s.t.BURST <= 0) return "bursts must move data (burst length, width)";
  if (s.tck_ps <= 0) return "tCK must be positive";
  const DramTiming& t = s.t;
  if (t.RAS < t.RCD_RD || t.RAS < t.RCD_WR)
    return "tRAS (" + std::to_string(t.RAS) + ") is shorter than tRCD (" + std::to_string(std::max(t.RCD_RD, t.RCD_WR)) + ")";
  if (t.RC < t.RAS + t.RP)
    return "tRC (" + std::to_string(t.RC) + ") is shorter than tRAS + tRP (" + std::to_string(t.RAS + t.RP) + ")";
  // A refresh takes tRFC every tREFI; real parts leave well over three
  // quarters of the time to accesses (tREFI is 8 to 30 times tRFC).
  if (t.REFI > 0 && 4 * t.RFC > t.REFI)
    return "tREFI (" + std::to_string(t.REFI) + ") must be at least 4 times tRFC (" + std::to_string(t.RFC) + ")";
  if (t.CCD_S < t.BURST || t.CCD_L < t.BURST) return "tCCD is shorter than a burst";
  if (t.RL <= 0 || t.WL <= 0) return "read and write latencies must be positive";
  return {};
}

}  // namespace systole
