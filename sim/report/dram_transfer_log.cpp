#include "sim/report/dram_transfer_log.hpp"

#include <algorithm>
#include <limits>

namespace systole {

DramTransferLog::DramTransferLog(DramBackend& dram) : dram_(dram) { dram_.record_transfers(); }

int DramTransferLog::add_reader() {
  next_record_.push_back(first_record_ + records_.size());
  return static_cast<int>(next_record_.size()) - 1;
}

std::vector<DramTransferRecord> DramTransferLog::finished_by(int reader, std::int64_t time_fs) {
  // Everything finished so far: another reader may ask for a later time.
  for (DramTransferRecord& record : dram_.transfers_finished_by(std::numeric_limits<std::int64_t>::max()))
    records_.push_back(std::move(record));
  std::uint64_t& next = next_record_.at(static_cast<std::size_t>(reader));
  std::vector<DramTransferRecord> finished;
  while (next < first_record_ + records_.size()) {
    const DramTransferRecord& record = records_[next - first_record_];
    if (record.finished_fs > time_fs) break;
    finished.push_back(record);
    ++next;
  }
  const std::uint64_t given_to_all = *std::min_element(next_record_.begin(), next_record_.end());
  while (first_record_ < given_to_all) {
    records_.pop_front();
    ++first_record_;
  }
  return finished;
}

}  // namespace systole
