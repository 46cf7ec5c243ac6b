#include "sim/report/utilization_log.hpp"

#include <utility>

namespace systole {

UtilizationLog::UtilizationLog(const std::string& path, std::int64_t window, long long pe_count,
                               double clock_period_ns)
    : file_(path), window_(window), pe_count_(pe_count), clock_period_ns_(clock_period_ns) {
  file_.stream() << "cycle,cycles,layer,active_pe_cycles,utilization,noc_left_words,noc_top_words,noc_out_words,dram_bytes,"
                  "dram_gb_per_s,"
                  "ifmap_buffer_bytes,filter_buffer_bytes,ofmap_buffer_bytes\n";
}

void UtilizationLog::begin_layer(int index, std::int64_t first_cycle) {
  layer_ = index;
  layer_first_cycle_ = first_cycle;
}

void UtilizationLog::on_cycle(const CycleActivity& activity, const Execution&) {
  if (window_cycles_ == 0) {
    window_start_ = layer_first_cycle_ + activity.cycle;
    window_layer_ = layer_;
  }
  window_active_ += activity.active_pes;
  for (int n = 0; n < kNetworks; ++n) window_noc_words_[n] += activity.noc_words[n];
  window_dram_bytes_ += activity.dram_bytes;
  for (int p = 0; p < 3; ++p) window_buffer_bytes_[p] += activity.buffer_bytes[p];
  if (++window_cycles_ == window_) flush_window();
}

void UtilizationLog::flush_window() {
  if (window_cycles_ == 0) return;
  const double utilization =
      static_cast<double>(window_active_) / (static_cast<double>(pe_count_) * window_cycles_);
  const double gb_per_s = static_cast<double>(window_dram_bytes_) / (window_cycles_ * clock_period_ns_);
  file_.stream() << window_start_ << ',' << window_cycles_ << ',' << window_layer_ << ',' << window_active_ << ','
                 << utilization;
  for (std::uint64_t& words : window_noc_words_) file_.stream() << ',' << std::exchange(words, 0);
  file_.stream() << ',' << window_dram_bytes_ << ',' << gb_per_s;
  // Occupancy: the mean over the window's cycles (exact with --sample 1).
  for (std::uint64_t& bytes : window_buffer_bytes_) {
    file_.stream() << ',' << static_cast<double>(bytes) / static_cast<double>(window_cycles_);
    bytes = 0;
  }
  file_.stream() << '\n';
  window_cycles_ = 0;
  window_active_ = 0;
  window_dram_bytes_ = 0;
}

void UtilizationLog::commit() {
  flush_window();
  file_.commit();
}

}  // namespace systole
