// A small stand-in for libFuzzer, so the fuzz targets build and run with g++:
// it replays every input of the given corpus folders (or files), then, for
// --seconds or --runs, feeds the target mutations of them (bit flips, byte
// edits, spliced chunks, numbers replaced by boundary values). It has no
// coverage feedback; clang's libFuzzer (docs/assurance.md) is the stronger
// tool for long runs, and takes the same targets and corpora.
//
// A finding (crash, sanitizer report, exception other than InputError, an
// input running longer than --timeout seconds) ends the process abnormally;
// the input that caused it is written first to --artifact-prefix + "crash-N"
// (or "timeout-N"), so it can be replayed: fuzz_TARGET FILE.

#include <signal.h>
#include <unistd.h>
#include <fcntl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "fuzz/fuzz_target.hpp"

// Under AddressSanitizer (g++ defines __SANITIZE_ADDRESS__, clang has the
// feature), a finding ends the process through its death callback.
#if defined(__SANITIZE_ADDRESS__)
#define SYSTOLE_HAS_SANITIZER_INTERFACE 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SYSTOLE_HAS_SANITIZER_INTERFACE 1
#endif
#endif
#ifdef SYSTOLE_HAS_SANITIZER_INTERFACE
#include <sanitizer/common_interface_defs.h>
#endif

namespace {

using Bytes = std::vector<std::uint8_t>;

// The input being run, kept where a signal handler can write it out.
const Bytes* g_current = nullptr;
char g_crash_path[4096];
char g_timeout_path[4096];

void write_current(const char* path) {
  if (!g_current) return;
  const int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  const std::uint8_t* data = g_current->data();
  std::size_t left = g_current->size();
  while (left > 0) {
    const ssize_t written = write(fd, data, left);
    if (written <= 0) break;
    data += written;
    left -= static_cast<std::size_t>(written);
  }
  close(fd);
  const char note[] = "systole fuzz: the input is saved as ";
  [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, note, sizeof note - 1);
  ignored = write(STDERR_FILENO, path, std::strlen(path));
  ignored = write(STDERR_FILENO, "\n", 1);
}

void on_death() { write_current(g_crash_path); }

void on_fatal_signal(int signal_number) {
  on_death();
  signal(signal_number, SIG_DFL);
  raise(signal_number);
}

void on_timeout(int) {
  const char message[] = "systole fuzz: FINDING: an input ran longer than the time limit\n";
  [[maybe_unused]] ssize_t ignored = write(STDERR_FILENO, message, sizeof message - 1);
  write_current(g_timeout_path);
  _exit(70);
}

void install_handlers() {
#ifdef SYSTOLE_HAS_SANITIZER_INTERFACE
  __sanitizer_set_death_callback(on_death);
#endif
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(s, on_fatal_signal);
  signal(SIGALRM, on_timeout);
}

Bytes read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void run_one(const Bytes& input, unsigned timeout_seconds) {
  g_current = &input;
  alarm(timeout_seconds);
  LLVMFuzzerTestOneInput(input.data(), input.size());
  alarm(0);
  g_current = nullptr;
}

// Numbers at the edges parsers get wrong: zero, signs, the limits of 32- and
// 64-bit integers and of doubles, and text that is almost a number.
const std::vector<std::string>& boundary_values() {
  static const std::vector<std::string> values = {
      "0", "-1", "1", "-0", "2147483647", "2147483648", "-2147483648", "4294967295", "4294967296",
      "4294967335", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
      "18446744073709551616", "1e400", "-1e400", "1e-16", "1e308", "nan", ".nan", ".inf", "inf", "0x10",
      "1.5", "65536", "1073741824", "3037000500", "", " ", "\"\"", "[]", "{}", "null", "~", "\xff", "\r"};
  return values;
}

class Mutator {
 public:
  Mutator(std::uint64_t seed, std::size_t max_size) : random_(seed), max_size_(max_size) {}

  Bytes mutate(const std::vector<Bytes>& corpus) {
    Bytes input = corpus[pick(corpus.size())];
    const std::size_t edits = 1 + pick(4);
    for (std::size_t i = 0; i < edits; ++i) edit(input, corpus);
    if (input.size() > max_size_) input.resize(max_size_);
    return input;
  }

 private:
  std::size_t pick(std::size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<std::size_t>(0, n - 1)(random_); }

  void edit(Bytes& input, const std::vector<Bytes>& corpus) {
    switch (pick(8)) {
      case 0:  // flip a bit
        if (!input.empty()) input[pick(input.size())] ^= static_cast<std::uint8_t>(1u << pick(8));
        break;
      case 1:  // set a byte
        if (!input.empty()) input[pick(input.size())] = static_cast<std::uint8_t>(pick(256));
        break;
      case 2:  // insert a byte
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(pick(input.size() + 1)),
                     static_cast<std::uint8_t>(pick(256)));
        break;
      case 3: {  // erase a range
        if (input.empty()) break;
        const std::size_t from = pick(input.size());
        const std::size_t length = 1 + pick(std::min<std::size_t>(16, input.size() - from));
        input.erase(input.begin() + static_cast<std::ptrdiff_t>(from),
                    input.begin() + static_cast<std::ptrdiff_t>(from + length));
        break;
      }
      case 4: {  // duplicate a range in place
        if (input.empty()) break;
        const std::size_t from = pick(input.size());
        const std::size_t length = 1 + pick(std::min<std::size_t>(64, input.size() - from));
        const Bytes chunk(input.begin() + static_cast<std::ptrdiff_t>(from),
                          input.begin() + static_cast<std::ptrdiff_t>(from + length));
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(pick(input.size() + 1)), chunk.begin(), chunk.end());
        break;
      }
      case 5: {  // splice in a chunk of another input
        const Bytes& other = corpus[pick(corpus.size())];
        if (other.empty()) break;
        const std::size_t from = pick(other.size());
        const std::size_t length = 1 + pick(std::min<std::size_t>(256, other.size() - from));
        input.insert(input.begin() + static_cast<std::ptrdiff_t>(pick(input.size() + 1)),
                     other.begin() + static_cast<std::ptrdiff_t>(from),
                     other.begin() + static_cast<std::ptrdiff_t>(from + length));
        break;
      }
      case 6:
      case 7:
        replace_number(input);
        break;
    }
  }

  // Replaces a run of digits (with its sign, point and exponent) by a
  // boundary value, or inserts one where there is none.
  void replace_number(Bytes& input) {
    const std::string& value = boundary_values()[pick(boundary_values().size())];
    std::vector<std::size_t> starts;
    for (std::size_t i = 0; i < input.size(); ++i)
      if (std::isdigit(input[i]) && (i == 0 || !std::isdigit(input[i - 1]))) starts.push_back(i);
    if (starts.empty()) {
      input.insert(input.begin() + static_cast<std::ptrdiff_t>(pick(input.size() + 1)), value.begin(), value.end());
      return;
    }
    std::size_t from = starts[pick(starts.size())];
    if (from > 0 && input[from - 1] == '-') --from;
    std::size_t to = from + 1;
    while (to < input.size() && (std::isdigit(input[to]) || std::strchr(".eE+-", input[to]))) ++to;
    input.erase(input.begin() + static_cast<std::ptrdiff_t>(from), input.begin() + static_cast<std::ptrdiff_t>(to));
    input.insert(input.begin() + static_cast<std::ptrdiff_t>(from), value.begin(), value.end());
  }

  std::mt19937_64 random_;
  std::size_t max_size_;
};

int usage(const char* program) {
  std::fprintf(stderr,
               "usage: %s [--seconds S] [--runs N] [--seed N] [--timeout S] [--max-len BYTES]\n"
               "          [--artifact-prefix PREFIX] CORPUS_DIR_OR_FILE...\n"
               "Replays every input, then mutates them for S seconds or N runs (default: replay only).\n",
               program);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 0;
  std::uint64_t runs = 0, seed = 1;
  unsigned timeout = 10;
  std::size_t max_size = 64 * 1024;
  std::string prefix = "./";
  std::vector<std::string> paths;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--seconds" && has_value) seconds = std::atof(argv[++i]);
    else if (arg == "--runs" && has_value) runs = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--seed" && has_value) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--timeout" && has_value) timeout = static_cast<unsigned>(std::atoi(argv[++i]));
    else if (arg == "--max-len" && has_value) max_size = std::strtoull(argv[++i], nullptr, 10);
    else if (arg == "--artifact-prefix" && has_value) prefix = argv[++i];
    else if (!arg.empty() && arg[0] == '-') return usage(argv[0]);
    else paths.push_back(arg);
  }
  if (paths.empty() || timeout == 0) return usage(argv[0]);
  const std::string pid = std::to_string(getpid());
  std::snprintf(g_crash_path, sizeof g_crash_path, "%scrash-%s", prefix.c_str(), pid.c_str());
  std::snprintf(g_timeout_path, sizeof g_timeout_path, "%stimeout-%s", prefix.c_str(), pid.c_str());
  install_handlers();

  std::vector<Bytes> corpus;
  for (const std::string& path : paths) {
    if (std::filesystem::is_directory(path)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(path))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& file : files) corpus.push_back(read_file(file));
    } else if (std::filesystem::is_regular_file(path)) {
      corpus.push_back(read_file(path));
    } else {
      std::fprintf(stderr, "%s: no such corpus file or folder\n", path.c_str());
      return 2;
    }
  }
  if (corpus.empty()) {
    std::fprintf(stderr, "the corpus is empty\n");
    return 2;
  }

  for (const Bytes& input : corpus) run_one(input, timeout);
  std::printf("replayed %zu inputs\n", corpus.size());

  const auto start = std::chrono::steady_clock::now();
  const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  Mutator mutator(seed, max_size);
  std::uint64_t done = 0;
  double next_report = 10;
  const bool mutate = runs > 0 || seconds > 0;
  while (mutate && (runs == 0 || done < runs) && (seconds <= 0 || elapsed() < seconds)) {
    run_one(mutator.mutate(corpus), timeout);
    ++done;
    if (elapsed() >= next_report) {
      std::printf("%llu runs in %.0f s\n", static_cast<unsigned long long>(done), elapsed());
      std::fflush(stdout);
      next_report += 60;
    }
  }
  if (done > 0)
    std::printf("%llu mutated runs in %.1f s (seed %llu), no finding\n", static_cast<unsigned long long>(done),
                elapsed(), static_cast<unsigned long long>(seed));
  return 0;
}
