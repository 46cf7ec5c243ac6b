// The `systole` executable: SystemC's entry point around the command line.

#include <cstdlib>

#include <systemc>

#include "sim/cli/cli.hpp"

int sc_main(int argc, char** argv) {
  return systole::run_cli(argc, argv);
}

int main(int argc, char** argv) {
  // SystemC prints its banner on the first simulation context unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
