#include "sim/report/scalesim_traces.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <stdexcept>
#include <variant>

#include "sim/dataflow/gemm_dataflow.hpp"
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

}  // namespace

ScaleSimTraces::ScaleSimTraces(std::string dir, std::uint64_t max_bytes)
    : dir_(std::move(dir)), max_bytes_(max_bytes) {}

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
      const std::int64_t largest = std::max({kScaleSimOfmapOffset + groups * gemm.m * gemm.n,
                                             kScaleSimFilterOffset + groups * gemm.n * gemm.k,
                                             kScaleSimIfmapOffset + groups * gemm.m * gemm.k});
      const std::uint64_t lane = decimal_digits(largest) + 1;
      const std::uint64_t line = 12;
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

void ScaleSimTraces::open_layer_files() {
  const std::string dir = dir_ + "/layer" + std::to_string(layer_);
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) throw std::runtime_error(dir + ": cannot create: " + error.message());
  for (int o = 0; o < kOperands; ++o) sram_files_[o] = std::make_unique<AtomicFile>(dir + "/" + kSramFiles[o]);
}

void ScaleSimTraces::end_layer() {
  for (auto& file : sram_files_) {
    if (file) file->commit();
    file.reset();
  }
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
  line_ += '\n';
  if (bytes_written_ + line_.size() > max_bytes_) {
    truncated_ = true;
    truncated_layer_ = layer_;
    truncated_cycle_ = served;
    return;
  }
  bytes_written_ += line_.size();
  file.stream().write(line_.data(), static_cast<std::streamsize>(line_.size()));
}

}  // namespace systole
