#pragma once
// What a systolic array is: its size, the microarchitecture of its fold
// sequencing, and its datapath width. (Which dataflow runs on it is the
// engine's choice: sim/dataflow/.)

#include <optional>
#include <string_view>

#include "models/array/data_type.hpp"
#include "models/row_stationary/rs_program.hpp"

namespace systole {

// Baseline: the microarchitecture SCALE-Sim v2 models. Each fold loads its
// stationary operand (one row per cycle), streams, and drains before the next
// fold starts. Pipelined: the next fold's stationary operand loads into
// shadow registers while the current fold computes, and folds run back to back.
enum class Microarch { Baseline, Pipelined };

struct ArrayConfig {
  int rows = 32;
  int cols = 32;
  Microarch microarch = Microarch::Baseline;
  DataType data_type = DataType::Int8;
  // Each PE's scratchpads (the row-stationary dataflow's PEs have them).
  PeScratchpads scratchpads;

  long long pe_count() const { return static_cast<long long>(rows) * cols; }
};

std::string_view to_string(Microarch microarch);
std::optional<Microarch> parse_microarch(std::string_view text);

}  // namespace systole
