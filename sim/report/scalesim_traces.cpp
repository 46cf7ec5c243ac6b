#include "sim/report/scalesim_traces.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <limits>
#include <tuple>
#include <stdexcept>
#include <variant>

#include "models/dram/dram_system.hpp"
#include "models/memory/memory_controller.hpp"
#include "sim/config/memspec.hpp"
#include "sim/dataflow/gemm_dataflow.hpp"
#include "sim/dataflow/gemm_step_plan.hpp"
#include "sim/dataflow/registry.hpp"
#include "sim/dataflow/scalesim_addresses.hpp"
#include "sim/workload/lowering.hpp"

namespace systole {

namespace {

// SCALE-Sim's read buffers serve a demand row one cycle after it is issued
// (their hit latency), its write buffer in the same cycle; its trace lines
// carry the cycle served.
constexpr std::int64_t kReadHitLatency = 1;

constexpr const char* kSramFiles[kOperands] = {"IFMAP_SRAM_TRACE.csv", "FILTER_SRAM_TRACE.csv",
                                               "OFMAP_SRAM_TRACE.csv"};

std::uint64_t decimal_digits(std::int64_t value) {
  std::uint64_t digits = 1;
  for (; value >= 10; value /= 10) ++digits;
  return digits;
}

void append_number(std::string& line, std::int64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  line.append(digits, end);
}

// The DRAM traces: reads of each operand's region, writes (results and
// spilled partial sums, all to the ofmap region), and partial sums read back.
constexpr const char* kDramFileNames[] = {"IFMAP_DRAM_TRACE.csv", "FILTER_DRAM_TRACE.csv",
                                          "OFMAP_DRAM_TRACE.csv", "OFMAP_READ_DRAM_TRACE.csv"};
constexpr int kOfmapWrites = 2, kOfmapReads = 3;
// The widest line start: a cycle and its newline.
constexpr std::uint64_t kLineBytes = 12;

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// Bursts a transfer of `bytes` at `address` takes, at most: its bytes in
// whole bursts and a partial one at each end.
std::uint64_t bursts_at_most(std::int64_t bytes, std::int64_t burst_bytes) {
  return bytes <= 0 ? 0 : static_cast<std::uint64_t>((bytes + burst_bytes - 1) / burst_bytes + 1);
}

// The DRAM traces' size, at most: every burst on a line of its own, every
// lane `-1` but those carrying a byte, each as wide as the largest address.
std::uint64_t estimate_dram_bytes(const ArchConfig& arch, const GemmDataflow& dataflow, const Layer& gemm_step) {
  const DramSpec spec = resolve_dram(arch.dram, "dram.spec");
  const double peak = spec.peak_gb_per_s() * arch.dram_channels;
  const GemmStepPlan plan = plan_gemm_step(dataflow, arch, gemm_step, peak);
  const auto lanes = static_cast<std::uint64_t>(ScaleSimTraces::dram_trace_lanes(
      spec, arch.dram_channels, static_cast<std::int64_t>(arch.clock_period_fs())));
  const std::int64_t capacity = DramSystem(spec, arch.dram_channels).capacity_bytes();
  const std::uint64_t address = decimal_digits(capacity) + 1;
  std::uint64_t bursts = 0, bytes = 0;
  for (const FoldTransfers& fold : plan.memory.folds) {
    for (const FoldTransfers::Tile& tile : fold.reads) {
      bursts += bursts_at_most(tile.bytes, spec.burst_bytes);
      bytes += static_cast<std::uint64_t>(tile.bytes);
    }
    bursts += bursts_at_most(fold.write_bytes, spec.burst_bytes);
    bytes += static_cast<std::uint64_t>(fold.write_bytes);
  }
  return bursts * (kLineBytes + lanes * 3) + bytes * (address > 3 ? address - 3 : 0);
}

}  // namespace

ScaleSimTraces::ScaleSimTraces(std::string dir, std::uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {}

ScaleSimTraces::ScaleSimTraces(std::string dir, std::uint64_t max_bytes, const DramTraceSource& source)
    : dir_(std::move(dir)), max_bytes_(max_bytes), dram_(source) {
  if (dram_.transfers == nullptr || dram_.lanes <= 0 || dram_.period_fs <= 0)
    throw std::logic_error("ScaleSimTraces: DRAM traces need the DRAM's transfer log, lanes and clock period");
  dram_reader_ = dram_.transfers->add_reader();
}

std::int64_t ScaleSimTraces::dram_trace_lanes(const DramSpec& spec, int channels, std::int64_t period_fs) {
  const std::int64_t burst_fs = spec.t.BURST * std::llround(spec.tck_ps * 1000);
  return channels * ((period_fs + burst_fs - 1) / burst_fs) * spec.burst_bytes;
}

std::uint64_t ScaleSimTraces::estimate_bytes(const ArchConfig& arch, const Workload& workload) {
  const auto* dataflow = dynamic_cast<const GemmDataflow*>(find_dataflow(arch.dataflow));
  if (dataflow == nullptr) return 0;
  const std::uint64_t rows = static_cast<std::uint64_t>(arch.array.rows);
  const std::uint64_t cols = static_cast<std::uint64_t>(arch.array.cols);
  std::uint64_t bytes = 0;
  for (const Layer& layer : workload.layers) {
    for (const Step& step : lower(layer)) {
      const Layer* gemm_step = std::get_if<Layer>(&step.work);
      if (gemm_step == nullptr) continue;
      const GemmShape gemm = gemm_step->gemm();
      const std::int64_t groups = gemm_step->groups();
      // Every lane as wide as the largest address, and its comma; the cycle
      // as wide as the step could make it.
      const ScaleSimOffsets& offsets = arch.scalesim_offsets;
      const std::int64_t largest = std::max({offsets.ofmap + groups * gemm.m * gemm.n,
                                             offsets.filter + groups * gemm.n * gemm.k,
                                             offsets.ifmap + groups * gemm.m * gemm.k});
      const std::uint64_t lane = decimal_digits(largest) + 1;
      const std::uint64_t line = kLineBytes;
      if (arch.memory_model == MemoryModel::Dram) bytes += estimate_dram_bytes(arch, *dataflow, *gemm_step);
      const Mapping mapping = dataflow->map(arch.array, gemm, groups);
      const bool stationary = mapping.mode == ArrayMode::Stationary;
      for (const Fold& f : mapping.folds) {
        const std::uint64_t t = static_cast<std::uint64_t>(f.stream_length);
        const std::uint64_t used_rows = static_cast<std::uint64_t>(f.rows_used);
        const std::uint64_t used_cols = static_cast<std::uint64_t>(f.cols_used);
        const std::uint64_t left_lines = t + used_rows - 1;
        const std::uint64_t top_lines = stationary ? used_rows : t + used_cols - 1;
        const std::uint64_t out_lines = stationary ? t + used_cols - 1 : used_rows + used_cols - 1;
        bytes += left_lines * (line + rows * lane) + (top_lines + out_lines) * (line + cols * lane);
      }
    }
  }
  return bytes;
}

void ScaleSimTraces::begin_layer(int index, const Layer&) { layer_ = index; }

void ScaleSimTraces::begin_step(std::int64_t first_cycle, std::int64_t dram_start_fs) {
  write_dram_lines();
  step_first_cycle_ = first_cycle;
  step_start_fs_ = dram_start_fs;
}

void ScaleSimTraces::open_layer_files() {
  const std::string dir = dir_ + "/layer" + std::to_string(layer_);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error(dir + ": cannot create: " + error.message());
  for (int o = 0; o < kOperands; ++o) sram_files_[o] = std::make_unique<AtomicFile>(dir + "/" + kSramFiles[o]);
  if (dram_reader_ >= 0)
    for (int f = 0; f < kDramFiles; ++f) dram_files_[f] = std::make_unique<AtomicFile>(dir + "/" + kDramFileNames[f]);
}

void ScaleSimTraces::end_layer() {
  write_dram_lines();
  for (auto& file : sram_files_) {
    if (file) file->commit();
    file.reset();
  }
  for (auto& file : dram_files_) {
    if (file) file->commit();
    file.reset();
  }
}

void ScaleSimTraces::write_dram_lines() {
  if (dram_reader_ < 0) return;
  const std::vector<DramTransferRecord> transfers =
      dram_.transfers->finished_by(dram_reader_, std::numeric_limits<std::int64_t>::max());
  if (transfers.empty()) return;
  // The byte ranges [first, end) each burst carried of its transfer, by
  // file and the array cycle in which the burst's last data beat ended (a
  // time on a cycle's end belongs to that cycle).
  struct Piece {
    int file;
    std::int64_t cycle, first, end;
  };
  std::vector<Piece> pieces;
  const std::int64_t burst_bytes = dram_.transfers->dram().burst_bytes();
  for (const DramTransferRecord& transfer : transfers) {
    const Operand region = MemoryController::operand_at(transfer.address, dram_.capacity_bytes);
    const int file = transfer.write ? kOfmapWrites : region == Operand::Ofmap ? kOfmapReads : static_cast<int>(region);
    for (const DramBurstRecord& burst : transfer.bursts)
      pieces.push_back({file, step_first_cycle_ + floor_div(burst.completed_fs - step_start_fs_ - 1, dram_.period_fs),
                        std::max(burst.address, transfer.address),
                        std::min(burst.address + burst_bytes, transfer.address + transfer.bytes)});
  }
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    return std::tie(a.file, a.cycle, a.first) < std::tie(b.file, b.cycle, b.first);
  });
  if (!sram_files_[0]) open_layer_files();
  // One line per cycle; should a cycle carry more than the lanes (never:
  // dram_trace_lanes is an upper bound), its bytes continue on another
  // line of the same cycle.
  std::int64_t lanes_used = 0;
  const auto finish_line = [&](const Piece& piece) {
    for (; lanes_used < dram_.lanes; ++lanes_used) line_ += ",-1";
    write_line(*dram_files_[piece.file], piece.cycle);
  };
  for (std::size_t p = 0; p < pieces.size(); ++p) {
    const Piece& piece = pieces[p];
    for (std::int64_t address = piece.first; address < piece.end; ++address) {
      if (lanes_used == 0) {
        line_.clear();
        append_number(line_, piece.cycle);
      }
      line_ += ',';
      append_number(line_, address);
      if (++lanes_used == dram_.lanes) {
        finish_line(piece);
        lanes_used = 0;
      }
    }
    const bool last_of_line = p + 1 == pieces.size() || pieces[p + 1].file != piece.file ||
                              pieces[p + 1].cycle != piece.cycle;
    if (last_of_line && lanes_used > 0) {
      finish_line(piece);
      lanes_used = 0;
    }
  }
}

void ScaleSimTraces::write_line(AtomicFile& file, std::int64_t cycle) {
  line_ += '\n';
  if (truncated_) return;
  if (bytes_written_ + line_.size() > max_bytes_) {
    truncated_ = true;
    truncated_layer_ = layer_;
    truncated_cycle_ = cycle;
    return;
  }
  bytes_written_ += line_.size();
  file.stream().write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

void ScaleSimTraces::sram(Operand operand, std::int64_t cycle, const std::vector<std::int64_t>& lanes) {
  if (truncated_) return;
  if (!sram_files_[0]) open_layer_files();  // a layer's files appear with its first demand
  AtomicFile& file = *sram_files_[static_cast<int>(operand)];
  line_.clear();
  const std::int64_t served = operand == Operand::Ofmap ? cycle : cycle + kReadHitLatency;
  append_number(line_, served);
  for (const std::int64_t address : lanes) {
    line_ += ',';
    append_number(line_, address);
  }
  write_line(file, served);
}

}  // namespace systole
