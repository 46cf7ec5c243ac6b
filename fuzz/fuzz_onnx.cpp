// Fuzz target: ONNX models (sim/workload/onnx_workload.cpp), loaded as
// `systole run --workload FILE.onnx` loads them.

#include "fuzz/fuzz_target.hpp"
#include "sim/workload/workload_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = systole::fuzz::write_scratch_file("model.onnx", data, size);
  systole::fuzz::expect_clean_outcome(
      [&] { systole::fuzz::use_workload(systole::load_workload(path, systole::WorkloadOptions{})); });
  return 0;
}
