#pragma once
// SCALE-Sim v2's demand traces of a run (systole run --traces DIR): for each
// layer whose steps run on the array, DIR/layer<i>/IFMAP_SRAM_TRACE.csv,
// FILTER_SRAM_TRACE.csv and OFMAP_SRAM_TRACE.csv (i from 0, SCALE-Sim's
// LayerID). Each line is `cycle,addr_0,...,addr_{w-1}` in SCALE-Sim's layout
// (integers, comma-separated, -1 for an idle lane): one line per cycle in
// which the array reads (ifmap, filter) or writes (ofmap) that operand, the
// cycle counted from the layer's first as SCALE-Sim's traces count it (a
// read's line is the cycle after the value enters the array: SCALE-Sim's
// read buffers serve a demand one cycle after it), the lanes the array edge
// the operand passes (the R rows of the left edge, or the C columns of the stationary
// rows, the top edge and the outputs), the addresses SCALE-Sim's
// (sim/dataflow/scalesim_addresses.hpp).
// With the DRAM model also IFMAP_DRAM_TRACE.csv, FILTER_DRAM_TRACE.csv,
// OFMAP_DRAM_TRACE.csv (writes) and OFMAP_READ_DRAM_TRACE.csv (partial sums
// read back): what the DRAM did, from its transfer records
// (sim/report/dram_transfer_log.hpp), one line per array cycle in which
// bursts completed, the byte addresses the memory controller issued that
// those bursts carried (dram_trace_lanes lanes). docs/outputs.md describes
// them.
//
// Each file is written beside its name as NAME.partial and renamed when its
// layer ends, an interrupted one included. The size stays bounded: a run
// whose estimate (estimate_bytes) passes the limit is refused before it
// starts; should the files still reach it (a memory model that cuts the
// stream into more folds than the estimate saw), later lines are left out
// and truncated() says where.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/dataflow/demand_trace.hpp"
#include "models/dram/dram_spec.hpp"
#include "sim/report/atomic_file.hpp"
#include "sim/report/dram_transfer_log.hpp"
#include "sim/workload/workload.hpp"

namespace systole {

// What the DRAM traces are made from.
struct DramTraceSource {
  DramTransferLog* transfers = nullptr;
  std::int64_t capacity_bytes = 0;  // the DRAM's: its thirds are the operands' regions
  std::int64_t lanes = 0;           // dram_trace_lanes
  std::int64_t period_fs = 0;       // the array's clock period
};

class ScaleSimTraces final : public DemandTrace {
 public:
  ScaleSimTraces(std::string dir, std::uint64_t max_bytes);
  // Also the DRAM traces, from `source`.
  ScaleSimTraces(std::string dir, std::uint64_t max_bytes, const DramTraceSource& source);

  // About how many bytes the traces of `workload` on `arch` take (an upper
  // bound with ideal memory: each fold's lines as if no other fold shared
  // them), from the dataflow's fold mapping; 0 for a dataflow that reports
  // no demands. With the DRAM model, the DRAM traces' bound is added: a
  // line per burst the steps' tile plans move.
  static std::uint64_t estimate_bytes(const ArchConfig& arch, const Workload& workload);
  // The most bytes the bursts completing in one array cycle of
  // `period_fs` carry: per channel, bursts end at least BURST DRAM cycles
  // apart (one at a time on the data bus), so at most
  // ceil(period / (BURST·tCK)) of them end within one array cycle.
  static std::int64_t dram_trace_lanes(const DramSpec& spec, int channels, std::int64_t period_fs);

  void begin_layer(int index, const Layer& layer) override;
  void begin_step(std::int64_t first_cycle, std::int64_t dram_start_fs) override;
  void end_layer() override;
  void sram(Operand operand, std::int64_t cycle, const std::vector<std::int64_t>& lanes) override;

  bool truncated() const { return truncated_; }
  int truncated_layer() const { return truncated_layer_; }
  std::int64_t truncated_cycle() const { return truncated_cycle_; }
  std::uint64_t bytes_written() const { return bytes_written_; }

 private:
  void open_layer_files();
  // Writes the DRAM traces' lines of the transfers finished since the last
  // call, which all belong to the current step (a step ends once its
  // transfers have finished).
  void write_dram_lines();
  // Writes line_ to `file`, unless the limit is reached.
  void write_line(AtomicFile& file, std::int64_t cycle);

  std::string dir_;
  std::uint64_t max_bytes_;
  std::uint64_t bytes_written_ = 0;
  int layer_ = -1;
  std::unique_ptr<AtomicFile> sram_files_[kOperands];  // the open layer's
  static constexpr int kDramFiles = 4;  // ifmap, filter, ofmap writes, ofmap reads
  std::unique_ptr<AtomicFile> dram_files_[kDramFiles];
  DramTraceSource dram_;
  int dram_reader_ = -1;
  std::int64_t step_first_cycle_ = 0;  // the layer's cycle at the current step's cycle 0
  std::int64_t step_start_fs_ = 0;     // the DRAM's time then
  std::string line_;
  bool truncated_ = false;
  int truncated_layer_ = -1;
  std::int64_t truncated_cycle_ = -1;
};

}  // namespace systole
