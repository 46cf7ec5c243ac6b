#pragma once
// Reads SCALE-Sim v2 topology CSVs, so its users can bring their networks.
//
// Conv rows: `name, IFMAP H, IFMAP W, Filter H, Filter W, Channels, Num Filter,
// Stride[, Stride W]`, unpadded input. GEMM rows (header `Layer, M, N, K`):
// `name, M, N, K`. The header line is skipped. A name containing "DP" marks a
// depthwise layer (one group per channel, Num Filter filters per channel); a
// filter that covers the whole input makes a fully connected layer.
//
// Like SCALE-Sim, a conv's output size is ceil((H − FH + S) / S): a window
// that runs past the input edge reads zeros, modelled as bottom/right padding.
// Unlike it, we accept rows without the trailing comma, tab-separated files,
// rows of empty fields, annotation columns past the ninth, trailing '#'
// comments, and rows holding only a name (section headings, as in MLPERF.csv).

#include <string>

#include "sim/workload/workload.hpp"

namespace systole {

Workload load_scalesim_topology(const std::string& path);

}  // namespace systole
