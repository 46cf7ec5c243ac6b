#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdlib>

#include <systemc>

#include "models/accelerator.hpp"

int sc_main(int argc, char** argv) {
  systole::Accelerator::instance();  // first, to fix the time resolution
  return Catch::Session().run(argc, argv);
}

int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
