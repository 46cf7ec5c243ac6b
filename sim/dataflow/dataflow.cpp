#include "sim/dataflow/dataflow.hpp"

namespace systole {

FoldGate* ArrayStep::open_memory(const StepMemory& memory, MemoryController::WriteEncoder encoder) {
  if (memory.dram == nullptr) return nullptr;
  memory_controller_ = std::make_unique<MemoryController>(*memory.dram, *memory.buffer, std::move(memory_),
                                                          memory.start_fs, memory.period_fs, memory.noc_latency);
  if (encoder) memory_controller_->encode_write_backs(std::move(encoder));
  return memory_controller_.get();
}

void ArrayStep::record_dram_traffic(Counters& counted) const {
  if (!memory_controller_) return;
  const DramTraffic& dram = memory_controller_->dram_traffic();
  for (Operand o : {Operand::Ifmap, Operand::Filter, Operand::Ofmap})
    counted[per_operand(Counter::DramIfmapReadBytes, o)] = dram.read_bytes[static_cast<int>(o)];
  counted[Counter::DramOfmapWriteBytes] = dram.write_bytes[static_cast<int>(Operand::Ofmap)];
  counted[Counter::DramUncompressedBytes] = dram.uncompressed_bytes;
}

}  // namespace systole
