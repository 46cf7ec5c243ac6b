#include "models/array/fold_slots.hpp"

#include <utility>

namespace systole {

SlotRecord* FoldSlots::find(const SlotShape& shape) {
  for (SlotRecord& record : records_)
    if (record.shape == shape) return &record;
  return nullptr;
}

void FoldSlots::start(const SlotShape& shape, std::int64_t first) {
  current_.shape = shape;
  current_.cycles.clear();
  current_.cycles.reserve(static_cast<std::size_t>(shape.length - 1));
  first_ = first;
  recording_ = true;
}

void FoldSlots::record(const CycleActivity& activity) {
  last_ = activity;
  if (activity.cycle > first_) current_.cycles.push_back(activity);
}

void FoldSlots::add_repeats(std::int64_t count) {
  if (!recording_) return;
  for (std::int64_t c = 0; c < count; ++c) {
    ++last_.cycle;
    current_.cycles.push_back(last_);
  }
}

void FoldSlots::finish(bool quiet, bool moved_nothing, bool loaded) {
  if (!recording_) return;
  recording_ = false;
  if (!quiet || static_cast<std::int64_t>(current_.cycles.size()) != current_.shape.length - 1) return;
  current_.moved_nothing = moved_nothing;
  current_.loaded = loaded;
  current_.totals.resize(current_.cycles.size() + 1);
  for (std::size_t i = 0; i < current_.cycles.size(); ++i) {
    current_.totals[i + 1] = current_.totals[i];
    current_.totals[i + 1].add(current_.cycles[i]);
  }
  if (records_.size() < kMaxRecords) {
    records_.push_back(std::move(current_));
    current_ = SlotRecord{};
  } else {
    // The record replaced lends its storage to the next recording: a long
    // slot's is megabytes, and fresh pages cost more than reused ones.
    std::swap(records_[oldest_], current_);
    oldest_ = (oldest_ + 1) % kMaxRecords;
  }
}

}  // namespace systole
