#pragma once
// What every fuzz target shares: the parsers read files, so a target writes
// its input to a scratch file and hands the reader that path. A reader may
// refuse the input only with its documented error, InputError (one line);
// any other exception aborts the process, so the fuzzer counts it as a
// finding just as it does a crash, a sanitizer report or a hang.
//
// Each target defines LLVMFuzzerTestOneInput. Built with clang's
// -fsanitize=fuzzer, libFuzzer drives it; otherwise fuzz/fuzz_driver.cpp
// replays a corpus and mutates it for a given time (docs/assurance.md).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "sim/workload/workload.hpp"

namespace systole::fuzz {

// Writes `data` to this process's scratch file, named `file_name` (the
// extension tells some readers the format), and returns its path.
std::string write_scratch_file(const std::string& file_name, const std::uint8_t* data, std::size_t size);

// Runs `parse`; returns normally when it succeeds or throws InputError, and
// aborts with the message on any other exception.
void expect_clean_outcome(const std::function<void()>& parse);

// What the command line does with a workload after reading it, short of
// simulating: lower every layer into its steps and compute the network's
// statistics, so that size arithmetic on accepted shapes is exercised too.
void use_workload(const Workload& workload);

}  // namespace systole::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
