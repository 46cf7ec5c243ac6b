#include "sim/sweep/sweep_progress.hpp"

#include <cstdio>

namespace systole {

SweepProgress::SweepProgress(std::size_t total, bool terminal) : total_(total), terminal_(terminal) {}

void SweepProgress::update(std::size_t completed, std::size_t failed) {
  completed_ = completed;
  failed_ = failed;
  const auto interval = terminal_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(10000);
  if (Clock::now() - last_print_ >= interval) print(false);
}

void SweepProgress::finish() { print(true); }

void SweepProgress::print(bool last) {
  last_print_ = Clock::now();
  const double seconds = std::chrono::duration<double>(last_print_ - start_).count();
  const std::size_t done = completed_ + failed_;
  const double rate = seconds > 0 ? done / seconds : 0;
  char eta[32] = "--:--";
  if (rate > 0 && done < total_) {
    const long left = static_cast<long>((total_ - done) / rate);
    std::snprintf(eta, sizeof eta, "%ld:%02ld:%02ld", left / 3600, left / 60 % 60, left % 60);
  } else if (done >= total_) {
    std::snprintf(eta, sizeof eta, "0:00:00");
  }
  std::fprintf(stderr, "%ssweep: %zu/%zu runs (%zu failed), %.2f runs/s, %.0f s elapsed, ETA %s%s",
               terminal_ ? "\r\033[K" : "", done, total_, failed_, rate, seconds, eta,
               terminal_ && !last ? "" : "\n");
  std::fflush(stderr);
}

}  // namespace systole
