#include "fuzz/fuzz_target.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <spdlog/spdlog.h>

#include "sim/config/input_error.hpp"
#include "sim/workload/lowering.hpp"
#include "sim/workload/network_stats.hpp"

namespace systole::fuzz {
namespace {

// One folder per process, removed at exit; readers' warnings are silenced,
// since the fuzzer runs millions of inputs.
class ScratchFolder {
 public:
  ScratchFolder() {
    spdlog::set_level(spdlog::level::off);
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/systole-fuzz-XXXXXX";
    if (!mkdtemp(pattern.data())) {
      std::perror("systole fuzz: cannot create a scratch folder");
      std::abort();
    }
    path_ = pattern;
  }
  ~ScratchFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

const ScratchFolder& scratch() {
  static const ScratchFolder folder;
  return folder;
}

}  // namespace

std::string write_scratch_file(const std::string& file_name, const std::uint8_t* data, std::size_t size) {
  const std::string path = scratch().path() + "/" + file_name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "systole fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

void expect_clean_outcome(const std::function<void()>& parse) {
  try {
    parse();
  } catch (const InputError& e) {
    // The documented refusal; shown on request, to check that a seed corpus
    // holds inputs the parser accepts.
    static const bool show = std::getenv("SYSTOLE_FUZZ_SHOW_ERRORS") != nullptr;
    if (show) std::fprintf(stderr, "refused: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "systole fuzz: FINDING: an exception other than InputError: %s\n", e.what());
    std::abort();
  } catch (...) {
    std::fprintf(stderr, "systole fuzz: FINDING: an exception that is not a std::exception\n");
    std::abort();
  }
}

void use_workload(const Workload& workload) {
  for (const Layer& layer : workload.layers) lower(layer);
  std::ostringstream stats;
  write_stats_csv(stats, workload);
}

}  // namespace systole::fuzz

// libsystemc.so refers to sc_main, which its own main() would call; the fuzz
// targets have their own main (the driver's or libFuzzer's) and never start
// SystemC, so this one is there for the linker and is never called.
extern "C" int sc_main(int, char**) {
  std::fprintf(stderr, "systole fuzz: SystemC's entry point is not used by the fuzz targets\n");
  return 2;
}
