#include "sim/config/yaml_input.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"

namespace systole {

YAML::Node parse_yaml(const std::string& path, const std::string& text) {
  try {
    return YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    throw_input_error(path, e.mark.line + 1, "not valid YAML: " + e.msg);
  }
}

YamlEntry::YamlEntry(const std::string& path, YAML::Node node, std::string label)
    : path_(path), node_(std::move(node)), label_(std::move(label)) {}

void YamlEntry::fail(const YAML::Node& at, const std::string& problem) const {
  // A missing key's node has no mark (and asking throws): the entry's line.
  const int line = at.IsDefined() && at.Mark().line >= 0 ? at.Mark().line + 1 : node_.Mark().line + 1;
  throw_input_error(path_, line, label_ + ": " + problem);
}

bool YamlEntry::has(const char* field) const {
  if (std::find(asked_.begin(), asked_.end(), field) == asked_.end()) asked_.emplace_back(field);
  return static_cast<bool>(node_[field]);
}

YAML::Node YamlEntry::get(const char* field) const {
  if (!has(field)) fail("missing field '" + std::string(field) + "'");
  return node_[field];
}

std::string YamlEntry::text(const char* field) const {
  const YAML::Node value = get(field);
  if (!value.IsScalar()) fail(value, "field '" + std::string(field) + "' must be a single value");
  return value.Scalar();
}

std::int64_t YamlEntry::integer(const YAML::Node& value, const std::string& field, std::int64_t minimum) const {
  if (!value.IsScalar()) fail(value, "field '" + field + "' must be an integer");
  const auto parsed = parse_integer(value.Scalar());
  if (!parsed) fail(value, "field '" + field + "' is '" + value.Scalar() + "', not an integer");
  if (*parsed < minimum)
    fail(value, "field '" + field + "' must be at least " + std::to_string(minimum) + ", got " + value.Scalar());
  return *parsed;
}

std::int64_t YamlEntry::integer(const char* field, std::int64_t minimum) const {
  return integer(get(field), field, minimum);
}

std::int64_t YamlEntry::integer_or(const char* field, std::int64_t fallback, std::int64_t minimum) const {
  return has(field) ? integer(node_[field], field, minimum) : fallback;
}

double YamlEntry::number(const char* field, double minimum) const {
  const YAML::Node value = get(field);
  const std::string name(field);
  if (!value.IsScalar()) fail(value, "field '" + name + "' must be a number");
  double parsed = 0;
  if (!YAML::convert<double>::decode(value, parsed))
    fail(value, "field '" + name + "' is '" + value.Scalar() + "', not a number");
  if (!std::isfinite(parsed)) fail(value, "field '" + name + "' is '" + value.Scalar() + "', not a finite number");
  if (parsed < minimum) {
    std::ostringstream bound;
    bound << minimum;
    fail(value, "field '" + name + "' must be at least " + bound.str() + ", got " + value.Scalar());
  }
  return parsed;
}

bool YamlEntry::boolean_or(const char* field, bool fallback) const {
  if (!has(field)) return fallback;
  const std::string value = to_lower(text(field));
  if (value == "true" || value == "yes") return true;
  if (value == "false" || value == "no") return false;
  fail(node_[field], "field '" + std::string(field) + "' is '" + value + "', expected true or false");
}

std::vector<std::int64_t> YamlEntry::list(const char* field, const std::vector<std::size_t>& lengths,
                                          std::int64_t minimum, std::vector<std::int64_t> fallback) const {
  if (!has(field)) {
    if (fallback.empty()) fail("missing field '" + std::string(field) + "'");
    return fallback;
  }
  const YAML::Node value = node_[field];
  if (value.IsScalar()) return {integer(value, field, minimum)};
  std::string allowed;
  for (std::size_t n : lengths) allowed += (allowed.empty() ? "" : " or ") + std::to_string(n);
  if (!value.IsSequence()) fail(value, "field '" + std::string(field) + "' must be a number or a list");
  bool length_ok = false;
  for (std::size_t n : lengths) length_ok |= value.size() == n;
  if (!length_ok)
    fail(value, "field '" + std::string(field) + "' must have " + allowed + " values, has " +
                    std::to_string(value.size()));
  std::vector<std::int64_t> values;
  for (const YAML::Node& item : value) values.push_back(integer(item, field, minimum));
  return values;
}

void YamlEntry::check_fields(const std::string& hint) const {
  std::vector<std::string> seen;
  for (const auto& item : node_) {
    if (!item.first.IsScalar()) fail(item.first, "field names must be plain words");
    const std::string key = item.first.Scalar();
    if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail(item.first, "field '" + key + "' is given twice");
    seen.push_back(key);
    if (std::find(asked_.begin(), asked_.end(), key) == asked_.end())
      fail(item.first, "unknown field '" + key + "'" + hint);
  }
}

void YamlEntry::allow_only(std::initializer_list<const char*> fields) const {
  for (const char* field : fields) has(field);
  std::string expected;
  for (const std::string& field : asked_) expected += (expected.empty() ? "" : ", ") + field;
  check_fields(" (expected " + expected + ")");
}

}  // namespace systole
