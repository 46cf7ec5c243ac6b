#pragma once
// The key of a sweep's run: a hash of everything that decides its results
// (every architecture key's value, the workload file's bytes, the batch and
// the operand seed), so that a re-run finds the runs it already has, a
// changed sweep file re-runs only the runs it changed, and merging result
// databases never duplicates a run.

#include <cstdint>
#include <string>
#include <string_view>

namespace systole {

// 128 bits as 32 hex digits: two 64-bit FNV-1a hashes of `text` from
// different offsets (collisions among a sweep's thousands of runs are then
// out of reach; it is not a cryptographic hash).
std::string hash_text(std::string_view text);

// The hash of the file at `path` (throws InputError when it cannot be read).
std::string hash_file(const std::string& path);

}  // namespace systole
