#include "models/array/fold_hazards.hpp"

#include "models/array/output_stationary_hazards.hpp"
#include "models/array/stationary_hazards.hpp"

namespace systole {

const FoldHazards& fold_hazards(ArrayMode mode) {
  static const StationaryHazards stationary;
  static const OutputStationaryHazards output_stationary;
  return mode == ArrayMode::Stationary ? static_cast<const FoldHazards&>(stationary) : output_stationary;
}

}  // namespace systole
