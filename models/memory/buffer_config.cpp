#include "models/memory/buffer_config.hpp"

namespace systole {

std::string to_string(Operand operand) {
  switch (operand) {
    case Operand::Ifmap: return "ifmap";
    case Operand::Filter: return "filter";
    case Operand::Ofmap: return "ofmap";
  }
  return "?";
}

BufferPartition GlobalBufferConfig::partition(std::array<int, kOperands> split) const {
  BufferPartition p;
  p.read_ports = read_ports;
  p.write_ports = write_ports;
  p.word_bytes = word_bytes;
  if (organization == BufferOrganization::Separate) {
    p.bytes = {ifmap_bytes, filter_bytes, ofmap_bytes};
    p.banks = {banks, banks, banks};
  } else {
    for (int o = 0; o < kOperands; ++o) p.bytes[o] = split[o] * bank_bytes();
    p.banks = split;
  }
  return p;
}

}  // namespace systole
