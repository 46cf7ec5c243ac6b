#include "sim/workload/checked_size.hpp"
#include "sim/workload/scalesim_topology.hpp"

#include <sstream>

#include <spdlog/spdlog.h>

#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"

namespace systole {

namespace {

constexpr const char* kConvFields[] = {"IFMAP Height", "IFMAP Width", "Filter Height",
                                       "Filter Width", "Channels",    "Num Filter",
                                       "Strides"};
constexpr const char* kGemmFields[] = {"M", "N", "K"};

char delimiter_of(const std::string& header) {
  if (header.find(',') != std::string::npos) return ',';
  if (header.find('\t') != std::string::npos) return '\t';
  return ',';
}

bool is_gemm_header(const std::vector<std::string>& fields) {
  return fields.size() >= 4 && to_lower(fields[1]) == "m" && to_lower(fields[2]) == "n" &&
         to_lower(fields[3]) == "k";
}

std::int64_t positive_field(const std::string& path, int line, const std::string& field,
                            const char* what) {
  const auto value = parse_integer(field);
  if (!value)
    throw_input_error(path, line, std::string(what) + " is '" + field + "', not an integer");
  if (*value <= 0)
    throw_input_error(path, line, std::string(what) + " must be positive, got " + field);
  // Bounded before any arithmetic on it (the ceil rule's padding, a
  // depthwise layer's filters), which then cannot wrap around.
  if (*value > Layer::kMaxTensorElements)
    throw_input_error(path, line,
                      std::string(what) + " must be at most " + std::to_string(Layer::kMaxTensorElements) + ", got " +
                          field);
  return *value;
}

// SCALE-Sim's ceil rule as explicit padding after the input.
std::int64_t scalesim_pad_after(std::int64_t input, std::int64_t filter, std::int64_t stride) {
  const std::int64_t outputs = (input - filter + stride - 1) / stride + 1;
  return (outputs - 1) * stride + filter - input;
}

Layer conv_row(const std::string& path, int line, const std::vector<std::string>& f) {
  std::int64_t v[7];
  for (int i = 0; i < 7; ++i) v[i] = positive_field(path, line, f[i + 1], kConvFields[i]);
  Layer layer;
  layer.name = f[0];
  ConvShape& s = layer.shape;
  s.in_h = v[0];
  s.in_w = v[1];
  s.filter_h = v[2];
  s.filter_w = v[3];
  s.in_channels = v[4];
  s.filters = v[5];
  s.stride_h = s.stride_w = v[6];
  if (f.size() > 8 && !f[8].empty()) s.stride_w = positive_field(path, line, f[8], "Stride W");
  if (s.filter_h > s.in_h || s.filter_w > s.in_w)
    throw_input_error(path, line,
                      "filter " + std::to_string(s.filter_h) + "x" + std::to_string(s.filter_w) +
                          " is larger than the input " + std::to_string(s.in_h) + "x" +
                          std::to_string(s.in_w));
  s.pad_bottom = scalesim_pad_after(s.in_h, s.filter_h, s.stride_h);
  s.pad_right = scalesim_pad_after(s.in_w, s.filter_w, s.stride_w);
  if (s.filter_h == s.in_h && s.filter_w == s.in_w) layer.kind = LayerKind::FullyConnected;
  if (layer.name.find("DP") != std::string::npos) {
    layer.kind = LayerKind::Depthwise;
    s.groups = s.in_channels;
    const std::optional<std::int64_t> filters = checked_product({s.in_channels, s.filters});
    if (!filters) throw_input_error(path, line, "channels x filters of a depthwise layer exceed 64 bits");
    s.filters = *filters;
  }
  return layer;
}

Layer gemm_row(const std::string& path, int line, const std::vector<std::string>& f) {
  std::int64_t v[3];
  for (int i = 0; i < 3; ++i) v[i] = positive_field(path, line, f[i + 1], kGemmFields[i]);
  return make_gemm_layer(f[0], v[0], v[1], v[2]);
}

}  // namespace

Workload load_scalesim_topology(const std::string& path) {
  std::istringstream in(read_input_file(path, "topology file"));
  Workload workload;
  workload.source = path;
  workload.name = path.substr(path.find_last_of('/') + 1);
  workload.name = workload.name.substr(0, workload.name.find_last_of('.'));

  std::string text;
  int line = 0;
  bool gemm = false;
  char delimiter = ',';
  bool header_seen = false;
  while (std::getline(in, text)) {
    ++line;
    if (trim(text).empty()) continue;
    if (!header_seen) {
      delimiter = delimiter_of(text);
      const std::vector<std::string> header = split(text, delimiter);
      gemm = is_gemm_header(header);
      if (header.size() > 1 && parse_integer(header[1]))
        spdlog::warn("{}:{}: the first line looks like a layer, but SCALE-Sim topologies start "
                     "with a header line, so it is skipped",
                     path, line);
      header_seen = true;
      continue;
    }
    std::vector<std::string> fields = split(text, delimiter);
    // A field starting with '#' begins a trailing comment.
    for (std::size_t i = 0; i < fields.size(); ++i)
      if (!fields[i].empty() && fields[i].front() == '#') fields.resize(i);
    std::size_t present = fields.size();
    while (present > 0 && fields[present - 1].empty()) --present;
    if (present == 0) {
      spdlog::debug("{}:{}: skipping a row of empty fields", path, line);
      continue;
    }
    if (present == 1 && !parse_integer(fields[0])) {
      spdlog::info("{}:{}: '{}' has no sizes; read as a section heading", path, line, fields[0]);
      continue;
    }
    const std::size_t needed = gemm ? 4 : 8;
    if (present < needed)
      throw_input_error(path, line,
                        "expected " + std::to_string(needed) + " fields (" +
                            (gemm ? "Layer, M, N, K" : "name, IFMAP Height, IFMAP Width, Filter Height, "
                                                       "Filter Width, Channels, Num Filter, Strides") +
                            "), found " + std::to_string(present));
    if (fields[0].empty()) throw_input_error(path, line, "layer name is empty");
    Layer layer = gemm ? gemm_row(path, line, fields) : conv_row(path, line, fields);
    if (const std::string problem = layer.problem(); !problem.empty())
      throw_input_error(path, line, problem);
    workload.layers.push_back(std::move(layer));
  }
  if (!header_seen) throw_input_error(path, 0, "topology file is empty");
  if (workload.layers.empty()) throw_input_error(path, 0, "topology file has no layers");
  return workload;
}

}  // namespace systole
