// Reading architecture files and topologies, and rejecting bad ones with one
// line that names the file, the line and the problem.

#include <catch2/catch.hpp>

#include "sim/config/arch_config.hpp"
#include "sim/config/input_error.hpp"
#include "sim/config/text.hpp"
#include "sim/workload/scalesim_topology.hpp"
#include "sim/workload/yaml_workload.hpp"
#include "tests/helpers.hpp"

using namespace systole;
using namespace systole::test;

namespace {

std::string load_error(const std::string& text, const std::string& extension = ".ini") {
  const std::string path = make_temp_dir() + "/file" + extension;
  write_file(path, text);
  try {
    if (extension == ".csv")
      load_scalesim_topology(path);
    else
      load_arch_config(path);
  } catch (const InputError& e) {
    const std::string message = e.what();
    CHECK(message.rfind(path, 0) == 0);  // starts with the file name
    CHECK(message.find('\n') == std::string::npos);
    return message.substr(path.size());
  }
  FAIL("no error for:\n" << text);
  return {};
}

}  // namespace

TEST_CASE("native INI architecture files", "[inputs]") {
  const std::string path = make_temp_dir() + "/arch.ini";
  write_file(path, "# comment\n[general]\nname = mine\n[array]\nrows = 12\ncols = 14\n"
                   "dataflow = os\nmicroarch = pipelined\ndata_type = fp32\n");
  const ArchConfig arch = load_arch_config(path);
  CHECK(arch.name == "mine");
  CHECK(arch.array.rows == 12);
  CHECK(arch.array.cols == 14);
  CHECK(arch.dataflow == "os");
  CHECK(arch.array.microarch == Microarch::Pipelined);
  CHECK(arch.array.data_type == DataType::Fp32);
}

TEST_CASE("bad INI files give the line and the problem", "[inputs]") {
  CHECK(load_error("[array]\nrows = 4\nflavour = 3\n") == ":3: unknown key 'flavour' in section [array]");
  CHECK(load_error("[array]\nrows = four\n") == ":2: array.rows: 'four' is not an integer");
  CHECK(load_error("[array]\n\ncols = 0\n") == ":3: array.cols: must be between 1 and 4096, got 0");
  CHECK(load_error("[array]\ndataflow = xs\n") ==
        ":2: array.dataflow: unknown dataflow 'xs' (expected ws, os, is or rs)");
  CHECK(load_error("[array]\nrows = 4\nrows = 5\n").find(":3:") == 0);
  CHECK(load_error("[array]\nthis is not a key\n").find(":2:") == 0);
  CHECK(load_error("[general]\nclock_mhz = fast\n") ==
        ":2: general.clock_mhz: 'fast' is not a clock between 1 and 100000 MHz");
  CHECK(load_error("[memory]\nmodel = dram\nifmap_kb = 8\n") ==
        ":3: unknown key 'ifmap_kb' in section [memory] (now buffer.ifmap_kb)");
  CHECK(load_error("[noc]\nlatency = -1\n") == ":2: noc.latency: must be between 1 and 1000, got -1");
}

TEST_CASE("buffer ports must carry whole values", "[inputs]") {
  const std::string path = make_temp_dir() + "/arch.ini";
  write_file(path, "[array]\ndata_type = int16\n[buffer]\nword_bytes = 4\n");
  const ArchConfig arch = load_arch_config(path);
  CHECK(arch.buffer.word_bytes == 4);
  try {
    validate(arch, path);
    FAIL("validate accepted 4-byte ports for int64 partial sums");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()).find("buffer.word_bytes = 4 cannot carry one partial sum of int16 (8 bytes)") !=
          std::string::npos);
  }
}

TEST_CASE("presets load by name", "[inputs]") {
  const auto names = preset_names();
  CHECK(std::find(names.begin(), names.end(), "tpu-v1") != names.end());
  for (const std::string& name : names) CHECK_NOTHROW(load_arch_config(name));
  const ArchConfig tpu = load_arch_config("tpu-v1");
  CHECK(tpu.array.rows == 256);
  CHECK(tpu.array.cols == 256);
  CHECK(tpu.clock_mhz == 700);  // the TPU v1's clock (Jouppi et al., ISCA 2017)
  CHECK(load_arch_config("systole-128x128").array.rows == 128);
  CHECK(load_arch_config("systole-32x32").array.cols == 32);
  CHECK_THROWS_AS(load_arch_config("no-such-preset"), InputError);
}

TEST_CASE("SCALE-Sim .cfg files", "[inputs]") {
  const std::string path = make_temp_dir() + "/scale.cfg";
  write_file(path,
             "[general]\nrun_name = test\n\n[architecture_presets]\nArrayHeight:    16\n"
             "ARRAYWIDTH : 8\nIfmapSramSzkB: 64\nDataflow : is\nBandwidth : 10\n"
             "[run_presets]\nInterfaceBandwidth: CALC\n");
  const ArchConfig arch = load_arch_config(path);
  CHECK(arch.name == "test");
  CHECK(arch.array.rows == 16);
  CHECK(arch.array.cols == 8);
  CHECK(arch.dataflow == "is");
  CHECK(load_error("[architecture_presets]\nArrayHeight: 4\nArrayWidth: 4\nDataflow: xs\n", ".cfg") ==
        ":4: dataflow: unknown dataflow 'xs' (expected ws, os, is or rs)");
  CHECK(load_error("[architecture_presets]\nArrayHeight: 4\nColour: 4\n", ".cfg") ==
        ":3: unknown key 'colour' in [architecture_presets]");
  CHECK(load_error("[architecture_presets]\nArrayHeight: 4\nDataflow: ws\n", ".cfg") ==
        ": missing key 'arraywidth' in [architecture_presets]");
}

TEST_CASE("SCALE-Sim topologies: conv, GEMM and their quirks", "[inputs]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/conv.csv",
             "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
             "Conv1, 224, 224, 11, 11, 3, 96, 4,\n"
             ",,,,,,,,\n"
             "\n"
             "DP_conv, 10, 10, 3, 3, 8, 1, 1,\n"
             "Net heading,,,\n"
             "Wide, 10, 12, 3, 3, 2, 4, 1, 2, , annotation\n"
             "NoComma, 5, 5, 1, 1, 2, 2, 1,#dw comment\n"
             "FC, 6, 6, 6, 6, 16, 10, 1,\n");
  const Workload conv = load_scalesim_topology(dir + "/conv.csv");
  REQUIRE(conv.layers.size() == 5);
  CHECK(conv.layers[4].kind == LayerKind::FullyConnected);
  CHECK(conv.layers[4].macs() == 6 * 6 * 16 * 10);
  // SCALE-Sim's ceil rule: ceil((224 - 11 + 4) / 4) = 55.
  CHECK(conv.layers[0].out_h() == 55);
  CHECK(conv.layers[0].macs() == 55LL * 55 * 96 * 11 * 11 * 3);
  CHECK(conv.layers[1].kind == LayerKind::Depthwise);
  CHECK(conv.layers[1].groups() == 8);
  CHECK(conv.layers[1].macs() == 8LL * 8 * 8 * 9);
  CHECK(conv.layers[2].shape.stride_w == 2);
  CHECK(conv.layers[2].out_w() == 6);  // ceil((12 - 3 + 2) / 2)
  CHECK(conv.layers[3].out_h() == 5);
  CHECK(conv.layers[0].kind == LayerKind::Conv);

  write_file(dir + "/gemm.csv", "Layer,M,N,K,\nqkv,128,2304,768,\n");
  const Workload gemm = load_scalesim_topology(dir + "/gemm.csv");
  REQUIRE(gemm.layers.size() == 1);
  CHECK(gemm.layers[0].gemm().m == 128);
  CHECK(gemm.layers[0].gemm().n == 2304);
  CHECK(gemm.layers[0].gemm().k == 768);

  write_file(dir + "/tabs.csv", "Layer name\tH\tW\tFH\tFW\tC\tNF\tS\t\nc\t8\t8\t3\t3\t4\t4\t1\t\n");
  CHECK(load_scalesim_topology(dir + "/tabs.csv").layers.at(0).out_h() == 6);
}

TEST_CASE("bad topologies give the line and the problem", "[inputs]") {
  const std::string header = "Layer name, H, W, FH, FW, C, NF, S,\n";
  CHECK(load_error(header + "c, 8, B, 3, 3, 4, 4, 1,\n", ".csv") ==
        ":2: IFMAP Width is 'B', not an integer");
  CHECK(load_error(header + "c, 8, 8, 3, 3, 0, 4, 1,\n", ".csv") == ":2: Channels must be positive, got 0");
  CHECK(load_error(header + "c, 8, 8, 3, 3, -2, 4, 1,\n", ".csv") ==
        ":2: Channels must be positive, got -2");
  CHECK(load_error(header + "c, 8, 8, 3, 3, 4,\n", ".csv").find(":2: expected 8 fields") == 0);
  CHECK(load_error(header + "ok, 8, 8, 3, 3, 4, 4, 1,\nc, 2, 8, 3, 3, 4, 4, 1,\n", ".csv") ==
        ":3: filter 3x3 is larger than the input 2x8");
  CHECK(load_error("Layer, M, N, K,\ng, 4, x, 4,\n", ".csv") == ":2: N is 'x', not an integer");
  // 2^40 x 2^24 would wrap a 64-bit element count to zero; no extent may
  // exceed a tensor's limit, 2^36, and 2^24 x 2^24 is a tensor too large.
  CHECK(load_error("Layer, M, N, K,\ng, 1099511627776, 1, 16777216,\n", ".csv") ==
        ":2: M must be at most 68719476736, got 1099511627776");
  CHECK(load_error("Layer, M, N, K,\ng, 16777216, 1, 16777216,\n", ".csv") ==
        ":2: layer too large to simulate: its input exceeds 68719476736 elements");
  CHECK(load_error("", ".csv") == ": topology file is empty");
  CHECK(load_error(header, ".csv") == ": topology file has no layers");
}

TEST_CASE("the shared-buffer example of docs/memory.md loads as described", "[inputs]") {
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/docs/examples/shared-12x14.ini";
  const ArchConfig arch = load_arch_config(path);
  validate(arch, path);
  CHECK(arch.buffer.organization == BufferOrganization::Shared);
  CHECK(arch.buffer.bank_bytes() == 4096);  // 108 KB in 27 banks
  CHECK(arch.array.rows == 12);
  CHECK(arch.array.cols == 14);
  CHECK(arch.clock_mhz == 200);
  CHECK(arch.dram == "lpddr4-3200");
}

TEST_CASE("the memory-hierarchy example of docs/memory.md loads as described", "[inputs]") {
  const std::string path = std::string(SYSTOLE_SOURCE_DIR) + "/docs/examples/ddr4-128x128.ini";
  const ArchConfig arch = load_arch_config(path);
  validate(arch, path);
  CHECK(arch.memory_model == MemoryModel::Dram);
  CHECK(arch.buffer.ifmap_bytes == 256 * 1024);
  CHECK(arch.buffer.banks == 16);
  CHECK(arch.buffer.word_bytes == 8);
  // 16 banks of one 8-byte write port take 32 int32 partial sums a cycle.
  CHECK(arch.buffer.partition().write_values_per_cycle(Operand::Ofmap, 32) == 32);
  CHECK(arch.noc.left_words == 128);
  CHECK(arch.noc.latency == 2);
  CHECK(arch.dram == "ddr4-2400");
  CHECK(arch.dram_channels == 2);
}

TEST_CASE("window sizes beyond any real layer are refused, not wrapped around", "[inputs]") {
  // A dilation of INT64_MAX once ran a 3x3 convolution on a 3x3 input and
  // reported 225 MACs with verify passed: its span overflowed.
  const std::string dir = make_temp_dir();
  write_file(dir + "/dilated.yaml",
             "layers:\n  - name: c\n    type: conv\n    input: [3, 3, 1]\n    filters: 1\n    kernel: [3, 3]\n"
             "    dilation: [9223372036854775807, 1]\n");
  CHECK_THROWS_WITH(load_yaml_workload(dir + "/dilated.yaml"),
                    Catch::Contains("layer 'c': dilation height must be at most 1048576, got 9223372036854775807"));
  Layer pool;
  pool.kind = LayerKind::Pool;
  pool.pool.in_h = pool.pool.in_w = 8;
  pool.pool.kernel_h = pool.pool.kernel_w = 2;
  pool.pool.stride_h = 1 << 21;
  CHECK(pool.problem() == "stride height must be at most 1048576, got 2097152");
}

TEST_CASE("errors never echo control bytes or stray binary, and names must be UTF-8", "[inputs][cli]") {
  CHECK(printable("a\rb\nc\td") == "a\\rb\\nc\\td");
  CHECK(printable("x\x1b[31my") == "x\\x1b[31my");
  CHECK(printable("caf\xc3\xa9 \xe2\x80\xa8 \xff") == "caf\xc3\xa9 \\u2028 \\xff");  // é kept, U+2028 escaped
  CHECK(valid_utf8("caf\xc3\xa9"));
  CHECK_FALSE(valid_utf8("c\xff"));
  CHECK_FALSE(valid_utf8("\xc0\xaf"));  // overlong '/'
  // A layer name that is not UTF-8 is refused before the run (summary.json
  // could not hold it), and the error escapes the byte.
  const std::string dir = make_temp_dir();
  write_file(dir + "/bad.yaml", "layers:\n  - name: \"c\xff\"\n    type: gemm\n    m: 2\n    n: 2\n    k: 2\n");
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/bad.yaml", "--out",
                                       dir + "/out"});
  CHECK(r.exit_code == 2);
  CHECK(r.err == "systole: error: " + dir + "/bad.yaml: layer name 'c\\xff' is not UTF-8\n");
  CHECK_FALSE(std::filesystem::exists(dir + "/out"));
}

TEST_CASE("CR LF and lone CR line endings read as LF in every text format", "[inputs]") {
  const std::string dir = make_temp_dir();
  for (const char* ending : {"\n", "\r\n", "\r"}) {
    INFO("line ending " << printable(ending));
    const auto lines = [&](std::initializer_list<const char*> parts) {
      std::string text;
      for (const char* part : parts) text += std::string(part) + ending;
      return text;
    };
    write_file(dir + "/arch.ini", lines({"[general]", "name = mine", "[array]", "rows = 12", "cols = 14"}));
    const ArchConfig ini = load_arch_config(dir + "/arch.ini");
    CHECK(ini.name == "mine");
    CHECK(ini.array.rows == 12);
    CHECK(ini.array.cols == 14);
    write_file(dir + "/bad.ini", lines({"[array]", "rows = 4", "flavour = 3"}));
    CHECK_THROWS_WITH(load_arch_config(dir + "/bad.ini"), Catch::EndsWith(":3: unknown key 'flavour' in section [array]"));

    write_file(dir + "/scale.cfg", lines({"[general]", "run_name = test", "[architecture_presets]", "ArrayHeight: 16",
                                          "ArrayWidth: 8", "Dataflow: is"}));
    const ArchConfig cfg = load_arch_config(dir + "/scale.cfg");
    CHECK(cfg.name == "test");
    CHECK(cfg.array.rows == 16);
    CHECK(cfg.dataflow == "is");

    write_file(dir + "/net.csv", lines({"Layer, M, N, K,", "a, 4, 5, 6,", "b, 7, 8, 9,"}));
    const Workload csv = load_scalesim_topology(dir + "/net.csv");
    REQUIRE(csv.layers.size() == 2);
    CHECK(csv.layers[1].name == "b");

    write_file(dir + "/net.yaml", lines({"layers:", "  - {name: a, type: gemm, m: 4, n: 5, k: 6}",
                                         "  - {name: b, type: gemm, m: 7, n: 8}"}));
    CHECK_THROWS_WITH(load_yaml_workload(dir + "/net.yaml"), Catch::Contains("net.yaml:3:"));
  }
}

TEST_CASE("an input error is the one line on stderr, and names where the value was set", "[inputs][cli]") {
  const std::string dir = make_temp_dir();
  const auto one_line = [&](const std::vector<std::string>& args, const std::string& expected) {
    const CommandResult r = run_systole(args);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "systole: error: " + expected + "\n");
    CHECK(r.out.empty());
  };
  // The first line looks like a layer (a warning) and the third is short.
  write_file(dir + "/net.csv", "conv1, 12, 12, 3, 3, 3, 8, 1,\nconv2, 12, 12, 3, 3, 3, 8, 1,\nconv3, 12,\n");
  one_line({"run", "--arch", "systole-32x32", "--workload", dir + "/net.csv"},
           dir + "/net.csv:3: expected 8 fields (name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, "
                 "Channels, Num Filter, Strides), found 2");
  // SCALE-Sim memory keys Systole does not use (an info line), then a bad workload.
  write_file(dir + "/scale.cfg", "[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nDataflow: ws\n"
                                 "IfmapSramSzkB: 64\n");
  write_file(dir + "/empty.csv", "Layer, M, N, K,\n");
  const CommandResult empty = run_systole({"run", "--arch", dir + "/scale.cfg", "--workload", dir + "/empty.csv"});
  CHECK(empty.exit_code == 2);
  CHECK(std::count(empty.err.begin(), empty.err.end(), '\n') == 1);
  CHECK(empty.err.find("[info]") == std::string::npos);
  // A memspec that cannot be read names the architecture file that chose it,
  // or the option.
  write_file(dir + "/dram.ini", "[memory]\nmodel = dram\n[dram]\nspec = " + dir + "/missing.json\n");
  one_line({"run", "--arch", dir + "/dram.ini", "--workload", dir + "/net.csv"},
           dir + "/dram.ini: dram.spec: " + dir + "/missing.json: cannot open memspec");
  one_line({"run", "--arch", "systole-32x32", "--dram", dir + "/missing.json", "--workload", dir + "/net.csv"},
           "option --dram: " + dir + "/missing.json: cannot open memspec");
}

TEST_CASE("log lines never echo unprintable input", "[inputs][cli]") {
  // A line of a control sequence and a stray byte reads as a section heading
  // (an info line); the run goes on.
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\ng, 4, 4, 4,\n\xff\x1b[31m\n");
  const CommandResult r = run_systole({"run", "--arch", "systole-32x32", "--workload", dir + "/net.csv"});
  CHECK(r.exit_code == 0);
  CHECK(r.err == "[info] " + dir + "/net.csv:3: '\\xff\\x1b[31m' has no sizes; read as a section heading\n");
}

TEST_CASE("SCALE-Sim's user-set interface bandwidth is named as ignored, with what to use instead", "[inputs][cli]") {
  const std::string dir = make_temp_dir();
  write_file(dir + "/net.csv", "Layer, M, N, K,\ng, 4, 4, 4,\n");
  for (const char* interface : {"USER", "CALC"}) {
    INFO(interface);
    write_file(dir + "/scale.cfg", std::string("[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nDataflow: ws\n"
                                               "Bandwidth: 10\n[run_presets]\nInterfaceBandwidth: ") +
                                       interface + "\n");
    const CommandResult r =
        run_systole({"run", "--arch", dir + "/scale.cfg", "--workload", dir + "/net.csv", "--log-level", "warn"});
    CHECK(r.exit_code == 0);
    if (std::string(interface) == "USER")
      CHECK(r.err == "[warning] " + dir + "/scale.cfg:7: InterfaceBandwidth: USER (with Bandwidth) is ignored: "
                     "Systole does not model SCALE-Sim's fixed-bandwidth interface: without --memory dram a run has "
                     "ideal memory (no memory stalls); --memory dram with --dram ddr4-2400, lpddr4-3200, hbm2 or a "
                     "memspec models the DRAM (docs/memory.md)\n");
    else
      CHECK(r.err.empty());
  }
}

TEST_CASE("huge dimensions are refused with one line, not wrapped around", "[inputs]") {
  const std::string dir = make_temp_dir();
  // INT64_MAX + a padding of 1 would wrap to a negative padded height.
  write_file(dir + "/tall.yaml",
             "layers:\n  - {name: c, type: conv, input: [9223372036854775807, 4, 3], filters: 4, kernel: 3, "
             "padding: 1}\n");
  CHECK_THROWS_WITH(load_yaml_workload(dir + "/tall.yaml"),
                    Catch::EndsWith("layer 'c': input height must be at most 68719476736, got 9223372036854775807"));
  // SCALE-Sim's ceil rule adds stride − 1 to the input height.
  write_file(dir + "/tall.csv",
             "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
             "c, 9223372036854775807, 4, 3, 3, 3, 4, 9223372036854775807,\n");
  CHECK_THROWS_WITH(load_scalesim_topology(dir + "/tall.csv"),
                    Catch::EndsWith("tall.csv:2: IFMAP Height must be at most 68719476736, got 9223372036854775807"));
  // A depthwise layer's filters are channels x multiplier.
  write_file(dir + "/wide.csv",
             "Layer, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
             "DP_c, 4, 4, 3, 3, 68719476736, 68719476736, 1,\n");
  CHECK_THROWS_AS(load_scalesim_topology(dir + "/wide.csv"), InputError);
  // Each tensor of this LSTM stack fits (input 2^19 x 2^17 = 2^36 values,
  // weights 4 x 2^16 x 3·2^16 < 2^36), but its MACs, 2 directions x 4 gates
  // x 2^16 x 3·2^16 (the upper layers' input, 2·2^16, plus the hidden 2^16)
  // x 2^19 steps x 1000 layers ≈ 2^65.6, exceed 64 bits.
  write_file(dir + "/deep.yaml",
             "layers:\n  - {name: l, type: lstm, input_size: 65536, hidden_size: 65536, sequence_length: 524288, "
             "layers: 1000, bidirectional: true}\n");
  CHECK_THROWS_WITH(load_yaml_workload(dir + "/deep.yaml"),
                    Catch::EndsWith("layer 'l': layer too large to simulate: its MACs exceed 64 bits"));
  // A grouped GEMM (an ONNX batched MatMul) of 2^36 groups of K = 2^28 + 1:
  // K·groups = 2^64 + 2^36 would wrap to 2^36 channels, one per group -- a
  // layer of K = 1 that every size check passes.
  const Layer grouped = make_gemm_layer("g", 1, 1, (std::int64_t{1} << 28) + 1, std::int64_t{1} << 36);
  CHECK_FALSE(grouped.problem().empty());
}
