#pragma once
// A sweep file (YAML, docs/sweeps.md): the base architecture, the axes over
// architecture keys, optional random sampling, the constraints that prune
// points before they run, the workloads every point runs and the figures
// the results keep. Reading it checks everything it can without running:
// every error is one line naming the file and line.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/workload/operand_source.hpp"

namespace systole {

// One axis: an architecture key ("section.key", as config_keys() names it)
// and the values it takes, as text set_config_key() reads.
struct SweepAxis {
  std::string key;
  std::vector<std::string> values;
  int line = 0;
};

struct SweepConstraint {
  std::string expression;
  int line = 0;
};

struct SweepWorkload {
  std::string path;   // as resolved against the sweep file's folder
  std::optional<std::int64_t> batch;
  int line = 0;
};

struct SweepSampling {
  std::int64_t points = 0;
  std::uint64_t seed = 1;
};

struct SweepFile {
  std::string path;          // the file it was read from
  std::string name;
  std::string base;          // a preset name or an INI file
  std::vector<std::pair<std::string, std::string>> fixed;  // key, value set on every point
  std::vector<SweepAxis> axes;
  std::optional<SweepSampling> sample;
  std::vector<SweepConstraint> constraints;
  std::vector<SweepWorkload> workloads;
  std::vector<std::string> figures;  // summary figures the results keep; empty: all
  std::string results_dir;           // where the databases go
  std::uint64_t seed = 1;            // of the random operands
  bool compute = true;               // false: every run is timing-only (RunOptions::compute)
  std::string sparsity;              // as --sparsity (empty: none)
  OperandSparsity parsed_sparsity;
};

SweepFile read_sweep_file(const std::string& path);

// The architecture key `name` names: a full "section.key", or a key's last
// part when only one key has it ("rows" is array.rows). Empty when none or
// several do.
std::string resolve_config_key(const std::string& name);

}  // namespace systole
