#include "sim/workload/network_stats.hpp"

#include <cstdio>

namespace systole {

namespace {

struct Row {
  std::string name, type;
  std::int64_t weights = 0, macs = 0, conv_macs = 0, fc_macs = 0, inputs = 0, outputs = 0;
};

Row row_of(const Layer& layer) {
  Row row{layer.name, to_string(layer.kind)};
  row.weights = layer.weights();
  row.macs = layer.macs();
  (counts_as_conv(layer.kind) ? row.conv_macs : row.fc_macs) = row.macs;
  row.inputs = layer.input_elements();
  row.outputs = layer.output_elements();
  return row;
}

Row total_of(const Workload& workload) {
  Row total{"total", ""};
  for (const Layer& layer : workload.layers) {
    const Row row = row_of(layer);
    total.weights += row.weights;
    total.macs += row.macs;
    total.conv_macs += row.conv_macs;
    total.fc_macs += row.fc_macs;
    total.inputs += row.inputs;
    total.outputs += row.outputs;
  }
  return total;
}

std::string quoted(const std::string& text) {
  if (text.find_first_of(",\"") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// 1234567 -> "1.23M"
std::string human(std::int64_t value) {
  const char* units[] = {"", "k", "M", "G", "T"};
  double v = static_cast<double>(value);
  int unit = 0;
  while (v >= 1000 && unit < 4) {
    v /= 1000;
    ++unit;
  }
  char text[32];
  std::snprintf(text, sizeof text, unit == 0 ? "%.0f%s" : "%.3g%s", v, units[unit]);
  return text;
}

}  // namespace

bool counts_as_conv(LayerKind kind) { return kind == LayerKind::Conv || kind == LayerKind::Depthwise; }

void write_stats_csv(std::ostream& out, const Workload& workload) {
  out << "layer,type,weights,macs,conv_macs,fc_macs,input_elements,output_elements\n";
  auto write = [&](const Row& r) {
    out << quoted(r.name) << ',' << r.type << ',' << r.weights << ',' << r.macs << ',' << r.conv_macs << ','
        << r.fc_macs << ',' << r.inputs << ',' << r.outputs << '\n';
  };
  for (const Layer& layer : workload.layers) write(row_of(layer));
  write(total_of(workload));
}

void print_stats_table(std::ostream& out, const Workload& workload) {
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-9s %14s %16s %14s %14s\n", "layer", "type", "weights", "MACs",
                "input elems", "output elems");
  out << line;
  for (const Layer& layer : workload.layers) {
    const Row r = row_of(layer);
    std::snprintf(line, sizeof line, "%-24.24s %-9s %14lld %16lld %14lld %14lld\n", r.name.c_str(),
                  r.type.c_str(), static_cast<long long>(r.weights), static_cast<long long>(r.macs),
                  static_cast<long long>(r.inputs), static_cast<long long>(r.outputs));
    out << line;
  }
  const Row t = total_of(workload);
  std::snprintf(line, sizeof line, "%-24s %-9s %14lld %16lld\n", "total", "", static_cast<long long>(t.weights),
                static_cast<long long>(t.macs));
  out << line;
  out << workload.name << " (batch " << (workload.layers.empty() ? 1 : workload.layers.front().batch)
      << "): " << human(t.weights) << " weights, " << human(t.macs) << " MACs (CONV " << human(t.conv_macs)
      << ", FC " << human(t.fc_macs) << "); biases not counted\n";
}

}  // namespace systole
