#include "sim/workload/onnx_shape_folding.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace systole {

namespace {

// An integer tensor whose values are known.
struct IntTensor {
  std::vector<std::int64_t> dims;
  std::vector<std::int64_t> values;
  int type = onnx::TensorProto::INT64;  // INT64 or INT32
};

using Shape = std::vector<std::int64_t>;
using Folded = std::optional<IntTensor>;

std::optional<std::int64_t> element_count(const Shape& dims) {
  std::int64_t count = 1;
  for (std::int64_t d : dims)
    if (d < 0 || __builtin_mul_overflow(count, d, &count)) return std::nullopt;
  return count;
}

bool fits(int type, std::int64_t value) {
  return type == onnx::TensorProto::INT64 ||
         (value >= std::numeric_limits<std::int32_t>::min() && value <= std::numeric_limits<std::int32_t>::max());
}

// The values of an int32/int64 tensor stored in the model, little-endian raw
// data or typed fields; nothing for other types, external data or a tensor
// whose data does not match its dims.
Folded read_tensor(const onnx::TensorProto& t) {
  if (t.data_type() != onnx::TensorProto::INT64 && t.data_type() != onnx::TensorProto::INT32) return std::nullopt;
  if (t.data_location() == onnx::TensorProto::EXTERNAL) return std::nullopt;
  IntTensor out;
  out.type = t.data_type();
  out.dims.assign(t.dims().begin(), t.dims().end());
  const auto count = element_count(out.dims);
  if (!count || *count > kLargestFolded) return std::nullopt;
  const bool wide = out.type == onnx::TensorProto::INT64;
  if (t.has_raw_data()) {
    const std::string& raw = t.raw_data();
    const std::size_t width = wide ? 8 : 4;
    if (raw.size() != static_cast<std::size_t>(*count) * width) return std::nullopt;
    for (std::int64_t i = 0; i < *count; ++i) {
      unsigned char bytes[8] = {};
      std::memcpy(bytes, raw.data() + i * width, width);
      std::uint64_t bits = 0;
      for (std::size_t b = 0; b < width; ++b) bits |= static_cast<std::uint64_t>(bytes[b]) << (8 * b);
      out.values.push_back(wide ? static_cast<std::int64_t>(bits)
                                : static_cast<std::int32_t>(static_cast<std::uint32_t>(bits)));
    }
  } else if (wide) {
    out.values.assign(t.int64_data().begin(), t.int64_data().end());
  } else {
    out.values.assign(t.int32_data().begin(), t.int32_data().end());
  }
  if (static_cast<std::int64_t>(out.values.size()) != *count) return std::nullopt;
  return out;
}

onnx::TensorProto write_tensor(const IntTensor& value) {
  onnx::TensorProto t;
  t.set_data_type(value.type);
  for (std::int64_t d : value.dims) t.add_dims(d);
  for (std::int64_t v : value.values) {
    if (value.type == onnx::TensorProto::INT64)
      t.add_int64_data(v);
    else
      t.add_int32_data(static_cast<std::int32_t>(v));
  }
  return t;
}

const onnx::AttributeProto* find_attribute(const onnx::NodeProto& node, const char* name) {
  for (const auto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

class Folder {
 public:
  explicit Folder(onnx::GraphProto& graph) : graph_(graph) {
    auto record = [&](const onnx::ValueInfoProto& v) {
      if (!v.type().has_tensor_type() || !v.type().tensor_type().has_shape()) return;
      Shape shape;
      for (const auto& d : v.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value()) return;
        shape.push_back(d.dim_value());
      }
      shapes_[v.name()] = shape;
    };
    for (const auto& v : graph.input()) record(v);
    for (const auto& v : graph.value_info()) record(v);
    for (const auto& v : graph.output()) record(v);
    for (const auto& init : graph.initializer()) {
      shapes_[init.name()] = Shape(init.dims().begin(), init.dims().end());
      if (auto value = read_tensor(init)) values_[init.name()] = *value;
    }
  }

  int run() {
    int folded = 0;
    for (onnx::NodeProto& node : *graph_.mutable_node()) {
      if (!node.domain().empty() && node.domain() != "ai.onnx") continue;
      if (node.op_type() == "Constant") {
        if (node.output_size() == 1)
          if (auto value = constant_value(node); value && static_cast<std::int64_t>(value->values.size()) <= kLargestFolded)
            values_[node.output(0)] = *value;
        continue;
      }
      if (node.output_size() != 1 || node.output(0).empty()) continue;
      Folded value = evaluate(node);
      if (!value || static_cast<std::int64_t>(value->values.size()) > kLargestFolded) continue;
      values_[node.output(0)] = *value;
      replace_by_constant(node, *value);
      ++folded;
    }
    return folded;
  }

 private:
  static Folded constant_value(const onnx::NodeProto& node) {
    if (const auto* a = find_attribute(node, "value"); a && a->has_t()) return read_tensor(a->t());
    if (const auto* a = find_attribute(node, "value_int")) return IntTensor{{}, {a->i()}};
    if (const auto* a = find_attribute(node, "value_ints"))
      return IntTensor{{a->ints_size()}, {a->ints().begin(), a->ints().end()}};
    return std::nullopt;
  }

  static void replace_by_constant(onnx::NodeProto& node, const IntTensor& value) {
    const std::string output = node.output(0);
    node.clear_input();
    node.clear_output();
    node.clear_attribute();
    node.clear_domain();
    node.set_op_type("Constant");
    node.add_output(output);
    auto* attribute = node.add_attribute();
    attribute->set_name("value");
    attribute->set_type(onnx::AttributeProto::TENSOR);
    *attribute->mutable_t() = write_tensor(value);
  }

  const IntTensor* input(const onnx::NodeProto& node, int index) const {
    if (index >= node.input_size() || node.input(index).empty()) return nullptr;
    const auto found = values_.find(node.input(index));
    return found == values_.end() ? nullptr : &found->second;
  }

  // An axes/starts/ends list: the attribute (older opsets) or the input.
  std::optional<std::vector<std::int64_t>> list(const onnx::NodeProto& node, const char* attribute, int index) const {
    if (const auto* a = find_attribute(node, attribute)) return std::vector<std::int64_t>(a->ints().begin(), a->ints().end());
    if (const IntTensor* t = input(node, index); t && t->dims.size() <= 1) return t->values;
    return std::nullopt;
  }

  Folded evaluate(const onnx::NodeProto& node) const {
    static const std::map<std::string, Folded (Folder::*)(const onnx::NodeProto&) const> rules = {
        {"Shape", &Folder::shape},       {"Cast", &Folder::cast},         {"Identity", &Folder::identity},
        {"Gather", &Folder::gather},     {"Concat", &Folder::concat},     {"Slice", &Folder::slice},
        {"Squeeze", &Folder::squeeze},   {"Unsqueeze", &Folder::unsqueeze}, {"Add", &Folder::arithmetic},
        {"Sub", &Folder::arithmetic},    {"Mul", &Folder::arithmetic},    {"Div", &Folder::arithmetic}};
    const auto rule = rules.find(node.op_type());
    return rule == rules.end() ? std::nullopt : (this->*rule->second)(node);
  }

  Folded shape(const onnx::NodeProto& node) const {
    if (node.input_size() < 1) return std::nullopt;
    const auto found = shapes_.find(node.input(0));
    if (found == shapes_.end()) return std::nullopt;
    const std::int64_t rank = static_cast<std::int64_t>(found->second.size());
    // Opset 15's start and end pick a range of dimensions.
    auto clamp = [&](std::int64_t axis) { return std::clamp(axis < 0 ? axis + rank : axis, std::int64_t{0}, rank); };
    const auto* start = find_attribute(node, "start");
    const auto* end = find_attribute(node, "end");
    const std::int64_t first = start ? clamp(start->i()) : 0, last = end ? clamp(end->i()) : rank;
    IntTensor out;
    if (first < last) out.values.assign(found->second.begin() + first, found->second.begin() + last);
    out.dims = {static_cast<std::int64_t>(out.values.size())};
    return out;
  }

  Folded cast(const onnx::NodeProto& node) const {
    const IntTensor* x = input(node, 0);
    const auto* to = find_attribute(node, "to");
    if (!x || !to || (to->i() != onnx::TensorProto::INT64 && to->i() != onnx::TensorProto::INT32)) return std::nullopt;
    IntTensor out = *x;
    out.type = static_cast<int>(to->i());
    for (std::int64_t v : out.values)
      if (!fits(out.type, v)) return std::nullopt;
    return out;
  }

  Folded identity(const onnx::NodeProto& node) const {
    const IntTensor* x = input(node, 0);
    return x ? Folded(*x) : std::nullopt;
  }

  // Gather along axis 0 of a vector: a shape's entries picked by index.
  Folded gather(const onnx::NodeProto& node) const {
    const IntTensor* data = input(node, 0);
    const IntTensor* indices = input(node, 1);
    const auto* axis = find_attribute(node, "axis");
    if (!data || !indices || data->dims.size() != 1 || (axis && axis->i() != 0 && axis->i() != -1))
      return std::nullopt;
    const std::int64_t n = data->dims[0];
    IntTensor out;
    out.type = data->type;
    out.dims = indices->dims;
    for (std::int64_t i : indices->values) {
      if (i < -n || i >= n) return std::nullopt;
      out.values.push_back(data->values[i < 0 ? i + n : i]);
    }
    return out;
  }

  Folded concat(const onnx::NodeProto& node) const {
    const auto* axis = find_attribute(node, "axis");
    if (node.input_size() == 0 || (axis && axis->i() != 0 && axis->i() != -1)) return std::nullopt;
    IntTensor out;
    for (int i = 0; i < node.input_size(); ++i) {
      const IntTensor* part = input(node, i);
      if (!part || part->dims.size() != 1 || (i > 0 && part->type != out.type)) return std::nullopt;
      out.type = part->type;
      out.values.insert(out.values.end(), part->values.begin(), part->values.end());
    }
    out.dims = {static_cast<std::int64_t>(out.values.size())};
    return out;
  }

  // Slice of a vector, as ONNX clamps it: starts and ends count from the end
  // when negative and are clamped to the vector; a negative step walks back.
  Folded slice(const onnx::NodeProto& node) const {
    const IntTensor* data = input(node, 0);
    if (!data || data->dims.size() != 1) return std::nullopt;
    const auto starts = list(node, "starts", 1), ends = list(node, "ends", 2);
    if (!starts || !ends || starts->size() != 1 || ends->size() != 1) return std::nullopt;
    const bool has_axes = find_attribute(node, "axes") || input(node, 3);
    const auto axes = has_axes ? list(node, "axes", 3) : std::vector<std::int64_t>{0};
    if (!axes || axes->size() != 1 || ((*axes)[0] != 0 && (*axes)[0] != -1)) return std::nullopt;
    std::int64_t step = 1;
    if (node.input_size() > 4 && !node.input(4).empty()) {
      const IntTensor* steps = input(node, 4);
      if (!steps || steps->values.size() != 1) return std::nullopt;
      step = steps->values[0];
    }
    if (step == 0) return std::nullopt;
    const std::int64_t n = data->dims[0];
    auto bound = [&](std::int64_t index, std::int64_t low, std::int64_t high) {
      if (index < 0) index = index < -n ? low : index + n;
      return std::clamp(index, low, high);
    };
    const std::int64_t start = step > 0 ? bound((*starts)[0], 0, n) : bound((*starts)[0], 0, n - 1);
    const std::int64_t end = step > 0 ? bound((*ends)[0], 0, n) : bound((*ends)[0], -1, n - 1);
    IntTensor out;
    out.type = data->type;
    for (std::int64_t i = start; step > 0 ? i < end : i > end; i += step) out.values.push_back(data->values[i]);
    out.dims = {static_cast<std::int64_t>(out.values.size())};
    return out;
  }

  Folded squeeze(const onnx::NodeProto& node) const {
    const IntTensor* x = input(node, 0);
    if (!x) return std::nullopt;
    const std::int64_t rank = static_cast<std::int64_t>(x->dims.size());
    const bool has_axes = find_attribute(node, "axes") || input(node, 1);
    IntTensor out = *x;
    out.dims.clear();
    if (!has_axes) {
      for (std::int64_t d : x->dims)
        if (d != 1) out.dims.push_back(d);
      return out;
    }
    const auto axes = list(node, "axes", 1);
    if (!axes) return std::nullopt;
    std::vector<bool> removed(rank, false);
    for (std::int64_t axis : *axes) {
      if (axis < -rank || axis >= rank) return std::nullopt;
      const std::int64_t a = axis < 0 ? axis + rank : axis;
      if (x->dims[a] != 1) return std::nullopt;
      removed[a] = true;
    }
    for (std::int64_t a = 0; a < rank; ++a)
      if (!removed[a]) out.dims.push_back(x->dims[a]);
    return out;
  }

  Folded unsqueeze(const onnx::NodeProto& node) const {
    const IntTensor* x = input(node, 0);
    const auto axes = list(node, "axes", 1);
    if (!x || !axes) return std::nullopt;
    const std::int64_t rank = static_cast<std::int64_t>(x->dims.size() + axes->size());
    std::vector<bool> inserted(rank, false);
    for (std::int64_t axis : *axes) {
      if (axis < -rank || axis >= rank) return std::nullopt;
      const std::int64_t a = axis < 0 ? axis + rank : axis;
      if (inserted[a]) return std::nullopt;
      inserted[a] = true;
    }
    IntTensor out = *x;
    out.dims.clear();
    auto next = x->dims.begin();
    for (std::int64_t a = 0; a < rank; ++a) out.dims.push_back(inserted[a] ? 1 : *next++);
    return out;
  }

  // Add, Sub, Mul, Div on equal shapes or with a one-element operand; Div
  // truncates as integer division does; overflow or a zero divisor folds
  // nothing.
  Folded arithmetic(const onnx::NodeProto& node) const {
    const IntTensor* a = input(node, 0);
    const IntTensor* b = input(node, 1);
    if (!a || !b || a->type != b->type) return std::nullopt;
    const bool a_one = a->values.size() == 1, b_one = b->values.size() == 1;
    IntTensor out;
    out.type = a->type;
    if (a->dims == b->dims || (a_one && b_one)) {
      out.dims = a->dims.size() >= b->dims.size() ? a->dims : b->dims;
    } else if (b_one && b->dims.size() <= a->dims.size()) {
      out.dims = a->dims;
    } else if (a_one && a->dims.size() <= b->dims.size()) {
      out.dims = b->dims;
    } else {
      return std::nullopt;
    }
    const std::string& op = node.op_type();
    const std::size_t count = std::max(a->values.size(), b->values.size());
    for (std::size_t i = 0; i < count; ++i) {
      const std::int64_t x = a->values[a_one ? 0 : i], y = b->values[b_one ? 0 : i];
      std::int64_t r = 0;
      if (op == "Add" ? __builtin_add_overflow(x, y, &r)
          : op == "Sub" ? __builtin_sub_overflow(x, y, &r)
          : op == "Mul" ? __builtin_mul_overflow(x, y, &r)
                        : (y == 0 || (x == std::numeric_limits<std::int64_t>::min() && y == -1)))
        return std::nullopt;
      if (op == "Div") r = x / y;
      if (!fits(out.type, r)) return std::nullopt;
      out.values.push_back(r);
    }
    return out;
  }

  onnx::GraphProto& graph_;
  std::unordered_map<std::string, Shape> shapes_;
  std::unordered_map<std::string, IntTensor> values_;
};

}  // namespace

int fold_shape_computations(onnx::GraphProto& graph) { return Folder(graph).run(); }

}  // namespace systole
