#pragma once
// What a sweep runs: its points (axis_expansion.hpp) less those a constraint
// prunes, each with every workload: one run per (point, workload), keyed by
// its hash (point_hash.hpp). Task i of n (--shard i/n) runs the runs whose
// position in this list is i modulo n.

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/sweep/sweep_file.hpp"

namespace systole {

struct SweepRun {
  std::string hash;
  std::uint64_t point = 0;  // index in the axes' product
  std::size_t workload = 0;  // index into SweepFile::workloads
  std::vector<std::string> values;  // one per axis
  ArchConfig arch;
};

struct SweepPlan {
  std::vector<SweepRun> runs;
  std::uint64_t points = 0;         // points expanded (sampled)
  std::uint64_t pruned_points = 0;  // of which constraints pruned
};

// Throws InputError naming the sweep file and the constraint's line when a
// constraint does not parse or cannot be evaluated on a point.
SweepPlan plan_sweep(const SweepFile& sweep);

// The point's architecture: the base, the fixed keys, the axes' values.
ArchConfig point_arch(const SweepFile& sweep, const ArchConfig& base, const std::vector<std::string>& values);

// "i/n" with 0 <= i < n; throws InputError naming --shard.
std::pair<std::size_t, std::size_t> parse_shard(const std::string& text);

}  // namespace systole
