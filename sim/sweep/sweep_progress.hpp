#pragma once
// The progress line of a sweep on stderr: runs done of the total, failed
// ones, the rate and the time left. On a terminal it redraws one line; else
// (a log file, a Slurm task's output) it writes a line every 10 seconds.

#include <chrono>
#include <cstddef>

namespace systole {

class SweepProgress {
 public:
  SweepProgress(std::size_t total, bool terminal);
  void update(std::size_t completed, std::size_t failed);
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  void print(bool last);
  std::size_t total_;
  bool terminal_;
  std::size_t completed_ = 0, failed_ = 0;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_print_{};
};

}  // namespace systole
