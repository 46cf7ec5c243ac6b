#include "sim/report/counters.hpp"

#include <algorithm>

namespace systole {

const std::array<CounterInfo, kCounters>& counter_infos() {
  static const std::array<CounterInfo, kCounters> infos = {{
#define SYSTOLE_COUNTER_INFO(identifier, name, unit, combine, shown, meaning) \
  {Counter::identifier, name, unit, Combine::combine, Shown::shown, meaning},
      SYSTOLE_COUNTERS(SYSTOLE_COUNTER_INFO)
#undef SYSTOLE_COUNTER_INFO
  }};
  return infos;
}

Counters& Counters::operator+=(const Counters& other) {
  for (const CounterInfo& counter : counter_infos()) {
    const std::size_t i = static_cast<std::size_t>(counter.counter);
    values_[i] = counter.combine == Combine::Sum ? values_[i] + other.values_[i] : std::max(values_[i], other.values_[i]);
  }
  return *this;
}

}  // namespace systole
