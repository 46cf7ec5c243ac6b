#pragma once
// Which operand-matrix entries the array's edges carry in one cycle, for
// demand traces (sim/report/scalesim_traces.hpp). The array controller
// reports them only when a sink is attached, from its fold schedule alone:
// the same with and without operand values, and it decides no timing.
//
// Entries name the GEMM O = L · Rt of models/array/array_program.hpp: which
// of the layer's operands L and Rt are is the dataflow's business.

#include <cstdint>
#include <vector>

namespace systole {

struct EdgeEntry {
  int lane = 0;           // the edge row (left) or column (top, out) it passes
  int gemm = 0;           // which GEMM of the program
  std::int64_t row = 0;   // of L, Rt or O
  std::int64_t col = 0;
};

struct EdgeCycle {
  std::int64_t cycle = 0;        // relative to the program's first cycle
  std::vector<EdgeEntry> left;   // L entries into the left edge's rows
  std::vector<EdgeEntry> top;    // Rt entries into stationary registers (WS, IS) or the top edge (OS), per column
  std::vector<EdgeEntry> out;    // O entries leaving the array, per column
  bool empty() const { return left.empty() && top.empty() && out.empty(); }
  void clear() {
    left.clear();
    top.clear();
    out.clear();
  }
};

class EdgeTraceSink {
 public:
  virtual ~EdgeTraceSink() = default;
  // Called once for each cycle in which an edge carries an entry.
  virtual void edge_cycle(const EdgeCycle& edges) = 0;
};

}  // namespace systole
