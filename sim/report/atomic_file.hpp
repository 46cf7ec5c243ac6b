#pragma once
// An output file that appears under its final name only when complete: it is
// written beside the target as "<name>.partial" and renamed on commit. An
// uncommitted file is removed, so a failed run leaves no half-written output.

#include <fstream>
#include <string>

namespace systole {

class AtomicFile {
 public:
  explicit AtomicFile(std::string path);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  std::ostream& stream() { return out_; }
  const std::string& path() const { return path_; }
  const std::string& partial_path() const { return partial_path_; }
  // Flushes, closes and renames; throws std::runtime_error on failure.
  void commit();

 private:
  std::string path_;
  std::string partial_path_;
  std::ofstream out_;
  bool committed_ = false;
};

}  // namespace systole
