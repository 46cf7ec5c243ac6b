#pragma once
// What the vector unit is, as a plain value (models/vector_unit.hpp is the
// unit itself).

namespace systole {

struct VectorUnitConfig {
  int lanes = 64;  // operations per cycle
};

}  // namespace systole
