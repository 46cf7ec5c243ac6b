#pragma once
// The progress line on stderr for long runs: layer i of n, percent of the
// network's MACs done, simulation rate and estimated time left. Shown only
// when stderr is a terminal.

#include <chrono>
#include <cstdint>
#include <string>

namespace systole {

class ProgressLine {
 public:
  ProgressLine(bool enabled, std::int64_t total_macs, int layer_count);
  void update(int layer_index, const std::string& layer_name, std::int64_t macs_done,
              std::int64_t cycles_done);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  std::int64_t total_macs_;
  int layer_count_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_print_{};
  bool printed_ = false;
};

}  // namespace systole
