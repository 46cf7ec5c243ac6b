#pragma once
// The `systole` command line: subcommands, options, exit codes
// (0 success, 1 verification failure or internal error, 2 bad input,
// 130 interrupted).

namespace systole {

int run_cli(int argc, char** argv);

}  // namespace systole
