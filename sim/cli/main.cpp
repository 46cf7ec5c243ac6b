// The `systole` executable: SystemC's entry point around the command line.

#include <cstdlib>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <systemc>

#include "sim/cli/cli.hpp"

namespace {

// Every array step builds its array's state and frees it as it ends. glibc
// returns a freed heap top of more than 128 kB to the system at once, and
// raises that threshold only after freeing a block it had mapped on its own,
// which a timing-only run never allocates: each step then faulted the same
// pages in again (60% of a timing-only GNMT run). Keeping up to 128 MB of
// freed heap, and mapping only blocks of 32 MB or more on their own, ends
// that. Setting either threshold turns off glibc's adjustment of both.
void keep_freed_heap() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
#endif
}

}  // namespace

int sc_main(int argc, char** argv) {
  return systole::run_cli(argc, argv);
}

int main(int argc, char** argv) {
  keep_freed_heap();
  // SystemC prints its banner on the first simulation context unless told not to.
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 1);
  return sc_core::sc_elab_and_sim(argc, argv);
}
