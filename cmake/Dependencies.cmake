# All dependencies come from Debian packages (see README.md).
find_package(PkgConfig REQUIRED)
# libsystemc-dev ships a pkg-config module, not a CMake package.
pkg_check_modules(SYSTEMC REQUIRED IMPORTED_TARGET systemc>=2.3.3)
add_library(SystemC::SystemC ALIAS PkgConfig::SYSTEMC)

find_package(Boost 1.74 REQUIRED COMPONENTS program_options)
find_package(spdlog REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
# ONNX's CMake package needs protobuf's targets first; its targets (onnx,
# onnx_proto) carry ONNX_NAMESPACE=onnx and ONNX_ML=1.
find_package(Protobuf REQUIRED)
find_package(ONNX CONFIG REQUIRED)
# Sweep results (sim/sweep/result_store.hpp): libsqlite3-dev.
find_package(SQLite3 REQUIRED)
