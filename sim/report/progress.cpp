#include "sim/report/progress.hpp"

#include <cstdio>

namespace systole {

ProgressLine::ProgressLine(bool enabled, std::int64_t total_macs, int layer_count)
    : enabled_(enabled), total_macs_(total_macs), layer_count_(layer_count) {}

void ProgressLine::update(int layer_index, const std::string& layer_name, std::int64_t macs_done,
                          std::int64_t cycles_done) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (printed_ && now - last_print_ < std::chrono::milliseconds(200)) return;
  last_print_ = now;
  printed_ = true;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fraction = total_macs_ > 0 ? static_cast<double>(macs_done) / total_macs_ : 0;
  const double rate = elapsed > 0 ? cycles_done / elapsed : 0;
  const double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  std::fprintf(stderr, "\r\033[Klayer %d/%d %-16.16s %5.1f%%  %.3g cycles/s  ETA %.0fs",
               layer_index + 1, layer_count_, layer_name.c_str(), 100 * fraction, rate, eta);
  std::fflush(stderr);
}

void ProgressLine::finish() {
  if (enabled_ && printed_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace systole
