#include "sim/sweep/sweep_file.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "sim/config/arch_config.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/config/yaml_input.hpp"
#include "sim/report/figures.hpp"

namespace systole {

namespace {

// More values than this on one axis is a mistake (a step of 0.0001).
constexpr std::size_t kMaxAxisValues = 100000;

int line_of(const YAML::Node& node) { return node.Mark().line >= 0 ? node.Mark().line + 1 : 0; }

std::string number_text(double value, bool integral) {
  if (integral) return std::to_string(static_cast<long long>(std::llround(value)));
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", value);
  return text;
}

// {from, to, step} (inclusive, linear) or {from, to, factor} (geometric).
std::vector<std::string> range_values(const std::string& path, const YAML::Node& node, const std::string& key) {
  YamlEntry entry(path, node, "axis '" + key + "'");
  entry.allow_only({"from", "to", "step", "factor"});
  const double from = entry.number("from", -1e300), to = entry.number("to", -1e300);
  const bool linear = entry.has("step"), geometric = entry.has("factor");
  if (linear == geometric) entry.fail("a range has either 'step' (linear) or 'factor' (logarithmic)");
  const double by = linear ? entry.number("step", 0) : entry.number("factor", 1);
  if (linear && by <= 0) entry.fail(entry.get("step"), "'step' must be positive");
  if (geometric && (by <= 1 || from <= 0)) entry.fail(entry.get("factor"), "'factor' must be above 1 and 'from' positive");
  if (to < from) entry.fail(entry.get("to"), "'to' is below 'from'");
  const bool integral = std::floor(from) == from && std::floor(by) == by;
  std::vector<std::string> values;
  // A tolerance of a millionth of a step keeps 'to' in despite rounding.
  for (std::size_t i = 0;; ++i) {
    const double value = linear ? from + by * static_cast<double>(i) : from * std::pow(by, static_cast<double>(i));
    if (value > to + (linear ? by : value - value / by) * 1e-6) break;
    if (values.size() == kMaxAxisValues) entry.fail("more than " + std::to_string(kMaxAxisValues) + " values");
    values.push_back(number_text(value, integral));
  }
  return values;
}

std::string scalar_text(const std::string& path, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) throw_input_error(path, line_of(node), what + " must be a single value");
  return node.Scalar();
}

std::string resolve_path(const std::string& sweep_path, const std::string& relative) {
  const std::filesystem::path given(relative);
  if (given.is_absolute()) return relative;
  return (std::filesystem::path(sweep_path).parent_path() / given).lexically_normal().string();
}

}  // namespace

std::string resolve_config_key(const std::string& name) {
  std::string found;
  for (const ConfigKey& key : config_keys()) {
    if (key.name == name) return name;
    const std::size_t dot = key.name.find('.');
    if (key.name.compare(dot + 1, std::string::npos, name) == 0) {
      if (!found.empty()) return "";
      found = key.name;
    }
  }
  return found;
}

SweepFile read_sweep_file(const std::string& path) {
  const std::string text = read_input_file(path, "sweep file");
  const YAML::Node root = parse_yaml(path, text);
  if (!root.IsMap()) throw_input_error(path, line_of(root), "a sweep file is a mapping (docs/sweeps.md)");
  YamlEntry top(path, root, "sweep");
  top.allow_only({"name", "base", "set", "axes", "sample", "constraints", "workloads", "figures", "results", "seed", "compute", "sparsity"});

  SweepFile sweep;
  sweep.path = path;
  sweep.name = top.has("name") ? top.text("name") : std::filesystem::path(path).stem().string();
  sweep.base = top.text("base");
  if (std::filesystem::exists(resolve_path(path, sweep.base))) sweep.base = resolve_path(path, sweep.base);
  ArchConfig base;
  try {
    base = load_arch_config(sweep.base);
  } catch (const InputError& e) {
    top.fail(top.get("base"), e.what());
  }
  // Each value is set on the base as it is read, so a value no point could
  // take is reported at its own line.
  auto check_value = [&](const YAML::Node& at, const std::string& key, const std::string& value) {
    ArchConfig probe = base;
    try {
      set_config_key(probe, key, value);
    } catch (const std::invalid_argument& e) {
      throw_input_error(path, line_of(at), "key '" + key + "': " + e.what());
    }
  };
  auto key_of = [&](const YAML::Node& name) {
    const std::string given = scalar_text(path, name, "a key");
    const std::string key = resolve_config_key(given);
    if (key.empty())
      throw_input_error(path, line_of(name), "'" + given + "' is not an architecture key (systole run --help lists them)" +
                                                 renamed_key_hint(given));
    return key;
  };

  if (top.has("set")) {
    const YAML::Node set = top.get("set");
    if (!set.IsMap()) top.fail(set, "'set' maps keys to values");
    for (const auto& item : set) {
      const std::string key = key_of(item.first);
      const std::string value = scalar_text(path, item.second, "key '" + key + "'");
      check_value(item.second, key, value);
      sweep.fixed.emplace_back(key, value);
    }
  }

  if (top.has("axes")) {
    const YAML::Node axes = top.get("axes");
    if (!axes.IsMap()) top.fail(axes, "'axes' maps keys to lists or ranges");
    for (const auto& item : axes) {
      SweepAxis axis;
      axis.key = key_of(item.first);
      axis.line = line_of(item.first);
      for (const SweepAxis& other : sweep.axes)
        if (other.key == axis.key) throw_input_error(path, axis.line, "axis '" + axis.key + "' is given twice");
      for (const auto& [key, value] : sweep.fixed)
        if (key == axis.key) throw_input_error(path, axis.line, "key '" + key + "' is both in 'set' and an axis");
      if (item.second.IsSequence()) {
        for (const YAML::Node& value : item.second) {
          axis.values.push_back(scalar_text(path, value, "a value of axis '" + axis.key + "'"));
          check_value(value, axis.key, axis.values.back());
        }
      } else if (item.second.IsMap()) {
        axis.values = range_values(path, item.second, axis.key);
        for (const std::string& value : axis.values) check_value(item.second, axis.key, value);
      } else {
        axis.values.push_back(scalar_text(path, item.second, "axis '" + axis.key + "'"));
        check_value(item.second, axis.key, axis.values.back());
      }
      if (axis.values.empty()) throw_input_error(path, axis.line, "axis '" + axis.key + "' has no values");
      sweep.axes.push_back(std::move(axis));
    }
  }

  if (top.has("sample")) {
    YamlEntry sample(path, top.get("sample"), "sample");
    sample.allow_only({"points", "seed"});
    sweep.sample = SweepSampling{sample.integer("points", 1),
                                 static_cast<std::uint64_t>(sample.integer_or("seed", 1, 0))};
  }

  if (top.has("constraints")) {
    const YAML::Node constraints = top.get("constraints");
    if (!constraints.IsSequence()) top.fail(constraints, "'constraints' is a list of expressions");
    for (const YAML::Node& item : constraints)
      sweep.constraints.push_back({scalar_text(path, item, "a constraint"), line_of(item)});
  }

  const YAML::Node workloads = top.get("workloads");
  if (!workloads.IsSequence() || workloads.size() == 0) top.fail(workloads, "'workloads' is a list of {file, batch}");
  for (const YAML::Node& item : workloads) {
    SweepWorkload workload;
    workload.line = line_of(item);
    if (item.IsScalar()) {
      workload.path = resolve_path(path, item.Scalar());
    } else {
      YamlEntry entry(path, item, "workload");
      entry.allow_only({"file", "batch"});
      workload.path = resolve_path(path, entry.text("file"));
      if (entry.has("batch")) workload.batch = entry.integer("batch", 1);
    }
    if (!std::filesystem::exists(workload.path))
      throw_input_error(path, workload.line, "workload '" + workload.path + "' does not exist");
    sweep.workloads.push_back(std::move(workload));
  }

  if (top.has("figures")) {
    const YAML::Node figures = top.get("figures");
    if (!figures.IsSequence()) top.fail(figures, "'figures' is a list of summary.json figures (systole figures)");
    for (const YAML::Node& item : figures) {
      const std::string name = scalar_text(path, item, "a figure");
      bool known = false;
      for (const SummaryFigure& figure : summary_figures()) known = known || figure.doc.name == name;
      if (!known) throw_input_error(path, line_of(item), "'" + name + "' is not a summary figure (systole figures lists them)");
      sweep.figures.push_back(name);
    }
  }

  sweep.results_dir = resolve_path(path, top.has("results") ? top.text("results")
                                                            : std::filesystem::path(path).stem().string() + ".results");
  sweep.seed = static_cast<std::uint64_t>(top.integer_or("seed", 1, 0));
  if (top.has("compute")) {
    const std::string compute = top.text("compute");
    if (compute != "on" && compute != "off") top.fail(top.get("compute"), "compute: '" + compute + "' is neither on nor off");
    sweep.compute = compute == "on";
  }
  if (top.has("sparsity")) {
    sweep.sparsity = top.text("sparsity");
    try {
      sweep.parsed_sparsity = parse_sparsity(sweep.sparsity);
    } catch (const std::invalid_argument& e) {
      top.fail(top.get("sparsity"), "sparsity: " + std::string(e.what()));
    }
    if (!sweep.compute) top.fail(top.get("sparsity"), "sparsity: compute: off draws no operand values");
  }
  top.check_fields("");
  return sweep;
}

}  // namespace systole
