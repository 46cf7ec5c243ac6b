#include "sim/cli/held_log.hpp"

#include <memory>
#include <mutex>
#include <vector>

#include <spdlog/details/log_msg_buffer.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "sim/config/text.hpp"

namespace systole {

namespace {

class HeldSink final : public spdlog::sinks::sink {
 public:
  explicit HeldSink(std::shared_ptr<spdlog::sinks::sink> target) : target_(std::move(target)) {}

  // Lines quote inputs (names, paths, fields): their control bytes and
  // stray binary are escaped, as errors' are.
  void log(const spdlog::details::log_msg& message) override {
    const std::string text = printable(std::string_view(message.payload.data(), message.payload.size()));
    spdlog::details::log_msg safe = message;
    safe.payload = spdlog::string_view_t(text.data(), text.size());
    std::lock_guard<std::mutex> lock(mutex_);
    if (holding_)
      held_.emplace_back(safe);
    else
      target_->log(safe);
  }
  void flush() override { target_->flush(); }
  void set_pattern(const std::string& pattern) override { target_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    target_->set_formatter(std::move(formatter));
  }

  void release(bool print) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (print)
      for (const spdlog::details::log_msg_buffer& message : held_) target_->log(message);
    held_.clear();
    holding_ = false;
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> target_;
  std::mutex mutex_;
  bool holding_ = true;
  std::vector<spdlog::details::log_msg_buffer> held_;
};

std::shared_ptr<HeldSink>& held_sink() {
  static std::shared_ptr<HeldSink> sink;
  return sink;
}

}  // namespace

void hold_log_lines() {
  if (held_sink()) return;
  held_sink() = std::make_shared<HeldSink>(std::make_shared<spdlog::sinks::stderr_color_sink_mt>());
  auto logger = std::make_shared<spdlog::logger>("systole", held_sink());
  logger->set_pattern("[%l] %v");
  spdlog::set_default_logger(logger);
}

void release_log_lines() {
  if (held_sink()) held_sink()->release(true);
}

void discard_log_lines() {
  if (held_sink()) held_sink()->release(false);
}

}  // namespace systole
