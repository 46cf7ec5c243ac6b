#pragma once
// What stands between the array controller and memory: the controller asks
// whether a fold's operands are on chip before issuing it, and reports when a
// fold starts and when its last result has left the array. Without a gate,
// memory is ideal.

#include <cstddef>
#include <cstdint>

namespace systole {

class FoldGate {
 public:
  virtual ~FoldGate() = default;
  // Advances the memory system to accelerator cycle `cycle` (once per cycle).
  virtual void tick(std::int64_t cycle) = 0;
  virtual bool ready(std::size_t fold) const = 0;
  virtual void started(std::size_t fold) = 0;
  virtual void finished(std::size_t fold) = 0;
  // All results written back: the program may end.
  virtual bool drained() const = 0;
  // Bytes the memory has moved so far (monotonic).
  virtual std::int64_t bytes_moved() const = 0;
};

}  // namespace systole
