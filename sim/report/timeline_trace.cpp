#include "sim/report/timeline_trace.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>

#include <nlohmann/json.hpp>

#include "models/memory/memory_controller.hpp"
#include "models/noc/noc_config.hpp"

namespace systole {

namespace {

// Thread ids of the tracks, in the order the viewers show them.
enum Track { kLayers = 1, kSteps = 2, kPhases = 3, kFolds = 4, kDramStalls = 5, kNocStalls = 6, kBufferStalls = 7 };
constexpr const char* kTrackNames[] = {"", "layers", "steps", "phases", "folds", "DRAM stalls", "NoC stalls", "buffer stalls"};
constexpr const char* kBufferPartitions[] = {"ifmap", "filter", "ofmap"};
// The stall slices by cause: their track, their name, and the layers.csv
// counter they add up to.
constexpr struct {
  StallCause cause;
  Track track;
  const char* name;
  Counter counter;
} kStallCauses[] = {{StallCause::Dram, kDramStalls, "DRAM stall", Counter::StallDramCycles},
                    {StallCause::Noc, kNocStalls, "NoC stall", Counter::StallNocCycles},
                    {StallCause::Buffer, kBufferStalls, "buffer stall", Counter::StallBufferCycles}};

// Room kept for the events that close the file once it is cut short.
constexpr std::uint64_t kClosingBytes = 1024;
// A layer slice's size besides its name and type, at most, and a stall
// slice's besides its layer's name.
constexpr std::uint64_t kLayerSliceBytes = 160;
constexpr std::uint64_t kStallSliceBytes = 160;

std::string json_string(const std::string& text) { return nlohmann::json(text).dump(); }

std::string number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

}  // namespace

TimelineTrace::TimelineTrace(const TimelineOptions& options, const std::vector<Layer>& layers,
                             const TimelineHardware& hardware, const std::string& title)
    : file_(options.path), options_(options), hardware_(hardware), cycle_us_(hardware.clock_period_ns / 1000),
      period_fs_(std::llround(hardware.clock_period_ns * 1e6)) {
  if (hardware_.dram != nullptr) {
    hardware_.dram->keep_history();
    if (hardware_.transfers != nullptr) transfer_reader_ = hardware_.transfers->add_reader();
    channel_bursts_ = hardware_.dram->channel_bursts_by(0);
  }
  std::uint64_t layer_bytes = 0;
  for (const Layer& layer : layers) {
    layers_.push_back({json_string(layer.name), to_string(layer.kind), layer.macs()});
    const std::uint64_t name = layers_.back().name_json.size();
    layer_bytes += name + layers_.back().kind.size() + kLayerSliceBytes + std::size(kStallCauses) * (name + kStallSliceBytes);
  }
  // The layer and stall slices, the run's outline, are kept even in a file
  // cut short when they take at most half of it.
  reserved_bytes_ = kClosingBytes;
  if (kClosingBytes + layer_bytes <= options_.max_bytes / 2) {
    reserved_bytes_ += layer_bytes;
    layers_kept_ = true;
  }
  file_.stream() << "{\"traceEvents\":[\n";
  bytes_ = 17;
  emit(R"({"ph":"M","pid":1,"name":"process_name","args":{"name":)" + json_string(title) + "}}");
  for (int track = kLayers; track <= kBufferStalls; ++track) {
    const std::string thread = R"({"ph":"M","pid":1,"tid":)" + std::to_string(track);
    emit(thread + R"(,"name":"thread_name","args":{"name":")" + kTrackNames[track] + "\"}}");
    emit(thread + R"(,"name":"thread_sort_index","args":{"sort_index":)" + std::to_string(track) + "}}");
  }
}

std::string TimelineTrace::ts(std::int64_t cycle) const { return number(static_cast<double>(cycle) * cycle_us_); }

void TimelineTrace::emit(const std::string& event, bool closing) {
  if (truncated_ && !closing) return;
  const std::uint64_t size = event.size() + 2;
  if (!closing && bytes_ + size + reserved_bytes_ > options_.max_bytes) {
    truncated_ = true;
    truncated_at_ = end_cycle_;
    return;
  }
  file_.stream() << (first_event_ ? "" : ",\n") << event;
  first_event_ = false;
  bytes_ += size;
}

void TimelineTrace::close_slice(OpenSlice& slice, int track, const std::string& name, const std::string& args,
                                std::int64_t end_cycle) {
  if (!slice.open) return;
  slice.open = false;
  const bool kept = track == kLayers && layers_kept_;
  if (truncated_ && !kept) return;
  emit(slice_event(track, name, args, slice.first_cycle, end_cycle), kept);
}

std::string TimelineTrace::slice_event(int track, const std::string& name, const std::string& args,
                                       std::int64_t first_cycle, std::int64_t end_cycle) const {
  return R"({"ph":"X","pid":1,"tid":)" + std::to_string(track) + ",\"name\":" + name + ",\"ts\":" + ts(first_cycle) +
         ",\"dur\":" + number(static_cast<double>(end_cycle - first_cycle) * cycle_us_) +
         (args.empty() ? "" : ",\"args\":" + args) + "}";
}

void TimelineTrace::close_layer_slices(std::int64_t end_cycle) {
  if (layer_ < 0) return;
  const LayerInfo& layer = layers_[static_cast<std::size_t>(layer_)];
  const std::string in_layer = R"({"layer":)" + layer.name_json + "}";
  close_slice(step_slice_, kSteps, json_string("step " + std::to_string(step_slice_.key)), in_layer, end_cycle);
  close_slice(phase_slice_, kPhases, json_string(std::string(to_string(static_cast<Phase>(phase_slice_.key)))), in_layer,
              end_cycle);
  close_slice(fold_slice_, kFolds, json_string("fold " + std::to_string(fold_slice_.key)), in_layer, end_cycle);
  OpenSlice whole{true, layer_, layer_first_cycle_};
  close_slice(whole, kLayers, layer.name_json,
              R"({"type":)" + json_string(layer.kind) + R"(,"macs":)" + std::to_string(layer.macs) + "}", end_cycle);
}

void TimelineTrace::begin_step(int layer, std::int64_t first_cycle) {
  // Windows never span two steps, as utilization.csv's do not.
  flush_window();
  write_dram_transfers();
  if (layer != layer_) {
    close_layer_slices(end_cycle_);
    layer_ = layer;
    step_ = 0;
    layer_first_cycle_ = first_cycle;
  } else {
    const LayerInfo& info = layers_[static_cast<std::size_t>(layer_)];
    const std::string in_layer = R"({"layer":)" + info.name_json + "}";
    close_slice(step_slice_, kSteps, json_string("step " + std::to_string(step_slice_.key)), in_layer, end_cycle_);
    // Each step's execution counts its folds from 0.
    close_slice(fold_slice_, kFolds, json_string("fold " + std::to_string(fold_slice_.key)), in_layer, end_cycle_);
    ++step_;
  }
  step_first_cycle_ = first_cycle;
  end_cycle_ = first_cycle;
  if (hardware_.dram != nullptr) step_start_fs_ = hardware_.dram_now_fs();
  step_slice_ = {true, step_, first_cycle};
}

void TimelineTrace::on_cycle(const CycleActivity& activity, const Execution&) {
  const std::int64_t cycle = step_first_cycle_ + activity.cycle;
  end_cycle_ = cycle + 1;
  last_cycle_end_fs_ = step_start_fs_ + (activity.cycle + 1) * period_fs_;
  const int phase = static_cast<int>(activity.phase);
  if (!phase_slice_.open || phase_slice_.key != phase) {
    const std::string in_layer = R"({"layer":)" + layers_[static_cast<std::size_t>(layer_)].name_json + "}";
    close_slice(phase_slice_, kPhases, json_string(std::string(to_string(static_cast<Phase>(phase_slice_.key)))),
                in_layer, cycle);
    phase_slice_ = {true, phase, cycle};
  }
  if (fold_slice_.open ? fold_slice_.key != activity.fold : activity.fold >= 0) {
    const std::string in_layer = R"({"layer":)" + layers_[static_cast<std::size_t>(layer_)].name_json + "}";
    close_slice(fold_slice_, kFolds, json_string("fold " + std::to_string(fold_slice_.key)), in_layer, cycle);
    if (activity.fold >= 0) fold_slice_ = {true, activity.fold, cycle};
  }

  if (window_.cycles == 0) window_.first_cycle = cycle;
  window_.sums.add(activity);
  for (int p = 0; p < kOperands; ++p) {
    window_.array_reads[p] += activity.buffer_reads[p];
    window_.array_writes[p] += activity.buffer_writes[p];
  }
  if (++window_.cycles == options_.window) flush_window();
}

void TimelineTrace::flush_window() {
  if (window_.cycles == 0) return;
  if (truncated_) {
    window_ = Window{};
    return;
  }
  const std::string counter = R"({"ph":"C","pid":1,"ts":)" + ts(window_.first_cycle) + ",\"name\":";
  const CycleTotals& sums = window_.sums;
  const double cycles = static_cast<double>(window_.cycles);
  const double utilization = static_cast<double>(sums.active_pes) / (static_cast<double>(hardware_.pe_count) * cycles);
  emit(counter + R"("utilization","args":{"active PEs":)" + number(utilization) + "}}");
  emit(counter + R"("MACs","args":{"per window":)" + std::to_string(sums.active_pes) + "}}");
  emit(counter + R"("DRAM bytes","args":{"per window":)" + std::to_string(sums.dram_bytes) + "}}");
  const double nanoseconds = cycles * hardware_.clock_period_ns;
  if (hardware_.dram != nullptr) {
    emit(counter + R"("DRAM bandwidth","args":{"GB/s":)" + number(static_cast<double>(sums.dram_bytes) / nanoseconds) +
         "}}");
    write_dram_transfers();
    const std::vector<std::int64_t> bursts = hardware_.dram->channel_bursts_by(last_cycle_end_fs_);
    for (std::size_t c = 0; c < bursts.size(); ++c) {
      const std::int64_t bytes = (bursts[c] - channel_bursts_[c]) * hardware_.dram->burst_bytes();
      emit(counter + "\"DRAM channel " + std::to_string(c) + R"(","args":{"bytes":)" + std::to_string(bytes) +
           R"(,"GB/s":)" + number(static_cast<double>(bytes) / nanoseconds) + "}}");
    }
    channel_bursts_ = bursts;
  }
  for (int n = 0; n < kNetworks; ++n) {
    const Network network = static_cast<Network>(n);
    std::string bus = R"("words":)" + std::to_string(sums.noc_words[n]);
    if (hardware_.dram != nullptr && hardware_.noc.words(network) > 0)
      bus += R"(,"occupancy":)" +
             number(static_cast<double>(sums.noc_words[n]) / (hardware_.noc.words(network) * cycles));
    emit(counter + "\"NoC " + to_string(network) + R"( bus","args":{)" + bus + "}}");
  }
  std::string buffer;
  for (int p = 0; p < kOperands; ++p)
    buffer += std::string(p == 0 ? "" : ",") + "\"" + kBufferPartitions[p] +
              "\":" + number(static_cast<double>(sums.buffer_bytes[p]) / cycles);
  emit(counter + R"("buffer bytes","args":{)" + buffer + "}}");
  std::string reads, writes;
  for (int p = 0; p < kOperands; ++p) {
    reads += std::string(p == 0 ? "" : ",") + "\"" + kBufferPartitions[p] + "\":" + std::to_string(window_.array_reads[p]);
    writes += std::string(p == 0 ? "" : ",") + "\"" + kBufferPartitions[p] + "\":" + std::to_string(window_.array_writes[p]);
  }
  emit(counter + "\"buffer reads (array)\",\"args\":{" + reads + "}}");
  emit(counter + "\"buffer writes (array)\",\"args\":{" + writes + "}}");
  window_ = Window{};
}

void TimelineTrace::write_dram_transfers() {
  if (hardware_.dram == nullptr || hardware_.transfers == nullptr) return;
  // The vector unit's cycles do not advance the DRAM; the array's have.
  hardware_.dram->advance_to(last_cycle_end_fs_);
  const auto run_us = [&](std::int64_t fs) {
    return number(static_cast<double>(step_first_cycle_) * cycle_us_ + static_cast<double>(fs - step_start_fs_) * 1e-9);
  };
  for (const DramTransferRecord& transfer : hardware_.transfers->finished_by(transfer_reader_, last_cycle_end_fs_)) {
    const Operand operand = MemoryController::operand_at(transfer.address, hardware_.dram->capacity_bytes());
    const std::string slice = R"({"pid":1,"cat":"DRAM","id":)" + std::to_string(transfers_written_++) + R"(,"name":")" +
                              kBufferPartitions[static_cast<int>(operand)] + (transfer.write ? " write" : " read") +
                              "\"";
    // Both ends in one event, so that a cut never leaves a slice open.
    emit(slice + R"(,"ph":"b","ts":)" + run_us(transfer.started_fs) + R"(,"args":{"bytes":)" +
         std::to_string(transfer.bytes) + R"(,"address":)" + std::to_string(transfer.address) + "}},\n" + slice +
         R"(,"ph":"e","ts":)" + run_us(transfer.finished_fs) + "}");
  }
}

void TimelineTrace::write_stalls(const RunResult& result) {
  // Each cause's spans that overlap or touch make one slice, whose args
  // count the cycles of each. If those do not fit, one slice per layer and
  // cause spans them all, in the room kept for the outline.
  std::vector<std::string> detailed, outline;
  std::uint64_t detailed_bytes = 0;
  for (std::size_t i = 0; i < result.layers.size() && i < layers_.size(); ++i) {
    const LayerStats& layer = result.layers[i];
    for (const auto& cause : kStallCauses) {
      std::vector<StallSpan> spans;
      for (const StallSpan& span : layer.stall_spans)
        if (span.cause == cause.cause) spans.push_back(span);
      if (spans.empty()) continue;
      std::sort(spans.begin(), spans.end(),
                [](const StallSpan& a, const StallSpan& b) { return a.first_cycle < b.first_cycle; });
      auto slice = [&](std::int64_t first, std::int64_t end, std::int64_t cycles) {
        return slice_event(cause.track, json_string(cause.name),
                           R"({"layer":)" + layers_[i].name_json + R"(,"stall cycles":)" + std::to_string(cycles) + "}",
                           first, end);
      };
      std::int64_t first = spans.front().first_cycle, end = first, cycles = 0, all_cycles = 0;
      for (const StallSpan& span : spans) {
        if (span.first_cycle > end) {
          detailed.push_back(slice(first, end, cycles));
          detailed_bytes += detailed.back().size() + 2;
          first = span.first_cycle;
          cycles = 0;
        }
        end = std::max(end, span.first_cycle + span.cycles);
        cycles += span.cycles;
        all_cycles += span.cycles;
      }
      detailed.push_back(slice(first, end, cycles));
      detailed_bytes += detailed.back().size() + 2;
      outline.push_back(slice(spans.front().first_cycle, end, all_cycles));
    }
  }
  const bool fits = !truncated_ && bytes_ + detailed_bytes + kClosingBytes <= options_.max_bytes;
  if (!fits && !truncated_) {
    truncated_ = true;
    truncated_at_ = end_cycle_;
  }
  for (const std::string& event : fits ? detailed : outline) emit(event, /*closing=*/fits || layers_kept_);
}

void TimelineTrace::commit(const RunResult& result) {
  const bool interrupted = result.interrupted;
  flush_window();
  write_dram_transfers();
  close_layer_slices(end_cycle_);
  layer_ = -1;
  write_stalls(result);
  // A last, empty sample marks where the last window ends.
  window_.first_cycle = end_cycle_;
  window_.cycles = 1;
  flush_window();
  const bool cut = truncated_;
  std::string labels;
  if (cut)
    labels = "truncated at --timeline-max-mb " + number(static_cast<double>(options_.max_bytes) / 1e6) +
             " (run cycle " + std::to_string(truncated_at_) + ")";
  if (interrupted) labels += std::string(labels.empty() ? "" : ", ") + "interrupted: a partial run";
  // It fits in the room kept for it.
  if (!labels.empty())
    emit(R"({"ph":"M","pid":1,"name":"process_labels","args":{"labels":)" + json_string(labels) + "}}",
         /*closing=*/true);
  file_.stream() << "\n],\"displayTimeUnit\":\"ns\",\"otherData\":{\"clock_period_ns\":" << number(cycle_us_ * 1000)
                 << ",\"window_cycles\":" << options_.window << ",\"truncated\":" << (cut ? "true" : "false")
                 << ",\"interrupted\":" << (interrupted ? "true" : "false") << "}}\n";
  file_.commit();
}

}  // namespace systole
