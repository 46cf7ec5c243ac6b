#include "sim/sweep/point_hash.hpp"

#include <cstdio>

#include "sim/config/text.hpp"

namespace systole {

namespace {

constexpr std::uint64_t kFnvPrime = 0x100000001b3ULL;
constexpr std::uint64_t kFnvOffset = 0xcbf29ce484222325ULL;
// The second hash starts from another offset: its collisions are not the first's.
constexpr std::uint64_t kSecondOffset = 0x84222325cbf29ce4ULL;

std::uint64_t fnv1a(std::string_view text, std::uint64_t hash) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= kFnvPrime;
  }
  return hash;
}

}  // namespace

std::string hash_text(std::string_view text) {
  char hex[33];
  std::snprintf(hex, sizeof hex, "%016llx%016llx", static_cast<unsigned long long>(fnv1a(text, kFnvOffset)),
                static_cast<unsigned long long>(fnv1a(text, kSecondOffset)));
  return hex;
}

std::string hash_file(const std::string& path) { return hash_text(read_input_file(path, "workload file")); }

}  // namespace systole
