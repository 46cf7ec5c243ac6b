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
  // Advances the memory system to the end of the program's cycle `cycle`
  // (once per cycle, in order; quiet cycles may be left out).
  virtual void tick(std::int64_t cycle) = 0;
  virtual bool ready(std::size_t fold) const = 0;
  // True while what `fold` waits for is a DRAM transfer (its tiles, or the
  // write-back that frees its output space; for one past the last fold, the
  // last write-backs) and nothing else is under way that ends without one,
  // so the array may sleep until a transfer finishes.
  virtual bool waiting_for_dram(std::size_t fold) const = 0;
  // Called when `fold` is ready: of its wait from cycle `earliest` (when the
  // array could have taken it) to now, the cycles due to the network-on-
  // chip's latency alone, and to the buffer's ports moving DRAM traffic
  // slower than DRAM did (filling its tiles, reading the write-back that
  // frees its output space). The rest waited for DRAM.
  struct Waits {
    std::int64_t noc_latency = 0;
    std::int64_t buffer_ports = 0;
  };
  virtual Waits waits(std::size_t fold, std::int64_t earliest) const = 0;
  virtual void started(std::size_t fold) = 0;
  // `values` results leave the array this cycle for the buffer, each
  // written there; `accumulating`: added to partial sums read there.
  virtual void results_collected(std::int64_t values, bool accumulating) = 0;
  virtual void finished(std::size_t fold) = 0;
  // Ends the program's cycle `cycle` (every cycle, quiet ones too, after
  // everything else the array did in it): the buffer's ports charge what
  // the array took of them.
  virtual void end_cycle(std::int64_t cycle) = 0;
  // Ends cycles [first, last], quiet ones in which the array took no port
  // and was not ticked: the same as end_cycle for each.
  virtual void end_quiet_cycles(std::int64_t first, std::int64_t last) = 0;
  // All results written back: the program may end.
  virtual bool drained() const = 0;
  // Bytes the memory has moved by the end of cycle `cycle` (called with
  // cycles in order, each at most the last one ticked).
  virtual std::int64_t bytes_moved(std::int64_t cycle) = 0;
  // The same for each of cycles [first, first + count), into by_end, in one
  // call: quiet runs ask it of thousands of cycles at once.
  virtual void bytes_moved_each(std::int64_t first, std::int64_t count, std::int64_t* by_end) = 0;
  // Of the cycles from `first`, at most `limit`, how many in a row a tick
  // would do nothing in but advance the memory, unless the memory finishes
  // something anyone waits on; 0 if the next tick may do more.
  virtual std::int64_t quiet_ticks(std::int64_t first, std::int64_t limit) const = 0;
  // Ticks cycles from `first` on, of the `count` quiet_ticks allowed, at
  // once, up to the first in which the memory finishes something; returns
  // how many it ticked and gives each one's bytes_moved into by_end.
  virtual std::int64_t tick_quiet(std::int64_t first, std::int64_t count, std::int64_t* by_end) = 0;
  // Then ends them: results_collected(results[i], accumulating), if any,
  // and end_cycle(first + i) for each, none of them finishing a fold.
  virtual void end_quiet_ticks(std::int64_t first, std::int64_t count, const std::uint32_t* results,
                               bool accumulating) = 0;
  // Bytes held now in each partition of the on-chip buffer (ifmap, filter,
  // ofmap).
  virtual void buffer_bytes(std::uint32_t held[3]) const = 0;
  // DRAM transfers under way, per partition (CycleActivity::dram_transfers).
  virtual void dram_transfers(std::uint32_t in_flight[3]) const = 0;
};

}  // namespace systole
