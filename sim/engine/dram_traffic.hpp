#pragma once
// Drives a multi-channel DRAM with a synthetic request stream and measures
// it: achieved bandwidth against the peak, request latency, row-buffer hits,
// misses and conflicts, refreshes. `systole dram` prints it; the DRAM tests
// use it to check the model against the timing formulas.

#include <cstdint>
#include <string>
#include <vector>

#include "models/dram/dram_address_mapping.hpp"
#include "models/dram/dram_controller.hpp"
#include "models/dram/dram_spec.hpp"

namespace systole {

enum class TrafficPattern { Sequential, Random };

struct DramTrafficOptions {
  TrafficPattern pattern = TrafficPattern::Sequential;
  std::int64_t requests = 100000;  // bursts
  double write_fraction = 0;
  std::uint64_t seed = 1;
  int channels = 1;
  std::string mapping = "ch,bg,co,ba,ra,ro";
  DramControllerConfig controller;
};

struct DramTrafficResult {
  std::int64_t cycles = 0;  // DRAM cycles until the last request completed
  std::int64_t bytes = 0;
  double seconds = 0;
  double gb_per_s = 0;
  double peak_gb_per_s = 0;  // all channels
  double mean_latency_ns = 0, max_latency_ns = 0;
  DramChannelStats totals;
  std::vector<std::vector<DramCommandRecord>> commands;  // per channel, when recorded
};

DramTrafficResult run_dram_traffic(const DramSpec& spec, const DramTrafficOptions& options);

}  // namespace systole
