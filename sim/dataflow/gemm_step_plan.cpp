#include "sim/dataflow/gemm_step_plan.hpp"

#include <algorithm>
#include <map>
#include <tuple>

namespace systole {

namespace {

TilePlan memory_plan(const GemmDataflow& dataflow, const ArchConfig& arch, const BufferPartition& buffer,
                     const Mapping& mapping) {
  return plan_tiles(buffer, mapping.mode, mapping.folds, dataflow.roles(), operand_bits(arch.array.data_type),
                    accumulator_bits(arch.array.data_type));
}

// Folds that the edge paths space out alike, and their stream elements.
struct FoldClass {
  Fold shape;  // rows and columns used, and whether it accumulates
  std::int64_t folds = 0, elements = 0;
};

std::vector<FoldClass> fold_classes(const Mapping& mapping) {
  std::map<std::tuple<int, int, bool>, FoldClass> classes;
  for (const Fold& f : mapping.folds) {
    FoldClass& c = classes[{f.rows_used, f.cols_used, f.accumulates(mapping.mode)}];
    if (c.folds == 0) c.shape = f;
    ++c.folds;
    c.elements += f.stream_length;
  }
  std::vector<FoldClass> result;
  for (const auto& entry : classes) result.push_back(entry.second);
  return result;
}

// Cycles the edge paths need: every stream element at its fold's spacing,
// and every fold's stationary load (or, in OS, its results' drain).
double edge_cycles(const GemmDataflow& dataflow, const ArchConfig& arch, const BufferPartition& buffer,
                   const std::vector<FoldClass>& classes) {
  const EdgePaths paths = edge_paths(arch, buffer, dataflow.roles());
  double cycles = 0;
  for (const FoldClass& c : classes) {
    Fold fold = c.shape;
    dataflow.set_fold_rates(paths, arch.array.cols, fold);
    cycles += static_cast<double>(c.elements * fold.stream_spacing +
                                  c.folds * dataflow.fold_overhead_cycles(arch.array, fold));
  }
  return cycles;
}

GemmStepPlan plan_with(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& gemm,
                       const BufferPartition& buffer) {
  GemmStepPlan plan;
  plan.buffer = buffer;
  const std::int64_t longest = arch.memory_model == MemoryModel::Dram ? dataflow.max_stream(arch, buffer) : 0;
  plan.mapping = dataflow.map(arch.array, gemm.gemm(), gemm.groups(), longest);
  if (arch.memory_model != MemoryModel::Dram) return plan;
  plan.memory = memory_plan(dataflow, arch, buffer, plan.mapping);
  plan.problem = plan.memory.capacity_problem(buffer);
  return plan;
}

std::array<int, kOperands> best_split(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& gemm,
                                      double dram_gb_per_s) {
  const int banks = arch.buffer.banks;
  const OperandRoles roles = dataflow.roles();
  const int op = operand_bits(arch.array.data_type), acc = accumulator_bits(arch.array.data_type);
  // A split changes the plan only through the longest stream a fold may
  // have and what stays on chip: plan each of those once.
  struct Candidate {
    std::array<int, kOperands> split;
    std::int64_t longest;
    TilingChoice choice;
  };
  std::vector<Candidate> candidates;
  const Mapping whole = dataflow.map(arch.array, gemm.gemm(), gemm.groups());
  const GemmExtent extent{whole.spatial_rows, whole.spatial_cols, whole.temporal};
  for (int ifmap = banks - 2; ifmap >= 1; --ifmap)
    for (int filter = banks - 1 - ifmap; filter >= 1; --filter) {
      const std::array<int, kOperands> split = {ifmap, filter, banks - ifmap - filter};
      const BufferPartition buffer = arch.buffer.partition(split);
      // Streams longer than the GEMM's map the same folds.
      candidates.push_back({split, std::min(dataflow.max_stream(arch, buffer), whole.temporal),
                            choose_tiling(buffer, whole.mode, extent, roles, op, acc)});
    }
  std::stable_sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.longest, a.choice) < std::tie(b.longest, b.choice);
  });
  const double dram_bytes_per_cycle = dram_gb_per_s * arch.clock_period_ns();
  std::array<int, kOperands> best = {0, 0, 0};
  std::tuple<double, std::int64_t, double, std::array<int, kOperands>> best_cost;
  Mapping mapping;
  std::vector<FoldClass> classes;
  MemoryTraffic totals;
  std::array<std::int64_t, kOperands> largest{};
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const Candidate& candidate = candidates[c];
    const bool new_stream = c == 0 || candidate.longest != candidates[c - 1].longest;
    if (new_stream) {
      mapping = dataflow.map(arch.array, gemm.gemm(), gemm.groups(), candidate.longest);
      classes = fold_classes(mapping);
    }
    if (new_stream || candidates[c - 1].choice < candidate.choice) {
      const TilePlan memory = plan_tiles(candidate.choice, mapping.mode, mapping.folds, roles, op, acc);
      totals = memory.totals();
      largest = memory.largest_tiles();
    }
    const BufferPartition buffer = arch.buffer.partition(candidate.split);
    bool fits = true;
    for (int o = 0; o < kOperands; ++o) fits &= largest[o] <= buffer.bytes[o] / 2;
    if (!fits) continue;
    // Ties go to the most ifmap banks, then filter banks.
    const std::array<int, kOperands> order = {-candidate.split[0], -candidate.split[1], 0};
    const double bound = std::max(static_cast<double>(totals.dram.bytes()) / dram_bytes_per_cycle,
                                  edge_cycles(dataflow, arch, buffer, classes));
    const auto cost = std::make_tuple(bound, totals.dram.bytes(), busiest_bank_bytes(totals, buffer), order);
    if (best[0] == 0 || cost < best_cost) {
      best_cost = cost;
      best = candidate.split;
    }
  }
  return best;
}

GemmStepPlan plan_shared(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& gemm,
                         double dram_gb_per_s) {
  const int banks = arch.buffer.banks;
  const std::array<int, kOperands> best = best_split(dataflow, arch, gemm, dram_gb_per_s);
  if (best[0] != 0) return plan_with(dataflow, arch, gemm, arch.buffer.partition(best));
  GemmStepPlan plan = plan_with(dataflow, arch, gemm, arch.buffer.partition({banks / 3, banks / 3, banks - 2 * (banks / 3)}));
  plan.problem = "no split of the shared buffer (" + std::to_string(banks) + " banks of " +
                 std::to_string(arch.buffer.bank_bytes()) + " B) holds two tiles of every operand; split evenly, " +
                 plan.problem;
  return plan;
}

}  // namespace

GemmStepPlan plan_gemm_step(const GemmDataflow& dataflow, const ArchConfig& arch, const Layer& gemm,
                            double dram_gb_per_s) {
  const bool shared = arch.memory_model == MemoryModel::Dram && arch.buffer.organization == BufferOrganization::Shared;
  GemmStepPlan plan = shared ? plan_shared(dataflow, arch, gemm, dram_gb_per_s)
                             : plan_with(dataflow, arch, gemm, arch.buffer.partition());
  if (arch.memory_model == MemoryModel::Dram) plan.limits = apply_edge_rates(dataflow, arch, plan.buffer, plan.mapping);
  return plan;
}

std::vector<FoldRateLimits> apply_edge_rates(const GemmDataflow& dataflow, const ArchConfig& arch,
                                             const BufferPartition& buffer, Mapping& mapping) {
  const EdgePaths paths = edge_paths(arch, buffer, dataflow.roles());
  std::vector<FoldRateLimits> limits(mapping.folds.size());
  bool any_accumulates = false;
  for (std::size_t g = 0; g < mapping.folds.size(); ++g) {
    any_accumulates |= mapping.folds[g].accumulates(mapping.mode);
    limits[g] = dataflow.set_fold_rates(paths, arch.array.cols, mapping.folds[g]);
  }
  // The schedule keeps overlapping folds within the narrower out path.
  mapping.widths = dataflow.shared_path_widths(paths, any_accumulates);
  return limits;
}

}  // namespace systole
