#pragma once
// SCALE-Sim v2's three reports (--traces DIR): COMPUTE_REPORT.csv,
// BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv, in SCALE-Sim's layout
// (", " separators, a trailing comma, floats as Python prints them), so that
// a user who diffs against SCALE-Sim can. One row per layer; what each
// column means in Systole, and where it differs from SCALE-Sim's, is in
// docs/outputs.md ("SCALE-Sim reports").
//
// The counts and cycle totals come from the layers' records (layers.csv's
// counters); what no counter holds, the first and last cycle in which the
// array read from or wrote into each buffer partition and in which a DRAM
// transfer of each partition was under way, this observer records. Cycles
// are written in SCALE-Sim's numbering (scalesim_cycle below). Without the
// DRAM model there is no DRAM to report: the DRAM columns are left empty.
// The files are written when the run ends, interrupted or not; an
// interrupted run's last row (the part of the layer simulated) has the
// LayerID "<i> (interrupted)".

#include <cstdint>
#include <string>
#include <vector>

#include "sim/engine/run_observer.hpp"
#include "sim/report/layer_stats.hpp"

namespace systole {

// The three file names, in the order they are written.
const std::vector<std::string>& scalesim_report_names();

// A double as Python's repr() prints it (the shortest text that reads back
// as the same double; "100.0", "26.229508196721312", "1e-05", "1e+16"):
// SCALE-Sim writes its floats so.
std::string python_float(double value);

struct ScaleSimArray {
  int rows = 0;
  int cols = 0;
  std::string dataflow;  // "ws", "os", "is", ...
  int operand_bits = 8;  // a DRAM word's width
  bool dram = false;     // the run has the DRAM model
};

class ScaleSimReports : public RunObserver {
 public:
  ScaleSimReports(std::string directory, const ScaleSimArray& array);

  void begin_step(int layer, std::int64_t first_cycle) override;
  void on_cycle(const CycleActivity& activity, const Execution& execution) override;
  // Writes the three files into the directory, each atomically.
  void commit(const RunResult& result) const;

  // A layer's cycle (0 its first) in SCALE-Sim's numbering, in which a value
  // the array reads in the layer's cycle c is served at c + 1 and Total
  // Cycles, the cycle of the last output write, is the layer's cycles − 1.
  static std::int64_t scalesim_read_cycle(std::int64_t layer_cycle) { return layer_cycle + 1; }
  static std::int64_t scalesim_write_cycle(std::int64_t layer_cycle) { return layer_cycle; }

 private:
  // First and last cycle (of its layer) in which something happened; -1: never.
  struct Span {
    std::int64_t first = -1;
    std::int64_t last = -1;
    void add(std::int64_t cycle) {
      if (first < 0) first = cycle;
      last = cycle;
    }
  };
  struct LayerSpans {
    Span sram[3];  // the array's reads (ifmap, filter) and writes (ofmap)
    Span dram[3];  // tile reads (ifmap, filter) and write-backs (ofmap) under way
    std::int64_t sram_values[3] = {0, 0, 0};
  };

  // What was observed of layer i (nothing for a layer never begun).
  Span sram_span(std::size_t layer, Operand operand) const;
  Span dram_span(std::size_t layer, Operand operand) const;
  std::int64_t sram_values(std::size_t layer, Operand operand) const;
  // DRAM words of a partition: its tile reads (ifmap, filter) or write-backs
  // (ofmap), from the layer's counters.
  std::int64_t dram_words(const LayerStats& layer, Operand operand) const;

  void write_compute(const RunResult& result) const;
  void write_bandwidth(const RunResult& result) const;
  void write_detailed(const RunResult& result) const;

  std::string directory_;
  ScaleSimArray array_;
  std::vector<LayerSpans> layers_;
  std::int64_t step_offset_ = 0;  // the step's cycle 0 in its layer's cycles
  std::int64_t layer_first_cycle_ = 0;
};

}  // namespace systole
