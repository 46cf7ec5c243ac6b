#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include <systemc>

#include "tests/helpers.hpp"

int sc_main(int argc, char** argv) {
  systole::test::accelerator();  // first, to fix the time resolution
  return Catch::Session().run(argc, argv);
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
