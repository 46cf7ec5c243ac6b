#pragma once
// A DRAM part: its organisation and timing parameters, in DRAM clock cycles
// (tCK), its supply currents when known, and presets for DDR4-2400,
// LPDDR4-3200 and HBM2 (one pseudo-channel). sim/config/memspec.hpp reads
// DRAMSys memspec files into it.
//
// What is modelled per channel is in models/dram/dram_controller.hpp; the values
// and their sources are in docs/dram.md.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace systole {

struct DramTiming {
  int RL = 0, WL = 0;          // read / write latency: column command to first data beat
  int RCD_RD = 0, RCD_WR = 0;  // ACT to READ / WRITE
  int RP = 0, RAS = 0, RC = 0;
  int BURST = 0;               // data-bus cycles per burst
  int CCD_S = 0, CCD_L = 0;    // column to column, other / same bank group
  int RRD_S = 0, RRD_L = 0;    // ACT to ACT, other / same bank group
  int FAW = 0;                 // window holding at most four ACTs
  int WR = 0;                  // write recovery: end of write data to PRE
  int RTP = 0;                 // READ to PRE
  int WTR_S = 0, WTR_L = 0;    // end of write data to READ, other / same bank group
  int RTW = 0;                 // READ to WRITE
  int RTRS = 0;                // gap between data bursts of different ranks
  int REFI = 0, RFC = 0;       // refresh interval and duration (all-bank)
};

// One supply rail of a DRAM device: its voltage and the JEDEC IDD currents
// drawn from it, per device, in SI units (volts, amperes) whatever the
// source's units. models/dram/dram_power.hpp turns them into energy.
struct DramRail {
  std::string name;  // VDD, VPP (DDR4, HBM2); VDD1, VDD2 (LPDDR4)
  double volts = 0;
  double idd0 = 0;   // one bank activated and precharged every tRC
  double idd2n = 0;  // precharge standby: every bank closed
  double idd3n = 0;  // active standby: a bank open
  double idd4r = 0;  // reading in bursts, back to back
  double idd4w = 0;  // writing in bursts, back to back
  double idd5b = 0;  // all-bank refresh, one REF every tRFC (burst refresh)
};

// What a rank draws: the core rails of each of its devices. The I/O rail
// (VDDQ) is left out: DRAMSys gives its currents for LPDDR4 only, and I/O
// and termination energy depend on the board as much as on the part.
struct DramPower {
  std::vector<DramRail> rails;
  int devices = 1;  // devices per rank, each drawing the rails' currents
};

struct DramSpec {
  std::string name;      // e.g. "ddr4-2400"
  std::string standard;  // DDR4, LPDDR4, HBM2
  std::string source;    // where the values come from
  double tck_ps = 0;
  int ranks = 1;
  int bank_groups = 1;
  int banks_per_group = 1;
  int rows = 0;
  int bursts_per_row = 0;  // columns of a row, in bursts
  int burst_bytes = 0;     // bytes one burst moves on the channel
  DramTiming t;
  // Empty when the source gives no currents (DRAMSys's HBM2 memspec has
  // only zeros); energy then needs a per-access figure from elsewhere.
  std::optional<DramPower> power;

  int banks() const { return bank_groups * banks_per_group; }
  // burst_bytes / BURST per tCK.
  double peak_gb_per_s() const { return burst_bytes / (t.BURST * tck_ps * 1e-3); }
};

DramSpec dram_preset(const std::string& name);  // throws std::invalid_argument
std::vector<std::string> dram_preset_names();

// Empty when the spec is usable, else what is wrong (zero banks, tRAS < tRCD, ...).
std::string dram_spec_problem(const DramSpec& spec);

}  // namespace systole
