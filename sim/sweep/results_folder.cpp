#include "sim/sweep/results_folder.hpp"

#include <algorithm>
#include <filesystem>

#include "sim/config/input_error.hpp"
#include "sim/sweep/result_store.hpp"

namespace systole {

void ResultsFolder::create() const {
  std::error_code error;
  for (const std::string& dir : {root, root + "/shards", slurm_dir()}) {
    std::filesystem::create_directories(dir, error);
    if (error) throw InputError("cannot create the results folder '" + dir + "': " + error.message());
  }
}

std::vector<std::string> ResultsFolder::shard_dbs() const {
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/shards", error))
    if (entry.path().extension() == ".db") paths.push_back(entry.path().string());
  std::sort(paths.begin(), paths.end());
  return paths;
}

std::map<std::string, std::string> ResultsFolder::statuses() const {
  std::map<std::string, std::string> best;
  std::vector<std::string> paths = shard_dbs();
  if (std::filesystem::exists(merged_db())) paths.push_back(merged_db());
  for (const std::string& path : paths) {
    const ResultStore store(path, false);
    for (const auto& [hash, status] : store.statuses()) {
      std::string& slot = best[hash];
      if (slot != "completed") slot = status;
    }
  }
  return best;
}

std::size_t ResultsFolder::merge() const {
  ResultStore merged(merged_db(), true);
  std::size_t changed = 0;
  for (const std::string& path : shard_dbs()) changed += merged.merge_from(path);
  return changed;
}

}  // namespace systole
