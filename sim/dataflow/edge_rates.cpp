#include "sim/dataflow/edge_rates.hpp"

#include <algorithm>

namespace systole {

namespace {

EdgePath path(int noc_words, std::int64_t buffer_values) {
  if (buffer_values != 0 && (noc_words == 0 || buffer_values < noc_words)) return {buffer_values, RateLimit::Buffer};
  return {noc_words, RateLimit::Noc};
}

}  // namespace

int spacing(std::int64_t words, const EdgePath& p) {
  return p.width == 0 || words <= p.width ? 1 : static_cast<int>((words + p.width - 1) / p.width);
}

EdgePaths edge_paths(const ArchConfig& arch, const BufferPartition& buffer, OperandRoles roles) {
  const int operand = operand_bits(arch.array.data_type);
  const int accumulator = accumulator_bits(arch.array.data_type);
  EdgePaths paths;
  paths.left = path(arch.noc.left_words, buffer.read_values_per_cycle(roles.left, operand));
  paths.top = path(arch.noc.top_words, buffer.read_values_per_cycle(roles.top, operand));
  // Results that add to partial sums already in the ofmap partition are a
  // read-modify-write there: a read port and a write port per value.
  paths.fresh = path(arch.noc.out_words, buffer.write_values_per_cycle(Operand::Ofmap, accumulator));
  paths.accumulating =
      path(arch.noc.out_words, std::min(buffer.write_values_per_cycle(Operand::Ofmap, accumulator),
                                        buffer.read_values_per_cycle(Operand::Ofmap, accumulator)));
  return paths;
}

}  // namespace systole
