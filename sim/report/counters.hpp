#pragma once
// Every per-layer counter, declared once: its identifier, its name in the
// reports (a layers.csv column), its unit, how a layer's steps and a run's
// layers combine it, whether it is a layers.csv column, and what it means.
// layers.csv, summary.json and docs/outputs.md are generated from these
// declarations (sim/report/figures.hpp): a counter that figures.cpp does not
// place goes where its `shown` says. Adding a counter is one line below,
// plus the code that counts it.
//
// Where an operand has a counter of its own (ifmap, filter, ofmap), the
// three are declared in that order, one after the other: per_operand()
// finds the one for an operand; likewise per_network() for the NoC's buses.

#include <array>
#include <cstdint>
#include <string_view>

#include "models/execution.hpp"
#include "models/memory/buffer_config.hpp"
#include "models/noc/noc_config.hpp"

namespace systole {

// X(identifier, name, unit, combine, shown, meaning)
//  combine: Sum (steps and layers add up) or Max (the largest)
//  shown: Column (a layers.csv column), Total (in summary.json only, where
//    figures.cpp places it), or Both (a layers.csv column, and the run's
//    total in summary.json as `totals.<name>`). A new counter is usually
//    Both: declared here, it is in every report without another line.
#define SYSTOLE_COUNTERS(X)                                                                                   \
  X(Macs, "macs", "MACs", Sum, Column,                                                                        \
    "multiply-accumulates the array performed: PE-cycles in which both operands were valid. Equals "          \
    "groups·M·N·K.")                                                                                          \
  X(Cycles, "cycles", "cycles", Sum, Column,                                                                  \
    "from the layer's first cycle to the cycle its last result left the array (or its last vector operation " \
    "finished), inclusive; with `--memory dram`, to the cycle its last write-back reached DRAM. For a "       \
    "one-GEMM layer on the baseline with ideal memory, SCALE-Sim's `Total Cycles` + 1")                       \
  X(Folds, "folds", "folds", Sum, Column, "number of array-sized pieces, all groups")                          \
  X(StreamChunks, "stream_chunks", "chunks", Sum, Both,                                                       \
    "pieces each GEMM's stream is cut into so that a fold's tiles fit half their partitions (`--memory dram`; " \
    "1 when the stream fits whole), summed over the layer's GEMM steps")                                      \
  X(StationaryReloads, "stationary_reloads", "folds", Sum, Both,                                              \
    "folds the stream chunks add, each loading its stationary operand again (WS/IS; in OS, restarting an "    \
    "output block on partial sums): `folds` − groups·row_folds·col_folds. Their load and drain cycles are "   \
    "part of `compute_cycles`")                                                                               \
  X(VectorCycles, "vector_cycles", "cycles", Sum, Column,                                                     \
    "cycles spent on the vector unit, included in `cycles` (the array idles)")                                \
  X(StallDramCycles, "stall_dram_cycles", "cycles", Sum, Column,                                              \
    "of which waiting for DRAM: folds waiting for their tiles or for output space, and the end of the layer " \
    "waiting for its last write-back")                                                                        \
  X(StallNocCycles, "stall_noc_cycles", "cycles", Sum, Column,                                                \
    "cycles lost to NoC buses narrower than a fold needs (streams spaced out, stationary rows loaded slower "  \
    "than one a cycle, OS results leaving the column ports slower than one a cycle) and to the NoC's "        \
    "latency (docs/timing-model.md); row stationary: cycles no PE worked while PEs waited on a global "       \
    "network")                                                                                                \
  X(StallBufferCycles, "stall_buffer_cycles", "cycles", Sum, Column,                                          \
    "the same when the global buffer's ports were the narrower path (bank conflicts), and waits for the "     \
    "ports to fill tiles, or read write-backs, slower than DRAM moved them; row stationary: such cycles "      \
    "when the buffer's ports set the rate of every network waited on")                                        \
  X(NocLeftWords, "noc_left_words", "words", Sum, Column, "valid operands into the left edge")                \
  X(NocTopWords, "noc_top_words", "words", Sum, Column,                                                       \
    "words into the top edge (OS) or stationary rows (WS/IS, whole rows, zero-padded)")                       \
  X(NocOutWords, "noc_out_words", "words", Sum, Column,                                                       \
    "results out of the bottom edge (WS/IS partial sums, once per K fold) or the column ports (OS)")          \
  X(NocLeftBusyCycles, "noc_left_busy_cycles", "cycles", Sum, Total,                                          \
    "cycles in which the left-edge bus carried at least one word")                                            \
  X(NocTopBusyCycles, "noc_top_busy_cycles", "cycles", Sum, Total,                                            \
    "cycles in which the top-edge bus carried at least one word")                                             \
  X(NocOutBusyCycles, "noc_out_busy_cycles", "cycles", Sum, Total,                                            \
    "cycles in which the output bus carried at least one word")                                               \
  X(LinkHopsHorizontal, "link_hops_horizontal", "hops", Sum, Column,                                          \
    "operands moving one PE right over a neighbour link, up to the last used column")                         \
  X(LinkHopsVertical, "link_hops_vertical", "hops", Sum, Column,                                              \
    "values moving one PE down over a neighbour link: partial sums to the bottom edge (WS/IS) or top "        \
    "operands to the last used row (OS)")                                                                     \
  X(MacsGated, "macs_gated", "MACs", Sum, Both,                                                               \
    "of `macs`, those with an operand of zero, found in the PEs from the values they multiply: the "          \
    "multiplier and adder were gated (energy only, never cycles)")                                            \
  X(IdlePeCycles, "idle_pe_cycles", "PE-cycles", Sum, Both,                                                    \
    "PE-cycles without a MAC: PEs × cycles − macs over the array's steps, and PEs × cycles over the vector "  \
    "unit's (the array idles)")                                                                               \
  X(RfStationaryReads, "rf_stationary_reads", "values", Sum, Both,                                            \
    "reads of a PE's stationary register (WS weights, IS inputs): one per MAC; 0 in OS")                      \
  X(RfStationaryWrites, "rf_stationary_writes", "values", Sum, Both,                                          \
    "operands written into stationary registers as a fold's stationary rows are loaded: the used columns of " \
    "its used rows (not the rows' zero padding)")                                                             \
  X(RfOperandReads, "rf_operand_reads", "values", Sum, Both,                                                  \
    "reads of moving-operand registers by a MAC: one per MAC in WS/IS (the left operand), two in OS (left "   \
    "and top)")                                                                                               \
  X(RfOperandWrites, "rf_operand_writes", "values", Sum, Both,                                                \
    "valid operands a PE registered to pass on, from the edge or its neighbour: each operand fed to an edge " \
    "PE is registered by one PE a cycle until it leaves the array's far edge, so also past a fold's last "    \
    "used column (row, for OS's top operands), where it meets no MAC (`link_hops_*` leave that drift out); "  \
    "those still on their way when the layer's last result leaves are not counted")                           \
  X(RfPsumReads, "rf_psum_reads", "values", Sum, Both,                                                        \
    "reads of the partial sum a MAC adds to, one per MAC (WS/IS: the one arriving from the PE above, zero "   \
    "in the top row; OS: its accumulator), plus OS accumulators drained as results")                          \
  X(RfPsumWrites, "rf_psum_writes", "values", Sum, Both,                                                      \
    "writes of partial-sum (WS/IS) or accumulator (OS) registers: one per MAC (WS/IS partial sums passing "   \
    "down through the rows below a fold's last used row are `link_hops_vertical`, not counted here)")         \
  X(NocDeliveries, "noc_deliveries", "values", Sum, Both,                                                     \
    "words the NoC's buses delivered into PEs, one per PE reached (a multicast word reaching k PEs counts "   \
    "k). The edge buses are unicast: `noc_left_words` + `noc_top_words`, stationary rows' padding included")  \
  X(VectorOperations, "vector_operations", "operations", Sum, Both,                                           \
    "element operations the vector unit performed")                                                           \
  X(DramIfmapReadBytes, "dram_ifmap_read_bytes", "bytes", Sum, Column, "ifmap bytes read from DRAM")          \
  X(DramFilterReadBytes, "dram_filter_read_bytes", "bytes", Sum, Column, "filter bytes read from DRAM")       \
  X(DramOfmapReadBytes, "dram_ofmap_read_bytes", "bytes", Sum, Column,                                        \
    "partial sums read back from DRAM (OS layers whose reduction is chunked and whose partial sums do not "   \
    "fit half the ofmap partition; docs/timing-model.md), 0 otherwise")                                       \
  X(DramOfmapWriteBytes, "dram_ofmap_write_bytes", "bytes", Sum, Column,                                      \
    "outputs (and spilled partial sums) written to DRAM")                                                     \
  X(DramUncompressedBytes, "dram_uncompressed_bytes", "bytes", Sum, Total,                                    \
    "the bytes DRAM would have moved, read and written, without `dram.compression`: with it, the dram_*_bytes " \
    "columns are the encoded bytes")                                                                          \
  X(BufferIfmapReads, "buffer_ifmap_reads", "values", Sum, Column,                                            \
    "operands the array read from the ifmap partition (into its edge or stationary registers), with ideal "   \
    "memory too (only DRAM is ideal). For the baseline with ideal memory, SCALE-Sim's `SRAM IFMAP Reads`")    \
  X(BufferFilterReads, "buffer_filter_reads", "values", Sum, Column,                                          \
    "the same for the filter partition; SCALE-Sim's `SRAM Filter Reads`")                                     \
  X(BufferOfmapReads, "buffer_ofmap_reads", "values", Sum, Column,                                            \
    "values read from the ofmap partition: partial sums the array's results add to (WS/IS K folds, OS "       \
    "reduction chunks, after the first), and outputs and spilled partial sums written back to DRAM")          \
  X(BufferIfmapWrites, "buffer_ifmap_writes", "values", Sum, Column,                                          \
    "operands DRAM's tiles wrote into the ifmap partition (`--memory dram`; with ideal memory the operands "  \
    "are on chip from the start: 0)")                                                                         \
  X(BufferFilterWrites, "buffer_filter_writes", "values", Sum, Column, "the same for the filter partition")   \
  X(BufferOfmapWrites, "buffer_ofmap_writes", "values", Sum, Column,                                          \
    "values written into the ofmap partition: every result that left the array (WS/IS partial sums, once "    \
    "per K fold) and partial sums read back from DRAM. For the baseline with ideal memory, SCALE-Sim's "      \
    "`SRAM OFMAP Writes` in WS and IS, and in OS SCALE-Sim's figure less (rows + columns) per fold, which "   \
    "SCALE-Sim adds but no value makes (docs/validation.md)")                                                 \
  X(BufferIfmapReadAccesses, "buffer_ifmap_read_accesses", "accesses", Sum, Both,                             \
    "reads of the ifmap partition in accesses of the buffer's word width (`buffer.word_bytes`, 0: one value " \
    "per access): in each cycle, ceil(values the array read / values per word); for each DRAM write-back, "   \
    "ceil(its values / values per word). Operands and outputs written back are the data type's width, "       \
    "partial sums and the array's results the accumulator's")                                                 \
  X(BufferFilterReadAccesses, "buffer_filter_read_accesses", "accesses", Sum, Both,                           \
    "the same for the filter partition")                                                                      \
  X(BufferOfmapReadAccesses, "buffer_ofmap_read_accesses", "accesses", Sum, Both,                             \
    "the same for the ofmap partition")                                                                       \
  X(BufferIfmapWriteAccesses, "buffer_ifmap_write_accesses", "accesses", Sum, Both,                           \
    "writes into the ifmap partition, counted alike: in each cycle, ceil(values the array wrote / values per " \
    "word); for each DRAM tile, ceil(its values / values per word)")                                          \
  X(BufferFilterWriteAccesses, "buffer_filter_write_accesses", "accesses", Sum, Both,                         \
    "the same for the filter partition")                                                                      \
  X(BufferOfmapWriteAccesses, "buffer_ofmap_write_accesses", "accesses", Sum, Both,                           \
    "the same for the ofmap partition")                                                                       \
  X(DramActivates, "dram_activates", "commands", Sum, Both, "ACT commands, all channels (0 with ideal memory)") \
  X(DramPrecharges, "dram_precharges", "commands", Sum, Both,                                                 \
    "PRE commands, all channels: explicit ones (a row conflict, closing the banks before a refresh) and the " \
    "auto-precharge of a closed-page RDA/WRA, counted with its column command")                               \
  X(DramReadBursts, "dram_read_bursts", "bursts", Sum, Both, "RD bursts, all channels")                       \
  X(DramWriteBursts, "dram_write_bursts", "bursts", Sum, Both, "WR bursts, all channels")                     \
  X(DramRefreshes, "dram_refreshes", "commands", Sum, Both,                                                   \
    "REF commands (all-bank, one per rank every tREFI), all channels; the DRAM refreshes while the vector "   \
    "unit works too")                                                                                         \
  X(DramActiveStandbyCycles, "dram_active_standby_cycles", "DRAM rank-cycles", Sum, Both,                     \
    "DRAM clock cycles of each rank, summed over ranks and channels, in which at least one of its banks had " \
    "a row open (from its ACT to the cycle its PRE takes effect) or a REF was running (tRFC)")                \
  X(DramPrechargeStandbyCycles, "dram_precharge_standby_cycles", "DRAM rank-cycles", Sum, Both,               \
    "the other DRAM cycles of each rank: every bank precharged and no refresh running. The two add up to "    \
    "ranks × channels × the DRAM cycles that elapsed during the layer")                                       \
  X(BufferIfmapPeakBytes, "buffer_ifmap_peak_bytes", "bytes", Max, Column,                                    \
    "the most space reserved in the ifmap partition in any cycle of the layer (as `ifmap_buffer_bytes` in "   \
    "utilization.csv): how much of the partition the layer needed")                                           \
  X(BufferFilterPeakBytes, "buffer_filter_peak_bytes", "bytes", Max, Column,                                  \
    "the same for the filter partition")                                                                      \
  X(BufferOfmapPeakBytes, "buffer_ofmap_peak_bytes", "bytes", Max, Column, "the same for the ofmap partition") \
  X(BufferIfmapCapacityBytes, "buffer_ifmap_capacity_bytes", "bytes", Max, Column,                            \
    "the ifmap partition's capacity while the layer ran: the configured one, or a shared buffer's split for " \
    "the layer. A layer of several GEMMs (attention, LSTM, GRU) may split it differently for each; the "      \
    "capacity columns then give each partition's largest, which need not add up to one split")               \
  X(BufferFilterCapacityBytes, "buffer_filter_capacity_bytes", "bytes", Max, Column,                          \
    "the same for the filter partition")                                                                      \
  X(BufferOfmapCapacityBytes, "buffer_ofmap_capacity_bytes", "bytes", Max, Column,                            \
    "the same for the ofmap partition")

enum class Counter {
#define SYSTOLE_COUNTER_IDENTIFIER(identifier, ...) identifier,
  SYSTOLE_COUNTERS(SYSTOLE_COUNTER_IDENTIFIER)
#undef SYSTOLE_COUNTER_IDENTIFIER
};

enum class Combine { Sum, Max };
enum class Shown { Column, Total, Both };

struct CounterInfo {
  Counter counter;
  std::string_view name;
  std::string_view unit;
  Combine combine;
  Shown shown;
  std::string_view meaning;
};

#define SYSTOLE_COUNT_ONE(...) +1
inline constexpr std::size_t kCounters = 0 SYSTOLE_COUNTERS(SYSTOLE_COUNT_ONE);
#undef SYSTOLE_COUNT_ONE

// Every counter, in declaration order.
const std::array<CounterInfo, kCounters>& counter_infos();
inline const CounterInfo& info(Counter counter) { return counter_infos()[static_cast<std::size_t>(counter)]; }

// Whether a counter depends on the operands' values, not only on the
// schedule: a layer run timing-only (Verification::TimingOnly) leaves it
// out of the reports.
constexpr bool needs_operand_values(Counter counter) { return counter == Counter::MacsGated; }

// The counter of `operand` among three declared for ifmap, filter and ofmap,
// `ifmap` the first.
constexpr Counter per_operand(Counter ifmap, Operand operand) {
  return static_cast<Counter>(static_cast<int>(ifmap) + static_cast<int>(operand));
}

// The same for the three NoC buses (left, top, out), `left` the first.
constexpr Counter per_network(Counter left, Network network) {
  return static_cast<Counter>(static_cast<int>(left) + static_cast<int>(network));
}

// The reads and the writes of a PE register file: rf_<file>_reads, then
// rf_<file>_writes, the files in RegisterFile's order.
constexpr Counter register_reads(RegisterFile file) {
  return static_cast<Counter>(static_cast<int>(Counter::RfStationaryReads) + 2 * static_cast<int>(file));
}
constexpr Counter register_writes(RegisterFile file) {
  return static_cast<Counter>(static_cast<int>(register_reads(file)) + 1);
}

static_assert(per_operand(Counter::BufferIfmapReads, Operand::Ofmap) == Counter::BufferOfmapReads &&
                  per_operand(Counter::BufferIfmapWrites, Operand::Ofmap) == Counter::BufferOfmapWrites &&
                  per_operand(Counter::BufferIfmapPeakBytes, Operand::Ofmap) == Counter::BufferOfmapPeakBytes &&
                  per_operand(Counter::BufferIfmapCapacityBytes, Operand::Ofmap) == Counter::BufferOfmapCapacityBytes &&
                  per_operand(Counter::DramIfmapReadBytes, Operand::Ofmap) == Counter::DramOfmapReadBytes &&
                  per_operand(Counter::BufferIfmapReadAccesses, Operand::Ofmap) == Counter::BufferOfmapReadAccesses &&
                  per_operand(Counter::BufferIfmapWriteAccesses, Operand::Ofmap) == Counter::BufferOfmapWriteAccesses &&
                  per_network(Counter::NocLeftWords, Network::Out) == Counter::NocOutWords &&
                  per_network(Counter::NocLeftBusyCycles, Network::Out) == Counter::NocOutBusyCycles &&
                  register_reads(RegisterFile::Operand) == Counter::RfOperandReads &&
                  register_writes(RegisterFile::PartialSum) == Counter::RfPsumWrites,
              "per-operand, per-bus and per-register-file counters are declared together, in order");

// The values of every counter, for one step, one layer or a whole run.
class Counters {
 public:
  std::int64_t& operator[](Counter counter) { return values_[static_cast<std::size_t>(counter)]; }
  std::int64_t operator[](Counter counter) const { return values_[static_cast<std::size_t>(counter)]; }
  // Combines `other` in, each counter as it is declared (Sum or Max).
  Counters& operator+=(const Counters& other);

 private:
  std::array<std::int64_t, kCounters> values_{};
};

// Sums several reports show.
inline std::int64_t dram_read_bytes(const Counters& c) {
  return c[Counter::DramIfmapReadBytes] + c[Counter::DramFilterReadBytes] + c[Counter::DramOfmapReadBytes];
}
inline std::int64_t dram_write_bytes(const Counters& c) { return c[Counter::DramOfmapWriteBytes]; }
inline std::int64_t stall_cycles(const Counters& c) {
  return c[Counter::StallDramCycles] + c[Counter::StallNocCycles] + c[Counter::StallBufferCycles];
}

}  // namespace systole
