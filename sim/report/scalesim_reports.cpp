#include "sim/report/scalesim_reports.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>
#include <ostream>

#include "sim/report/atomic_file.hpp"

namespace systole {

namespace {

constexpr Operand kOperandOrder[] = {Operand::Ifmap, Operand::Filter, Operand::Ofmap};

// A row: the fields joined by ", ", with SCALE-Sim's trailing comma.
class Row {
 public:
  explicit Row(std::ostream& out) : out_(out) {}
  ~Row() { out_ << ",\n"; }
  Row& operator<<(const std::string& field) {
    out_ << (first_ ? "" : ", ") << field;
    first_ = false;
    return *this;
  }
  Row& operator<<(std::int64_t value) { return *this << std::to_string(value); }

 private:
  std::ostream& out_;
  bool first_ = true;
};

std::string layer_id(const RunResult& result, std::size_t i) {
  const bool partial = result.layers[i].verification == Verification::Interrupted;
  return std::to_string(i) + (partial ? " (interrupted)" : "");
}

// SCALE-Sim's Total Cycles: the 0-based cycle of the layer's last output.
std::int64_t total_cycles(const LayerStats& layer) { return layer[Counter::Cycles] - 1; }

// Empty where the ratio is undefined (nothing to divide by).
std::string ratio(double numerator, double denominator) {
  return denominator > 0 ? python_float(numerator / denominator) : "";
}

}  // namespace

const std::vector<std::string>& scalesim_report_names() {
  static const std::vector<std::string> names = {"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                                 "DETAILED_ACCESS_REPORT.csv"};
  return names;
}

std::string python_float(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value < 0 ? "-inf" : "inf";
  // The shortest digits that read back as `value`, and their exponent.
  char text[64];
  const std::to_chars_result written = std::to_chars(text, text + sizeof text, value, std::chars_format::scientific);
  const std::string scientific(text, written.ptr);
  const std::size_t e = scientific.find('e');
  std::string digits;
  bool negative = false;
  for (std::size_t i = 0; i < e; ++i) {
    if (scientific[i] == '-') negative = true;
    if (scientific[i] >= '0' && scientific[i] <= '9') digits += scientific[i];
  }
  const int exponent = std::atoi(scientific.c_str() + e + 1);
  std::string out = negative ? "-" : "";
  // Python's repr: positional for exponents from -4 to 15, else scientific.
  if (exponent >= -4 && exponent < 16) {
    if (exponent < 0) return out + "0." + std::string(static_cast<std::size_t>(-exponent - 1), '0') + digits;
    const std::size_t whole = static_cast<std::size_t>(exponent) + 1;
    if (digits.size() <= whole) return out + digits + std::string(whole - digits.size(), '0') + ".0";
    return out + digits.substr(0, whole) + "." + digits.substr(whole);
  }
  out += digits.substr(0, 1);
  if (digits.size() > 1) out += "." + digits.substr(1);
  const std::string magnitude = std::to_string(std::abs(exponent));
  return out + (exponent < 0 ? "e-" : "e+") + (magnitude.size() < 2 ? "0" : "") + magnitude;
}

ScaleSimReports::ScaleSimReports(std::string directory, const ScaleSimArray& array)
    : directory_(std::move(directory)), array_(array) {}

void ScaleSimReports::begin_step(int layer, std::int64_t first_cycle) {
  if (static_cast<std::size_t>(layer) >= layers_.size()) {
    layers_.resize(static_cast<std::size_t>(layer) + 1);
    layer_first_cycle_ = first_cycle;
  }
  step_offset_ = first_cycle - layer_first_cycle_;
}

void ScaleSimReports::on_cycle(const CycleActivity& activity, const Execution&) {
  LayerSpans& layer = layers_.back();
  const std::int64_t cycle = step_offset_ + activity.cycle;
  for (Operand operand : kOperandOrder) {
    const int p = static_cast<int>(operand);
    const std::uint32_t values =
        operand == Operand::Ofmap ? activity.buffer_writes[p] : activity.buffer_reads[p];
    if (values > 0) {
      layer.sram[p].add(cycle);
      layer.sram_values[p] += values;
    }
    if (activity.dram_transfers[p] > 0) layer.dram[p].add(cycle);
  }
}

ScaleSimReports::Span ScaleSimReports::sram_span(std::size_t layer, Operand operand) const {
  return layer < layers_.size() ? layers_[layer].sram[static_cast<int>(operand)] : Span{};
}

ScaleSimReports::Span ScaleSimReports::dram_span(std::size_t layer, Operand operand) const {
  return layer < layers_.size() ? layers_[layer].dram[static_cast<int>(operand)] : Span{};
}

std::int64_t ScaleSimReports::sram_values(std::size_t layer, Operand operand) const {
  return layer < layers_.size() ? layers_[layer].sram_values[static_cast<int>(operand)] : 0;
}

std::int64_t ScaleSimReports::dram_words(const LayerStats& layer, Operand operand) const {
  const std::int64_t bytes = operand == Operand::Ofmap ? layer[Counter::DramOfmapWriteBytes]
                                                       : layer[per_operand(Counter::DramIfmapReadBytes, operand)];
  return bytes * 8 / array_.operand_bits;
}

void ScaleSimReports::commit(const RunResult& result) const {
  write_compute(result);
  write_bandwidth(result);
  write_detailed(result);
}

void ScaleSimReports::write_compute(const RunResult& result) const {
  AtomicFile file(directory_ + "/" + scalesim_report_names()[0]);
  std::ostream& out = file.stream();
  Row(out) << "LayerID" << "Total Cycles" << "Stall Cycles" << "Overall Util %" << "Mapping Efficiency %"
           << "Compute Util %";
  const double pes = static_cast<double>(array_.rows) * array_.cols;
  // SCALE-Sim's WS and IS count each fold's compute cycles on the un-skewed
  // stationary matrix: C − 1 cycles more than the fold takes.
  const bool stationary_quirk = array_.dataflow == "ws" || array_.dataflow == "is";
  for (std::size_t i = 0; i < result.layers.size(); ++i) {
    const LayerStats& layer = result.layers[i];
    const double macs = static_cast<double>(layer[Counter::Macs]);
    const std::int64_t folds = layer[Counter::Folds];
    const std::int64_t array_cycles =
        layer[Counter::Cycles] - layer.stall_cycles() - layer[Counter::VectorCycles];
    const std::int64_t compute_cycles = array_cycles + (stationary_quirk ? folds * (array_.cols - 1) : 0);
    Row(out) << layer_id(result, i) << total_cycles(layer) << layer.stall_cycles()
             << ratio(100 * macs, pes * static_cast<double>(total_cycles(layer)))
             << (folds > 0 ? python_float(100 * layer.mapping_efficiency) : "")
             << (folds > 0 ? ratio(100 * macs, pes * static_cast<double>(compute_cycles)) : "");
  }
  file.commit();
}

void ScaleSimReports::write_bandwidth(const RunResult& result) const {
  AtomicFile file(directory_ + "/" + scalesim_report_names()[1]);
  std::ostream& out = file.stream();
  Row(out) << "LayerID" << "Avg IFMAP SRAM BW" << "Avg FILTER SRAM BW" << "Avg OFMAP SRAM BW" << "Avg IFMAP DRAM BW"
           << "Avg FILTER DRAM BW" << "Avg OFMAP DRAM BW";
  for (std::size_t i = 0; i < result.layers.size(); ++i) {
    const LayerStats& layer = result.layers[i];
    Row row(out);
    row << layer_id(result, i);
    for (Operand operand : kOperandOrder)
      row << ratio(static_cast<double>(sram_values(i, operand)), static_cast<double>(total_cycles(layer)));
    for (Operand operand : kOperandOrder) {
      const Span& span = dram_span(i, operand);
      row << (array_.dram && span.first >= 0
                  ? ratio(static_cast<double>(dram_words(layer, operand)), static_cast<double>(span.last - span.first + 1))
                  : "");
    }
  }
  file.commit();
}

void ScaleSimReports::write_detailed(const RunResult& result) const {
  AtomicFile file(directory_ + "/" + scalesim_report_names()[2]);
  std::ostream& out = file.stream();
  {
    Row header(out);
    header << "LayerID";
    for (const char* memory : {"SRAM", "DRAM"})
      for (const char* operand : {"IFMAP", "Filter", "OFMAP"}) {
        const std::string prefix = std::string(memory) + " " + operand + " ";
        header << prefix + "Start Cycle" << prefix + "Stop Cycle"
               << prefix + (std::string(operand) == "OFMAP" ? "Writes" : "Reads");
      }
  }
  for (std::size_t i = 0; i < result.layers.size(); ++i) {
    const LayerStats& layer = result.layers[i];
    Row row(out);
    row << layer_id(result, i);
    for (Operand operand : kOperandOrder) {
      const Span& span = sram_span(i, operand);
      const bool writes = operand == Operand::Ofmap;
      if (span.first < 0) {
        row << "" << "" << std::int64_t{0};
        continue;
      }
      row << python_float(static_cast<double>(writes ? scalesim_write_cycle(span.first) : scalesim_read_cycle(span.first)))
          << python_float(static_cast<double>(writes ? scalesim_write_cycle(span.last) : scalesim_read_cycle(span.last)))
          << sram_values(i, operand);
    }
    for (Operand operand : kOperandOrder) {
      const Span& span = dram_span(i, operand);
      if (!array_.dram) {
        row << "" << "" << "";
        continue;
      }
      const std::int64_t words = dram_words(layer, operand);
      if (span.first < 0) {
        row << "" << "" << words;
        continue;
      }
      row << python_float(static_cast<double>(scalesim_write_cycle(span.first)))
          << python_float(static_cast<double>(scalesim_write_cycle(span.last))) << words;
    }
  }
  file.commit();
}

}  // namespace systole
