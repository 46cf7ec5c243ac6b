#pragma once
// Reading YAML input files (workloads, energy tables) so that every error is
// one InputError line naming the file, the line and the entry, as the other
// readers' are.

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace systole {

// `text` (read from `path`) parsed; a syntax error names the line yaml-cpp
// found it on.
YAML::Node parse_yaml(const std::string& path, const std::string& text);

// One mapping being read (a layer, a table entry): every error names the
// file, the line and `label`, and check_fields() refuses keys given twice and
// keys that nothing asked for with has() (typos).
class YamlEntry {
 public:
  YamlEntry(const std::string& path, YAML::Node node, std::string label);

  void set_label(std::string label) { label_ = std::move(label); }
  const YAML::Node& node() const { return node_; }

  // The error at `at`'s line (the entry's own line when `at` has none, as a
  // missing key's node).
  [[noreturn]] void fail(const YAML::Node& at, const std::string& problem) const;
  [[noreturn]] void fail(const std::string& problem) const { fail(node_, problem); }

  bool has(const char* field) const;
  YAML::Node get(const char* field) const;  // fails when missing

  std::string text(const char* field) const;
  std::int64_t integer(const YAML::Node& value, const std::string& field, std::int64_t minimum) const;
  std::int64_t integer(const char* field, std::int64_t minimum = 1) const;
  std::int64_t integer_or(const char* field, std::int64_t fallback, std::int64_t minimum = 1) const;
  // A finite number of at least `minimum` (YAML's .nan and .inf are refused).
  double number(const char* field, double minimum) const;
  bool boolean_or(const char* field, bool fallback) const;
  // A scalar or a list of one of `lengths` values, e.g. kernel: 3 or
  // kernel: [3, 5]; returns the list form (`fallback` when absent; absent
  // with an empty fallback fails).
  std::vector<std::int64_t> list(const char* field, const std::vector<std::size_t>& lengths,
                                 std::int64_t minimum, std::vector<std::int64_t> fallback) const;

  // Fails on a field given twice or not asked for: "unknown field 'k'" and
  // then `hint` (e.g. " for type conv").
  void check_fields(const std::string& hint) const;
  // Fails on a field given twice or not among `fields` (nor asked for):
  // "unknown field 'k' (expected a, b, c)". Called before reading the entry, a
  // misspelt required field is reported as such, not as missing.
  void allow_only(std::initializer_list<const char*> fields) const;

 private:
  std::string path_;
  YAML::Node node_;
  std::string label_;
  mutable std::vector<std::string> asked_;
};

}  // namespace systole
