#include "sim/report/atomic_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace systole {

AtomicFile::AtomicFile(std::string path)
    : path_(std::move(path)), partial_path_(path_ + ".partial"), out_(partial_path_) {
  if (!out_) throw std::runtime_error(path_ + ": cannot write: " + std::strerror(errno));
}

AtomicFile::~AtomicFile() {
  if (!committed_) {
    out_.close();
    std::remove(partial_path_.c_str());
  }
}

void AtomicFile::commit() {
  out_.flush();
  const bool ok = static_cast<bool>(out_);
  out_.close();
  if (!ok) throw std::runtime_error(path_ + ": write failed");
  if (std::rename(partial_path_.c_str(), path_.c_str()) != 0)
    throw std::runtime_error(path_ + ": cannot rename from " + partial_path_ + ": " + std::strerror(errno));
  committed_ = true;
}

}  // namespace systole
