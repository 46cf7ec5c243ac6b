#pragma once
// The energy of each DRAM command and the background power of a rank, from
// the part's supply currents (DramSpec::power) and its timings, by the
// current-based method of DRAMPower and Micron's TN-40-07 ("Calculating
// Memory Power for DDR4 SDRAM"): a command costs what it draws above the
// standby current underneath it, for as long as it lasts. Per rail, summed
// over the rails, times the devices of a rank:
//   ACT        V·(IDD0 − IDD3N)·tRAS         the row open: IDD0 above active standby
//   PRE        V·(IDD0 − IDD2N)·(tRC − tRAS) the rest of IDD0's tRC, above precharge standby
//   RD burst   V·(IDD4R − IDD3N)·tBURST
//   WR burst   V·(IDD4W − IDD3N)·tBURST
//   REF        V·(IDD5B − IDD3N)·tRFC        all banks of the rank
//   active standby     V·IDD3N (power)
//   precharge standby  V·IDD2N (power)
// ACT + PRE is V·(IDD0·tRC − IDD3N·tRAS − IDD2N·(tRC − tRAS)), the IDD0
// measurement's charge less the standby it includes; DRAMPower splits it the
// same way. Each figure is an increment over the background, so a run's DRAM
// energy is Σ commands × their energy + Σ standby cycles × tCK × the power
// of their state, with the cycles as DramChannelStats counts them (a REF's
// tRFC in active standby, as the REF formula assumes).
//
// Modelled: the core rails (VDD and VPP; LPDDR4's VDD1 and VDD2) at the IDD
// values' conditions. Not modelled: I/O and termination (VDDQ, ODT), the PHY
// and the controller, power-down and self-refresh (the controller never
// enters them), data-dependent current, and temperature.

#include <optional>

#include "models/dram/dram_spec.hpp"

namespace systole {

// Per rank (all its devices): energies in pJ, powers in mW.
struct DramCommandEnergy {
  double activate_pj = 0;
  double precharge_pj = 0;
  double read_burst_pj = 0;
  double write_burst_pj = 0;
  double refresh_pj = 0;  // one all-bank REF
  double active_standby_mw = 0;
  double precharge_standby_mw = 0;

  double activate_precharge_pj() const { return activate_pj + precharge_pj; }
};

// Empty when the spec has no currents.
std::optional<DramCommandEnergy> dram_command_energy(const DramSpec& spec);

}  // namespace systole
