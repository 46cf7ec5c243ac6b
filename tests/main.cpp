#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include <systemc>

#include "tests/helpers.hpp"

int sc_main(int argc, char** argv) {
  systole::test::accelerator();  // first, to fix the time resolution
  Catch::Session session;
  if (const int error = session.applyCommandLine(argc, argv); error != 0) return error;
  // As with --warn NoAssertions, a test case (or leaf section) that makes no
  // assertion fails, and the run with it: a test that returns early or loops
  // over nothing cannot pass by accident.
  // As with --warn NoTests, a test name that matches no test case fails: ctest
  // cuts names at ';', and Catch would otherwise run nothing and pass.
  auto& warnings = session.configData().warnings;
  warnings = static_cast<Catch::WarnAbout::What>(warnings | Catch::WarnAbout::NoAssertions |
                                                 Catch::WarnAbout::NoTests);
  return session.run();
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
