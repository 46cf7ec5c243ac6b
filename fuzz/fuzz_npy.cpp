// Fuzz target: NumPy .npy operand files (sim/workload/npy_file.cpp), which a
// YAML workload's layer may name for its weights or inputs.

#include "fuzz/fuzz_target.hpp"
#include "sim/workload/npy_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("tensor.npy", data, size);
  systole::fuzz::expect_clean_outcome([&] {
    systole::read_npy_shape(path);
    systole::read_npy(path);
  });
  return 0;
}
