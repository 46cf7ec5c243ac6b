#pragma once
// A sweep's results in SQLite: one database file per writer (a shard of a
// Slurm array, a local worker), merged into results.db by
// `systole sweep merge`, never one file written by many processes (SQLite's
// locks are not to be trusted over NFS). A run's rows are written in one
// transaction, so a writer killed mid-run leaves none of them; every row is
// keyed by the run's hash, so ingesting a database twice changes nothing.
//
// Tables:
//   runs(hash, status 'completed'|'failed', error, point, workload, batch,
//        axes JSON, config JSON, summary JSON, finished_at)
//   figures(hash, name, value, unit): summary.json's figures, one row each
//   layers(hash, layer, name, columns JSON): layers.csv's rows

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace systole {

struct StoredRun {
  std::string hash;
  std::string status;  // "completed" or "failed"
  std::string error;   // a failed run's one-line reason
  std::uint64_t point = 0;
  std::string workload;
  std::int64_t batch = 0;
  nlohmann::json axes;     // axis key -> value
  nlohmann::json config;   // every architecture key
  nlohmann::json summary;  // summary.json (completed runs)
  std::vector<std::pair<std::string, nlohmann::json>> figures;  // name, {value, unit}
  std::vector<nlohmann::json> layers;  // layers.csv column -> value
  std::string finished_at;  // when its row was written (UTC, set by put())
};

class ResultStore {
 public:
  // Opens (creating when asked) the database at `path`; throws
  // std::runtime_error naming it on failure.
  ResultStore(const std::string& path, bool create);
  ~ResultStore();
  ResultStore(const ResultStore&) = delete;
  ResultStore& operator=(const ResultStore&) = delete;

  // Replaces the run's rows, all in one transaction.
  void put(const StoredRun& run);
  // Every run's hash and status.
  std::vector<std::pair<std::string, std::string>> statuses() const;
  // Copies every run of `other` in, except that a failed run never replaces
  // a completed one; returns how many runs it added or changed.
  std::size_t merge_from(const std::string& other_path);
  // The runs whose hash is in `hashes` (all when empty), with their figures
  // and, when asked, layers.
  std::vector<StoredRun> load(const std::set<std::string>& hashes, bool with_layers) const;

  const std::string& path() const { return path_; }

 private:
  void exec(const std::string& sql) const;
  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace systole
