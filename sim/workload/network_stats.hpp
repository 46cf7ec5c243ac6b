#pragma once
// `systole stats`: what a network asks of any hardware, per layer and in
// total: weights, MACs (split into CONV and FC the way Sze et al. count them:
// convolutions are CONV; fully connected, GEMM, recurrent and attention
// layers are FC), and input and output activation sizes. Biases are not
// counted; pooling and element-wise layers have no MACs.

#include <ostream>

#include "sim/workload/workload.hpp"

namespace systole {

void write_stats_csv(std::ostream& out, const Workload& workload);
void print_stats_table(std::ostream& out, const Workload& workload);

bool counts_as_conv(LayerKind kind);

}  // namespace systole
