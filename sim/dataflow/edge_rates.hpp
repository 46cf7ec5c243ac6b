#pragma once
// How fast each fold of a GEMM dataflow may move data between the global
// buffer and the array (--memory dram): every path is as wide as the
// narrower of its NoC bus (models/noc/noc_config.hpp) and the buffer ports
// behind it (models/memory/buffer_config.hpp), and a fold needing more
// words per cycle than a path carries is spaced out. Which paths a fold
// uses, and how, is the dataflow's (GemmDataflow::set_fold_rates).
// Results that add to partial sums already in the buffer (K folds after the
// first, OS reduction chunks after the first) need a read port as well as a
// write port per value.
// Derivations: docs/timing-model.md.

#include <cstdint>

#include "models/memory/buffer_config.hpp"
#include "models/memory/tile_plan.hpp"
#include "sim/config/arch_config.hpp"

namespace systole {

// What sets a path's width: the NoC bus, or the buffer's ports (bank
// conflicts).
enum class RateLimit { Noc, Buffer };

struct FoldRateLimits {
  RateLimit stream = RateLimit::Noc;  // what spaces the stream elements
  RateLimit load_or_drain = RateLimit::Noc;
};

// Words per cycle a path carries (0: unlimited) and what limits it.
struct EdgePath {
  std::int64_t width = 0;
  RateLimit limit = RateLimit::Noc;
};

// The paths a step's folds use with `buffer`, the operands in `roles`.
struct EdgePaths {
  EdgePath left, top;
  EdgePath fresh;         // results of a fold that starts its outputs
  EdgePath accumulating;  // results added to partial sums in the buffer
};
EdgePaths edge_paths(const ArchConfig& arch, const BufferPartition& buffer, OperandRoles roles);

// Cycles per group of `words` words on `path`.
int spacing(std::int64_t words, const EdgePath& path);

}  // namespace systole
