#include "sim/workload/npy_file.hpp"

#include <cstring>
#include <fstream>
#include <limits>
#include <regex>

#include "sim/config/input_error.hpp"

namespace systole {

namespace {

struct NpyHeader {
  char byte_order = '<';  // '<', '>' or '|'
  char kind = 'i';        // 'i' signed, 'u' unsigned, 'f' float, 'b' bool
  int item_bytes = 1;
  std::vector<std::int64_t> shape;
  std::int64_t elements = 1;
  std::streamoff data_offset = 0;
};

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw InputError(path + ": " + problem);
}

NpyHeader read_header(std::ifstream& in, const std::string& path) {
  char magic[8];
  if (!in.read(magic, 8) || std::memcmp(magic, "\x93NUMPY", 6) != 0)
    fail(path, "not a .npy file (no \\x93NUMPY magic)");
  const int major = static_cast<unsigned char>(magic[6]);
  if (major < 1 || major > 3) fail(path, ".npy format version " + std::to_string(major) + " is not 1, 2 or 3");
  unsigned char length_bytes[4] = {0, 0, 0, 0};
  const int length_size = major == 1 ? 2 : 4;
  if (!in.read(reinterpret_cast<char*>(length_bytes), length_size)) fail(path, "truncated .npy header");
  std::uint32_t header_length = 0;
  for (int i = length_size - 1; i >= 0; --i) header_length = header_length << 8 | length_bytes[i];
  if (header_length > (1u << 20)) fail(path, "a .npy header of " + std::to_string(header_length) + " bytes");
  std::string header(header_length, '\0');
  if (!in.read(header.data(), header_length)) fail(path, "truncated .npy header");

  NpyHeader h;
  h.data_offset = 8 + length_size + header_length;
  std::smatch m;
  if (!std::regex_search(header, m, std::regex(R"('descr'\s*:\s*'([<>|=])([iufb])(\d+)')")))
    fail(path, "the header's 'descr' is not a plain number type (e.g. '<i1', '<f4')");
  h.byte_order = m[1].str()[0] == '=' ? '<' : m[1].str()[0];
  h.kind = m[2].str()[0];
  // At most 8 bytes: longer digit strings would not fit an int.
  const std::string size_digits = m[3].str();
  h.item_bytes = size_digits.size() > 2 ? 0 : std::stoi(size_digits);
  const bool known_size = h.kind == 'f' ? (h.item_bytes == 4 || h.item_bytes == 8)
                          : h.kind == 'b' ? h.item_bytes == 1
                                          : (h.item_bytes == 1 || h.item_bytes == 2 || h.item_bytes == 4 ||
                                             h.item_bytes == 8);
  if (!known_size) fail(path, "type '" + m[2].str() + m[3].str() + "' is not supported");
  if (std::regex_search(header, std::regex(R"('fortran_order'\s*:\s*True)")))
    fail(path, "Fortran-ordered arrays are not supported (save with numpy.ascontiguousarray)");
  if (!std::regex_search(header, m, std::regex(R"('shape'\s*:\s*\(([^)]*)\))")))
    fail(path, "the header has no 'shape'");
  const std::string dims = m[1].str();
  const std::regex digits_pattern(R"(\d+)");
  for (std::sregex_iterator it(dims.begin(), dims.end(), digits_pattern), end; it != end; ++it) {
    const std::string digits = it->str();
    if (digits.size() > 12) fail(path, "a dimension of " + digits + " elements");
    const std::int64_t dim = std::stoll(digits);
    h.shape.push_back(dim);
    if (dim > 0 && h.elements > (std::int64_t{1} << 40) / dim) fail(path, "more than 2^40 elements");
    h.elements *= dim;
  }
  return h;
}

// One element at `bytes`, in the file's byte order.
double element(const unsigned char* bytes, const NpyHeader& h) {
  unsigned char ordered[8];
  const bool big = h.byte_order == '>';
  for (int i = 0; i < h.item_bytes; ++i) ordered[i] = bytes[big ? h.item_bytes - 1 - i : i];
  std::uint64_t raw = 0;
  for (int i = h.item_bytes - 1; i >= 0; --i) raw = raw << 8 | ordered[i];
  switch (h.kind) {
    case 'b':
    case 'u': return static_cast<double>(raw);
    case 'i': {
      const int bits = 8 * h.item_bytes;
      const std::int64_t value = bits == 64 ? static_cast<std::int64_t>(raw)
                                            : static_cast<std::int64_t>(raw << (64 - bits)) >> (64 - bits);
      return static_cast<double>(value);
    }
    default:
      if (h.item_bytes == 4) {
        float f;
        const auto narrow = static_cast<std::uint32_t>(raw);
        std::memcpy(&f, &narrow, 4);
        return f;
      } else {
        double d;
        std::memcpy(&d, &raw, 8);
        return d;
      }
  }
}

std::ifstream open(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(path, "cannot open the .npy file");
  return in;
}

}  // namespace

std::vector<std::int64_t> read_npy_shape(const std::string& path) {
  std::ifstream in = open(path);
  return read_header(in, path).shape;
}

NpyTensor read_npy(const std::string& path) {
  std::ifstream in = open(path);
  const NpyHeader h = read_header(in, path);
  NpyTensor tensor;
  tensor.shape = h.shape;
  // The file's size bounds what is allocated: a header may claim 2^40 values.
  const std::int64_t data_bytes = h.elements * h.item_bytes;
  in.seekg(0, std::ios::end);
  const std::streamoff file_bytes = in.tellg();
  in.seekg(h.data_offset);
  if (file_bytes < 0 || file_bytes - h.data_offset < data_bytes)
    fail(path, "holds fewer values than its shape says (" + std::to_string(h.elements) + ")");
  std::vector<unsigned char> bytes(static_cast<std::size_t>(data_bytes));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    fail(path, "holds fewer values than its shape says (" + std::to_string(h.elements) + ")");
  tensor.values.resize(static_cast<std::size_t>(h.elements));
  for (std::int64_t i = 0; i < h.elements; ++i)
    tensor.values[static_cast<std::size_t>(i)] = element(&bytes[static_cast<std::size_t>(i * h.item_bytes)], h);
  return tensor;
}

}  // namespace systole
