// bench/bench_targets.cpp's command line: help, and a usage error is one
// line and exit 2 before any run starts. Its measurements are not tested
// here: speed is measured by bench/, never by a timed test.

#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/helpers.hpp"

using namespace systole::test;

namespace {

CommandResult run_bench(const std::vector<std::string>& args) { return run_command(SYSTOLE_BENCH_TARGETS, args); }

}  // namespace

TEST_CASE("the targets benchmark explains itself", "[bench]") {
  const CommandResult help = run_bench({"--help"});
  CHECK(help.exit_code == 0);
  for (const char* section : {"zoo", "scalesim", "big", "llm", "--quick", "--csv", "--threads"})
    CHECK(help.out.find(section) != std::string::npos);
}

TEST_CASE("the targets benchmark refuses bad options in one line", "[bench]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--frobnicate"}, "unknown option '--frobnicate'"},
      {{"--repeat", "0"}, "--repeat: '0' is not a positive integer"},
      {{"--timeout", "ten"}, "--timeout: 'ten' is not a positive integer"},
      {{"--threads", "0"}, "--threads: '0' is not a positive integer"},
      {{"--only", "zoo,gpu"}, "--only: unknown section 'gpu'"},
      {{"--cases", "(alexnet"}, "--cases: '(alexnet' is not a regular expression"},
      {{"--systole", "/nonexistent/systole"}, "the systole binary '/nonexistent/systole' is not there"},
      {{"--csv"}, "--csv needs a value"},
  };
  for (const auto& [args, message] : cases) {
    INFO(args.front());
    const CommandResult result = run_bench(args);
    CHECK(result.exit_code == 2);
    CHECK(result.out.empty());
    CHECK(result.err.find(message) != std::string::npos);
    CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  }
}
