#pragma once
// Reading a tensor from a NumPy .npy file (format versions 1-3, as
// numpy.save writes them): its shape and its values, for a layer whose
// operands come from a file rather than from the seed. Integer, float and
// bool arrays in either byte order, C order only.

#include <cstdint>
#include <string>
#include <vector>

namespace systole {

struct NpyTensor {
  std::vector<std::int64_t> shape;
  std::vector<double> values;  // exact for every integer up to 2^53 and every float32
};

// The shape alone, from the header (cheap: for checks before a run).
// Throws InputError naming the file and what is wrong.
std::vector<std::int64_t> read_npy_shape(const std::string& path);
NpyTensor read_npy(const std::string& path);

}  // namespace systole
