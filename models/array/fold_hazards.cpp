#include "models/array/fold_hazards.hpp"

#include <stdexcept>

#include "models/array/output_stationary_hazards.hpp"
#include "models/array/stationary_hazards.hpp"

namespace systole {

const FoldHazards& fold_hazards(ArrayMode mode) {
  static const StationaryHazards stationary;
  static const OutputStationaryHazards output_stationary;
  switch (mode) {  // no default: a new mode must name its hazards here
    case ArrayMode::Stationary: return stationary;
    case ArrayMode::OutputStationary: return output_stationary;
  }
  throw std::logic_error("no hazard rules for this array mode");
}

}  // namespace systole
