#pragma once
// The global buffer (on-chip SRAM) between DRAM and the array, split into an
// ifmap, a filter and an ofmap partition, each double buffered: one half
// feeds the array while the other fills from (or drains to) DRAM.
// Two organisations:
//  - separate (SCALE-Sim): three buffers of fixed size, each with `banks`
//    banks;
//  - shared (Eyeriss): one buffer of `banks` equal banks, and each layer
//    gives every partition a whole number of them (sim/dataflow/gemm_step_plan.hpp).
// Each bank has `read_ports` and `write_ports` ports of `word_bytes` per
// cycle, values interleaved across a partition's banks: a stream that asks
// for more values per cycle than the ports deliver conflicts on some bank
// and is slowed down to what they deliver (read_values_per_cycle,
// write_values_per_cycle). Abstracted away: the exact address of each value
// (sequential streams spread evenly over the banks).
//
// GlobalBuffer is the buffer as a SystemC module. During a step the memory
// controller (models/memory/memory_controller.hpp) reserves space in it, writes the tiles
// DRAM delivers through each partition's write ports and reads write-backs
// through the ofmap partition's read ports, one transfer after another; the
// array's reads and writes are counted from its cycles' activity (with
// ideal memory too: only DRAM is ideal then). The ofmap partition's ports are
// shared: every result the array sends takes a write port, and one added
// to a partial sum a read port too, so DRAM's transfers there get the ports
// the array leaves (below). It has no process of its own: the controller
// calls it, in the array's process, and ends every array cycle with
// end_cycle, which charges the array's port use; as a CycleObserver it only
// samples its occupancy and counts the array's reads and writes.
//
// Port sharing, in whole cycles: a transfer of B bytes at R bits a cycle
// takes ceil(8B/R) cycles of all its ports, after the transfers before it.
// Ports the array takes while transfers wait add up; each time they reach
// the ports in one cycle, every waiting transfer ends a cycle later. A
// transfer that ends in a cycle is done in it (as DRAM transfers are), so
// the array's use of that cycle delays only the ones still waiting.

#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include <systemc>

#include "models/clocked_unit.hpp"
#include "models/memory/buffer_config.hpp"

namespace systole {

class GlobalBuffer : public sc_core::sc_module, public CycleObserver {
 public:
  explicit GlobalBuffer(const sc_core::sc_module_name& name);

  // Starts a step with `partition`, an empty buffer and idle ports; tiles
  // and outputs are `operand_bits` wide (packed: two int4 a byte), partial
  // sums `accumulator_bits`.
  void begin_step(const BufferPartition& partition, int operand_bits, int accumulator_bits);

  // Space reserved for a tile or an output block, until `fold` ends or, for
  // `until_written_back`, until its write-back is done.
  void reserve(Operand operand, std::int64_t bytes, std::size_t fold, bool until_written_back);
  void release_tiles_of(std::size_t fold);
  void release_written_back_before(std::size_t fold);
  void occupancy(std::uint32_t held[kOperands]) const;

  // Transfers through the ports, named by the order they were started in.
  using Transfer = std::size_t;
  // A tile of `values` values in `bytes` (packed) that DRAM delivers,
  // written through `operand`'s write ports from cycle `now` or when the
  // transfers before it are done.
  Transfer write_tile(Operand operand, std::int64_t bytes, std::int64_t values, std::int64_t now);
  // A write-back read out through the ofmap partition's read ports
  // (partial sums at accumulator width), likewise.
  Transfer read_write_back(std::int64_t bytes, std::int64_t values, bool partial_sums, std::int64_t now);
  // The last cycle of a transfer so far (before it started when the ports
  // are unlimited); the array's later use of the ports may delay it.
  std::int64_t last_cycle(Transfer transfer) const { return last_cycle_[transfer]; }
  // The first cycle in which no port moves a transfer any more.
  std::int64_t ports_free_at() const;

  // `values` results the array sends to the ofmap partition this cycle;
  // `accumulating`: each read there first (partial sums).
  void array_results(std::int64_t values, bool accumulating);
  // Ends array cycle `cycle`: the ports the array took in it delay the
  // transfers still waiting (the memory controller calls it, last in the
  // cycle).
  void end_cycle(std::int64_t cycle);
  // array_results(results[i], accumulating) and end_cycle(first + i) for
  // each of cycles [first, first + count), in which no transfer starts.
  void end_cycles(std::int64_t first, std::int64_t count, const std::uint32_t* results, bool accumulating);

  // The step's statistics: the values each partition read and wrote (the
  // array's operands, results and the partial sums they add to; DRAM's
  // tiles and write-backs), and the accesses of the ports' word width that
  // moved them: in each cycle, ceil(values / values per word) for what the
  // array read from (wrote into) a partition, and ceil(values / values per
  // word) for each DRAM tile and write-back (a transfer has its ports' whole
  // cycles to itself). Operands are `operand_bits` wide, partial sums and
  // the array's results `accumulator_bits`; a word of W bytes moves 8·W / b
  // values of b bits, a word of 0 bytes one value. Also the most space
  // reserved in any cycle.
  const GlobalBufferTraffic& traffic() const { return traffic_; }
  // Accesses since the buffer was built, every step's (traffic() restarts
  // with each step): per-cycle power follows them.
  std::int64_t accesses_since_built(Operand operand, bool write) const;
  const std::array<std::uint32_t, kOperands>& peak_bytes() const { return peak_bytes_; }

  void on_cycle(const CycleActivity& activity, const Execution&) override { count(activity, 1); }
  void on_cycles(const CycleActivity& activity, std::int64_t cycles, const Execution&) override {
    count(activity, cycles);
  }
  // A sleeping array's cycles alike to the buffer count at once.
  void on_slept(const CycleActivity* cycles, std::int64_t count, std::int64_t alike_from, const CycleTotals& totals,
                const Execution& execution) override;
  bool reads_each_alike_cycle() const override { return false; }
  void on_sequence(const CycleActivity* cycles, std::int64_t count, const CycleTotals& totals,
                   const Execution&) override;
  std::int64_t max_run() const override { return std::numeric_limits<std::int64_t>::max(); }

 private:
  // `cycles` cycles that each did `activity`.
  void count(const CycleActivity& activity, std::int64_t cycles);
  // `count` cycles, each its own activity.
  void count_each(const CycleActivity* cycles, std::int64_t count);
  // count() into `traffic` and `peak_bytes`.
  void add(const CycleActivity& activity, std::int64_t cycles, GlobalBufferTraffic& traffic,
           std::array<std::uint32_t, kOperands>& peak_bytes) const;

  struct Held {
    Operand operand;
    std::int64_t bytes;
    std::size_t fold;
    bool until_written_back;
  };
  // Drops the reservations `released` picks.
  template <class Released>
  void release_if(Released released);
  // The read or the write ports of one partition.
  struct Ports {
    int count = 0;  // banks × ports per bank; 0: unlimited
    std::int64_t free_at = 0;
    std::vector<Transfer> waiting;  // started, not done
    std::int64_t taken = 0;         // results the array sent through them this cycle
    std::int64_t owed = 0;          // ports taken from waiting transfers, short of a whole cycle
    Transfer start(std::int64_t bytes, std::int64_t bits_per_cycle, std::int64_t now,
                   std::vector<std::int64_t>& last_cycle);
    // Inline: four port groups end every cycle, and most have nothing waiting.
    void end_cycle(std::int64_t cycle, int results_per_port, std::vector<std::int64_t>& last_cycle) {
      if (waiting.empty())
        owed = 0;
      else
        move_waiting(cycle, results_per_port, last_cycle);
      taken = 0;
    }
    void move_waiting(std::int64_t cycle, int results_per_port, std::vector<std::int64_t>& last_cycle);
    // end_cycle for each of cycles [first, first + count), in which no
    // transfer starts and the array takes taken_each[i] (none if null).
    void end_cycles(std::int64_t first, std::int64_t count, const std::uint32_t* taken_each, int results_per_port,
                    std::vector<std::int64_t>& last_cycle);
  };
  // Adds `added` values, moved in words of `per_word` values.
  static void count(std::int64_t& values, std::int64_t& accesses, std::int64_t added, int per_word);

  // Bits per cycle the ports move for DRAM; 0: unlimited.
  std::array<std::int64_t, kOperands> fill_rate_ = {0, 0, 0};
  std::int64_t drain_outputs_rate_ = 0, drain_partial_sums_rate_ = 0;
  std::array<Ports, kOperands> write_ports_;
  Ports ofmap_read_ports_;
  int results_per_port_ = 1;   // partial sums one port moves a cycle (in one access)
  int operands_per_word_ = 1;  // operands one access moves
  // The words a count of values takes, rounded up, for counts below 2^32:
  // a multiplication by the inverse of the values per word instead of a
  // division (Lemire, Kaser and Kurz, "Faster remainder by direct
  // computation", 2019). It runs up to six times a cycle.
  class WordsOf {
   public:
    explicit WordsOf(std::uint32_t per_word = 1)
        : per_word_(per_word), inverse_(per_word > 1 ? ~std::uint64_t{0} / per_word + 1 : 0) {}
    std::uint32_t operator()(std::uint32_t values) const {
      if (per_word_ == 1) return values;
      const auto words = static_cast<std::uint32_t>((static_cast<unsigned __int128>(inverse_) * values) >> 64);
      return words + (words * per_word_ != values);
    }

   private:
    std::uint32_t per_word_;
    std::uint64_t inverse_;  // 2^64 / per_word, rounded up
  };
  std::array<WordsOf, kOperands> words_of_;  // by operand: its results or operands per word
  std::vector<std::int64_t> last_cycle_;  // of each transfer
  std::vector<Held> held_;
  // What held_ holds, by operand, kept as it changes (occupancy is read
  // every cycle), in the 32 bits occupancy reports.
  std::array<std::uint32_t, kOperands> held_bytes_ = {0, 0, 0};
  // The lowest fold held until written back (the memory controller asks to
  // release those before a fold every cycle; most cycles there are none).
  static constexpr std::size_t kNoFold = ~std::size_t{0};
  std::size_t first_held_until_written_back_ = kNoFold;
  GlobalBufferTraffic traffic_;
  GlobalBufferTraffic earlier_steps_;  // accesses of the steps before this one
  std::array<std::uint32_t, kOperands> peak_bytes_ = {0, 0, 0};
};

}  // namespace systole
