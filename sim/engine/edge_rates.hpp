#pragma once
// How fast each fold may move data between the global buffer and the array
// (--memory dram): every path is as wide as the narrower of its NoC bus
// (models/noc/noc.hpp) and the buffer ports behind it (models/memory/global_buffer.hpp),
// and a fold needing more words per cycle than a path carries is spaced out:
//  - stream: one word per used edge row (left path) per element, and in OS
//    one per used column (top path); in WS/IS each element also sends one
//    partial sum per used column out of the bottom edge (out path);
//  - stationary rows (WS/IS): a whole row of C words each (top path);
//  - OS results: column ports send one result each per drain_spacing cycles,
//    so that at most the out path's width leave together.
// Results that add to partial sums already in the buffer (K folds after the
// first, OS reduction chunks after the first) need a read port as well as a
// write port per value.
// Derivations: docs/timing-model.md.

#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/engine/mapping.hpp"

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

// The paths a step's folds use with `buffer`.
struct EdgePaths {
  EdgePath left, top;
  EdgePath fresh;         // results of a fold that starts its outputs
  EdgePath accumulating;  // results added to partial sums in the buffer
};
EdgePaths edge_paths(const ArchConfig& arch, const BufferPartition& buffer);

// Sets one fold's stream, load and drain spacings; returns what sets them.
FoldRateLimits set_fold_rates(const EdgePaths& paths, ArrayMode mode, int array_cols, Fold& fold);

// Sets every fold's stream, load and drain spacings for a step that runs
// with `buffer`; returns, per fold, what sets them.
std::vector<FoldRateLimits> apply_edge_rates(const ArchConfig& arch, const BufferPartition& buffer,
                                             Mapping& mapping);

}  // namespace systole
