#pragma once
// The interface between a clocked SystemC module and the work it runs (a
// program on the array, a batch of operations on the vector unit): advance
// one cycle, report what happened, expose PE registers for tracing.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace systole {

struct CycleTotals;

// Vector: the vector unit is working and the array is idle.
enum class Phase : std::uint8_t { Idle = 0, Load = 1, Stream = 2, Drain = 3, Vector = 4 };

// The PE registers whose reads and writes are counted, by kind: stationary
// (WS weights, IS inputs), moving operands (left, and top in OS), and
// partial sums (WS/IS) or accumulators (OS).
enum class RegisterFile { Stationary = 0, Operand = 1, PartialSum = 2 };
inline constexpr int kRegisterFiles = 3;

// Neighbour links: operands move right along rows; partial sums (WS, IS) or
// operands (OS) move down columns.
enum class LinkDirection { Horizontal = 0, Vertical = 1 };
inline constexpr int kLinkDirections = 2;

struct CycleActivity {
  std::int64_t cycle = 0;    // relative to the program's first cycle
  int fold = -1;             // newest fold that has started
  Phase phase = Phase::Idle;
  std::uint32_t active_pes = 0;  // PEs doing a valid MAC
  std::uint32_t gated_macs = 0;  // of which with a zero operand
  std::uint32_t vector_operations = 0;
  // Reads and writes of the PEs' registers, by RegisterFile.
  std::uint32_t register_reads[kRegisterFiles] = {0, 0, 0};
  std::uint32_t register_writes[kRegisterFiles] = {0, 0, 0};
  // Words on each network of the NoC (models/noc/noc.hpp Network): into the
  // left edge, into the top edge or stationary rows, out of the array.
  std::uint32_t noc_words[3] = {0, 0, 0};
  // Values that moved over a neighbour link between PEs, by LinkDirection.
  std::uint32_t link_hops[2] = {0, 0};
  // Words delivered into PEs, one per PE reached (a multicast word reaching
  // k PEs counts k).
  std::uint32_t noc_deliveries = 0;
  std::uint32_t dram_bytes = 0;  // bytes whose DRAM transfer completed this cycle
  // Bytes held in each global-buffer partition (ifmap, filter, ofmap).
  std::uint32_t buffer_bytes[3] = {0, 0, 0};
  // Values the array read from each partition (operands into its edges and
  // stationary registers, partial sums its results add to) and wrote into
  // it (its results).
  std::uint32_t buffer_reads[3] = {0, 0, 0};
  std::uint32_t buffer_writes[3] = {0, 0, 0};
  // DRAM transfers of each partition under way at the end of this cycle, as
  // the memory controller last saw them: tile reads into ifmap and filter,
  // write-backs out of ofmap (partial sums read back are not counted).
  std::uint32_t dram_transfers[3] = {0, 0, 0};
};

// The registers of a PE (PeSnapshot's fields), as waveforms name them.
enum class PeRegister { Left, LeftValid, Stationary0, Stationary1, PartialSum, Top, TopValid, Accumulator };

// PE registers widened to common types for tracing.
struct PeSnapshot {
  double left_operand = 0;
  bool left_valid = false;
  double stationary[2] = {0, 0};
  double partial_sum = 0;
  double top_operand = 0;
  bool top_valid = false;
  double accumulator = 0;
};

// A PE scratchpad that a trace shows entry by entry (row stationary's
// filter, ifmap and psum scratchpads; the systolic dataflows' PEs hold
// registers only).
struct ScratchpadLayout {
  std::string name;
  int entries = 0;
  bool sums = false;  // partial sums (accumulator width), not operands
};

// What a trace records of each PE of its window.
struct PeTraceLayout {
  std::vector<PeRegister> registers;
  std::vector<ScratchpadLayout> scratchpads;
};

// One scratchpad's live values in one cycle, in address order; entries past
// them hold nothing.
using ScratchpadSnapshot = std::vector<double>;

class Execution {
 public:
  virtual ~Execution() = default;
  virtual CycleActivity step() = 0;
  virtual bool finished() const = 0;
  virtual std::int64_t cycles_elapsed() const = 0;
  virtual PeSnapshot probe(int row, int col) const = 0;
  // The scratchpads of PE (row, col), in the order of the dataflow's
  // PeTraceLayout; none by default.
  virtual void probe_scratchpads(int row, int col, std::vector<ScratchpadSnapshot>& pads) const {
    (void)row;
    (void)col;
    pads.clear();
  }

  // True when nothing is in flight and what comes next waits for memory to
  // finish a transfer: until it does, every cycle is a quiet one.
  virtual bool waiting_on_memory() const { return false; }
  // One such quiet cycle: the same result as step(), without the work.
  virtual CycleActivity step_quiet() { return step(); }
  // `count` such quiet cycles in a row, their activities into `cycles` and
  // what they add up to into `totals`: the same as as many step_quiet()s,
  // which it is by default (models/execution.cpp). A unit woken by memory
  // takes the cycles it slept through this way. Returns from which of them
  // on every cycle is the one before it but for its cycle and DRAM bytes
  // (count if none is known to be); unless `write_alike`, those after that
  // one may be left unwritten.
  virtual std::int64_t step_quiet_run(CycleActivity* cycles, std::int64_t count, CycleTotals& totals,
                                      bool write_alike);
  // After step(): whether the next cycles may repeat the one just stepped
  // (skip_repeats may return more than 0), asked first because it is cheap.
  virtual bool may_repeat() const { return false; }
  // After step(): how many of the next cycles, at most `limit`, are certain
  // to do exactly what the one just stepped did (but for their cycle
  // number) with nothing able to intervene; the work moves past them, as
  // if stepped one by one. By default none.
  virtual std::int64_t skip_repeats(std::int64_t limit) {
    (void)limit;
    return 0;
  }
  // After step(): how many of the next cycles the work knows the activities
  // of without stepping them (a replayed slot), with nothing able to
  // intervene; none by default. Asked every cycle, so it is cheap.
  virtual std::int64_t replayable() const { return 0; }
  // Moves the work past the next `count` of those cycles, as if stepped one
  // by one, and returns their activities, valid until the work is stepped or
  // replays again. A memory behind the work acts in each of them as in a
  // stepped cycle, so observers that read its state take each run of
  // replayed cycles before the next is replayed.
  virtual const CycleActivity* replay(std::int64_t count) {
    (void)count;
    return nullptr;
  }
  // Running totals of the cycles the last replay returned, count + 1 of
  // them: entry i sums its first i cycles (models/cycle_totals.hpp), so
  // observers that only add take any run of them at once.
  virtual const CycleTotals* replayed_totals() const { return nullptr; }
};

std::string_view to_string(Phase phase);

}  // namespace systole
