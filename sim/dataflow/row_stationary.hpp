#pragma once
// The row-stationary dataflow of Eyeriss: each PE runs a 1-D convolution of
// a filter row over an input row, PE sets of filter rows × output rows add
// their partial sums vertically, and the sets are folded or replicated onto
// the array (models/row_stationary/). A layer keeps its convolution rows; a
// fully connected layer or a GEMM step (attention, RNN) runs as a
// convolution with a 1×1 output, each of its M rows an image.
//
// The mapper enumerates every legal mapping (set size, p filters, q channels
// and n images per PE, replicas) that fits the PEs' scratchpads and the
// array, estimates each one's action counts and cycles in closed form (with
// DRAM, adds what its tile plan moves), and keeps the one of lowest energy
// priced by the run's energy table (mapper=delay, or a table of "none":
// lowest estimated cycles). The run itself then counts every action as it
// happens.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/row_stationary/rs_program.hpp"
#include "sim/dataflow/dataflow.hpp"

namespace systole {

// `layer` as the PE sets see it; nullopt when it has no convolution.
std::optional<RsConv> rs_conv(const Layer& layer);

// What the mapper estimates for a mapping, in closed form.
struct RsEstimate {
  Counters counters;  // actions (MACs, scratchpads, networks, buffer)
  std::int64_t cycles = 0;
};
RsEstimate estimate_rs(const RsConv& conv, const RsMapping& mapping, const ArchConfig& arch);

enum class RsObjective { Energy, Delay };
struct RsChoice {
  RsMapping mapping;
  std::string problem;  // empty when a mapping was found
};
// Every legal mapping of `conv` on `arch`, each set replicated as often as
// the array holds it (or the layer has filters for); with `fewer_replicas`,
// a set whose pass then overflows the global buffer is replicated as often
// as fits instead.
std::vector<RsMapping> legal_rs_mappings(const RsConv& conv, const ArchConfig& arch, bool fewer_replicas = false);
// With DRAM, a mapping's cost includes what its tile plan moves to and from
// DRAM (energy: priced; delay: at `dram_gb_per_s`), and mappings without a
// tile plan that fits are not legal.
RsChoice choose_rs_mapping(const RsConv& conv, const ArchConfig& arch, RsObjective objective,
                           double dram_gb_per_s = 0);

class RowStationary final : public Dataflow {
 public:
  std::unique_ptr<ArrayStep> plan(const ArchConfig& arch, const Layer& step, double dram_gb_per_s) const override;
  std::string mapping_problem(const ArchConfig& arch, const Layer& step) const override;
  LinkPayload vertical_link_payload() const override { return LinkPayload::PartialSum; }
  // As on the chip: the filter scratchpad is SRAM, the ifmap and psum
  // scratchpads are registers.
  PeStorage pe_storage(const ArrayConfig& array, int psum_bits) const override;
  bool models_noc_with_ideal_memory() const override { return true; }
  PeTraceLayout traced_pe(const ArrayConfig& array) const override;
};

}  // namespace systole
