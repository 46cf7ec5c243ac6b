#pragma once
// The DRAM's transfer records (DramBackend::transfers_finished_by), shared
// by every report that shows them (the timeline's DRAM slices, SCALE-Sim's
// DRAM traces). The backend hands each record out once; this log takes them
// from it and gives each reader every record, in the order they finished.
// Creating it turns the backend's recording on, so a run without it records
// nothing.

#include <cstdint>
#include <deque>
#include <vector>

#include "models/dram/dram_backend.hpp"

namespace systole {

class DramTransferLog {
 public:
  explicit DramTransferLog(DramBackend& dram);

  // A new reader, which will be given every record from now on.
  int add_reader();
  // The transfers finished by `time_fs` that `reader` was not given before
  // (`time_fs` never decreasing for a reader; the DRAM advanced to it).
  std::vector<DramTransferRecord> finished_by(int reader, std::int64_t time_fs);

  DramBackend& dram() const { return dram_; }

 private:
  DramBackend& dram_;
  std::deque<DramTransferRecord> records_;  // not yet given to every reader
  std::uint64_t first_record_ = 0;          // the number of records_.front()
  std::vector<std::uint64_t> next_record_;  // per reader
};

}  // namespace systole
