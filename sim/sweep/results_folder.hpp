#pragma once
// The layout of a sweep's results folder, shared by every machine that runs
// part of it:
//   shards/<writer>.db   one database per writer (a local worker, a Slurm task)
//   results.db           the shards merged (systole sweep merge)
//   slurm/               job scripts, their logs and the submitted job IDs
//   report/              what systole sweep report writes

#include <map>
#include <string>
#include <vector>

namespace systole {

struct ResultsFolder {
  std::string root;

  std::string shard_db(const std::string& writer) const { return root + "/shards/" + writer + ".db"; }
  std::string merged_db() const { return root + "/results.db"; }
  std::string slurm_dir() const { return root + "/slurm"; }
  std::string report_dir() const { return root + "/report"; }

  // Creates the folders; throws InputError naming the folder on failure.
  void create() const;
  std::vector<std::string> shard_dbs() const;
  // Every run's best status over the merged and shard databases: completed
  // when any has it completed, else failed.
  std::map<std::string, std::string> statuses() const;
  // Merges every shard into results.db; returns the runs added or changed.
  std::size_t merge() const;
};

}  // namespace systole
