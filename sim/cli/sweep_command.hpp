#pragma once
// `systole sweep`: design-space exploration (docs/sweeps.md).
//   sweep run FILE [--jobs N | --shard i/n | --slurm ...]
//   sweep status FILE [--wait]
//   sweep merge FILE
//   sweep report FILE [--pareto A,B,C] [--no-plots]

namespace systole {

// argv[0] is "sweep". Throws InputError on bad input.
int sweep_command(int argc, char** argv);

}  // namespace systole
