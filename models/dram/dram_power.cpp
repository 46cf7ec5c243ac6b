#include "models/dram/dram_power.hpp"

namespace systole {

std::optional<DramCommandEnergy> dram_command_energy(const DramSpec& spec) {
  if (!spec.power) return std::nullopt;
  // Volts × amperes × picoseconds = picojoules; volts × amperes × 1000 = mW.
  const double tck_ps = spec.tck_ps;
  const DramTiming& t = spec.t;
  const double ras = t.RAS * tck_ps, rc_after_ras = (t.RC - t.RAS) * tck_ps;
  const double burst = t.BURST * tck_ps, rfc = t.RFC * tck_ps;
  DramCommandEnergy e;
  for (const DramRail& r : spec.power->rails) {
    e.activate_pj += r.volts * (r.idd0 - r.idd3n) * ras;
    e.precharge_pj += r.volts * (r.idd0 - r.idd2n) * rc_after_ras;
    e.read_burst_pj += r.volts * (r.idd4r - r.idd3n) * burst;
    e.write_burst_pj += r.volts * (r.idd4w - r.idd3n) * burst;
    e.refresh_pj += r.volts * (r.idd5b - r.idd3n) * rfc;
    e.active_standby_mw += r.volts * r.idd3n * 1e3;
    e.precharge_standby_mw += r.volts * r.idd2n * 1e3;
  }
  const double devices = spec.power->devices;
  for (double* value : {&e.activate_pj, &e.precharge_pj, &e.read_burst_pj, &e.write_burst_pj, &e.refresh_pj,
                        &e.active_standby_mw, &e.precharge_standby_mw})
    *value *= devices;
  return e;
}

}  // namespace systole
