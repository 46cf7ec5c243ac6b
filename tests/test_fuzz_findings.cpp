// Inputs the parser fuzz targets (fuzz/, docs/assurance.md) found crashing,
// hanging or throwing something other than InputError: each is now refused
// with one line naming the file and what is wrong.

#include <catch2/catch.hpp>

#include "sim/config/arch_config.hpp"
#include "sim/config/input_error.hpp"
#include "sim/workload/npy_file.hpp"
#include "sim/workload/yaml_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

TEST_CASE("a .npy item size too long for an int is refused, not thrown as std::out_of_range", "[fuzz]") {
  const std::string path = make_temp_dir() + "/wide.npy";
  write_file(path, npy_bytes("{'descr': '<i99999999999', 'fortran_order': False, 'shape': (2,), }", "ab"));
  CHECK_THROWS_MATCHES(read_npy(path), InputError,
                       Catch::Message(path + ": type 'i99999999999' is not supported"));
}

TEST_CASE("a .npy header claiming more values than the file holds is refused before allocating them", "[fuzz]") {
  // 2^40 float64 values would be 8 TiB: the reader allocated them before
  // reading (std::bad_alloc, or AddressSanitizer's allocation limit).
  const std::string path = make_temp_dir() + "/huge.npy";
  write_file(path, npy_bytes("{'descr': '<f8', 'fortran_order': False, 'shape': (1048576, 1048576), }", "12345678"));
  CHECK_THROWS_MATCHES(read_npy(path), InputError,
                       Catch::Message(path + ": holds fewer values than its shape says (1099511627776)"));
}

TEST_CASE("an LSTM of 2^30 time steps is refused when read, not lowered into 2^31 steps", "[fuzz]") {
  // Found by fuzz_yaml_workload: `systole run` sat silent, building a step per
  // time step and direction before simulating the first one.
  const std::string path = make_temp_dir() + "/long.yaml";
  write_file(path,
             "layers:\n"
             "  - {name: lstm, type: lstm, input_size: 8, hidden_size: 6, sequence_length: 1073741824, "
             "layers: 1, bidirectional: true}\n");
  CHECK_THROWS_MATCHES(load_yaml_workload(path), InputError,
                       Catch::Message(path + ":2: layer 'lstm': sequence_length x layers x directions = "
                                             "2147483648 time steps, more than the 100000 a run can simulate"));
  // The longest a run takes: 50,000 steps in each direction.
  write_file(path,
             "layers:\n"
             "  - {name: lstm, type: lstm, input_size: 8, hidden_size: 6, sequence_length: 50000, "
             "bidirectional: true}\n");
  CHECK(load_yaml_workload(path).layers.size() == 1);
}

TEST_CASE("an architecture name that is not UTF-8 is refused where it is read", "[fuzz]") {
  // Found by fuzz_arch_ini and fuzz_scalesim_config: the name was accepted,
  // and the configuration's JSON (summary.json) then threw nlohmann's
  // type_error. Only `systole run` checked the name, after loading.
  const std::string dir = make_temp_dir();
  write_file(dir + "/arch.ini", "[general]\nname = caf\xe9\n");
  CHECK_THROWS_MATCHES(load_arch_config(dir + "/arch.ini"), InputError,
                       Catch::Message(dir + "/arch.ini:2: general.name: the value is not UTF-8 text"));
  write_file(dir + "/arch.cfg",
             "[general]\nrun_name = caf\xe9\n[architecture_presets]\nArrayHeight: 4\nArrayWidth: 4\nDataflow: ws\n");
  CHECK_THROWS_MATCHES(load_arch_config(dir + "/arch.cfg"), InputError,
                       Catch::Message(dir + "/arch.cfg:2: run_name: the value is not UTF-8 text"));
  // Names in any other script still load.
  write_file(dir + "/arch.ini", "[general]\nname = café-脉动\n");
  CHECK(load_arch_config(dir + "/arch.ini").name == "café-脉动");
}
