#pragma once
// The vector unit beside the array: it runs what has no multiply-accumulate
// structure (pooling, element-wise adds, activation functions, softmax, RNN
// gate math) at a fixed number of operations per cycle, one operation per
// lane. Abstracted away: its data (the operations are counted, not computed)
// and its memory ports, which are ideal like the array's.

#include <cstdint>

#include "models/clocked_unit.hpp"
#include "models/vector_unit_config.hpp"

namespace systole {

class VectorUnit : public ClockedUnit {
 public:
  using ClockedUnit::ClockedUnit;
};

// `operations` element operations, `lanes` per cycle: ceil(operations / lanes)
// cycles.
class VectorExecution final : public Execution {
 public:
  VectorExecution(const VectorUnitConfig& config, std::int64_t operations);

  CycleActivity step() override;
  bool finished() const override { return remaining_ == 0; }
  std::int64_t cycles_elapsed() const override { return cycle_; }
  PeSnapshot probe(int, int) const override { return {}; }
  // Every cycle with all lanes busy does the same: the ones after a full
  // cycle, while enough operations remain to fill the lanes.
  bool may_repeat() const override { return remaining_ >= lanes_; }
  std::int64_t skip_repeats(std::int64_t limit) override;

 private:
  int lanes_;
  std::int64_t remaining_;
  std::int64_t cycle_ = 0;
};

}  // namespace systole
