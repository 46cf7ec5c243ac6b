// The least a SystemC program costs to run: it loads the SystemC library
// (whose static initialisers run) and returns at once. systole_bench_targets
// times it as the floor under any run's wall time on this machine.

#include <systemc>

int sc_main(int, char*[]) { return 0; }
