#include "models/row_stationary/rs_program.hpp"

#include <algorithm>

namespace systole {

std::int64_t RsConv::macs() const {
  return std::int64_t{batch} * groups * filters * channels * filter_h * filter_w * out_h * out_w;
}

std::string RsMapping::to_string() const {
  return "set " + std::to_string(set_rows) + "x" + std::to_string(set_cols) + " p" + std::to_string(filters_per_pe) +
         " q" + std::to_string(channels_per_pe) + " n" + std::to_string(images_per_pe) + " x" +
         std::to_string(replicas);
}

std::vector<RsPass> rs_passes(const RsConv& conv, const RsMapping& m) {
  auto all_units = std::make_shared<std::vector<RsUnit>>();
  for (int g = 0; g < conv.groups; ++g)
    for (int f0 = 0; f0 < conv.filters; f0 += m.filters_per_pe)
      all_units->push_back({g, f0, std::min(m.filters_per_pe, conv.filters - f0)});
  const std::vector<RsUnit>& units = *all_units;
  const auto blocks = [](std::int64_t extent, std::int64_t block) { return (extent + block - 1) / block; };
  std::vector<RsPass> passes;
  passes.reserve(static_cast<std::size_t>(blocks(static_cast<std::int64_t>(units.size()), m.replicas) *
                                          blocks(conv.batch, m.images_per_pe) * blocks(conv.out_h, m.set_cols) *
                                          blocks(conv.channels, m.channels_per_pe) * blocks(conv.filter_h, m.set_rows)));
  for (std::size_t u0 = 0; u0 < units.size(); u0 += static_cast<std::size_t>(m.replicas))
    for (int b0 = 0; b0 < conv.batch; b0 += m.images_per_pe)
      for (int e0 = 0; e0 < conv.out_h; e0 += m.set_cols)
        for (int c0 = 0; c0 < conv.channels; c0 += m.channels_per_pe)
          for (int r0 = 0; r0 < conv.filter_h; r0 += m.set_rows) {
            RsPass pass;
            const std::size_t u1 = std::min(units.size(), u0 + static_cast<std::size_t>(m.replicas));
            pass.units = RsUnits(all_units, u0, u1 - u0);
            pass.image0 = b0;
            pass.images = std::min(m.images_per_pe, conv.batch - b0);
            pass.out_row0 = e0;
            pass.out_rows = std::min(m.set_cols, conv.out_h - e0);
            pass.channel0 = c0;
            pass.channels = std::min(m.channels_per_pe, conv.channels - c0);
            pass.filter_row0 = r0;
            pass.filter_rows = std::min(m.set_rows, conv.filter_h - r0);
            passes.push_back(pass);
          }
  return passes;
}

RsWindow rs_window(const RsConv& conv) {
  RsWindow w;
  for (int f = 0; f < conv.out_w; ++f)
    for (int s = 0; s < conv.filter_w; ++s) w.columns.push_back(f * conv.stride_w + s * conv.dilation_w - conv.pad_left);
  std::sort(w.columns.begin(), w.columns.end());
  w.columns.erase(std::unique(w.columns.begin(), w.columns.end()), w.columns.end());
  // The last output column reading each input column.
  std::vector<int> last_user(w.columns.size(), 0);
  for (int f = 0; f < conv.out_w; ++f)
    for (int s = 0; s < conv.filter_w; ++s) {
      const int x = f * conv.stride_w + s * conv.dilation_w - conv.pad_left;
      const auto i = std::lower_bound(w.columns.begin(), w.columns.end(), x) - w.columns.begin();
      last_user[static_cast<std::size_t>(i)] = std::max(last_user[static_cast<std::size_t>(i)], f);
    }
  int freed_before = 0;
  for (int f = 0; f < conv.out_w; ++f) {
    const int last_x = f * conv.stride_w + (conv.filter_w - 1) * conv.dilation_w - conv.pad_left;
    const int needed =
        static_cast<int>(std::upper_bound(w.columns.begin(), w.columns.end(), last_x) - w.columns.begin());
    w.needed_through.push_back(needed);
    w.largest_window = std::max(w.largest_window, needed - freed_before);
    freed_before = static_cast<int>(std::count_if(last_user.begin(), last_user.end(), [f](int u) { return u <= f; }));
    w.freed_after.push_back(freed_before);
  }
  return w;
}

std::string rs_mapping_problem(const RsConv& conv, const RsMapping& m, int rows, int cols, const PeScratchpads& pads) {
  const auto positive = m.set_rows > 0 && m.set_cols > 0 && m.filters_per_pe > 0 && m.channels_per_pe > 0 &&
                        m.images_per_pe > 0 && m.replicas > 0;
  if (!positive) return "every figure of the row-stationary mapping must be positive";
  if (m.set_rows > conv.filter_h || m.set_cols > conv.out_h)
    return "a PE set of " + std::to_string(m.set_rows) + "x" + std::to_string(m.set_cols) +
           " is larger than the layer's filter rows x output rows (" + std::to_string(conv.filter_h) + "x" +
           std::to_string(conv.out_h) + ")";
  if (m.set_rows > rows || m.set_cols > cols)
    return "a PE set of " + std::to_string(m.set_rows) + "x" + std::to_string(m.set_cols) +
           " does not fit the array of " + std::to_string(rows) + "x" + std::to_string(cols) + " PEs";
  const long long fit = static_cast<long long>(rows / m.set_rows) * (cols / m.set_cols);
  if (m.replicas > fit)
    return std::to_string(m.replicas) + " replicas of the " + std::to_string(m.set_rows) + "x" +
           std::to_string(m.set_cols) + " PE set do not fit the array of " + std::to_string(rows) + "x" +
           std::to_string(cols) + " PEs (at most " + std::to_string(fit) + ")";
  const long long filter_row = static_cast<long long>(m.filters_per_pe) * m.channels_per_pe * conv.filter_w;
  if (filter_row > pads.filter_entries)
    return "p·q·S = " + std::to_string(m.filters_per_pe) + "·" + std::to_string(m.channels_per_pe) + "·" +
           std::to_string(conv.filter_w) + " = " + std::to_string(filter_row) +
           " filter weights exceed pe.filter_spad_entries = " + std::to_string(pads.filter_entries);
  const long long window = static_cast<long long>(rs_window(conv).largest_window) * m.channels_per_pe * m.images_per_pe;
  if (window > pads.ifmap_entries)
    return "an input window of n·q·" + std::to_string(rs_window(conv).largest_window) + " = " +
           std::to_string(window) + " values exceeds pe.ifmap_spad_entries = " + std::to_string(pads.ifmap_entries);
  const long long psums = static_cast<long long>(m.filters_per_pe) * m.images_per_pe;
  if (psums > pads.psum_entries)
    return "p·n = " + std::to_string(psums) + " partial sums exceed pe.psum_spad_entries = " +
           std::to_string(pads.psum_entries);
  return {};
}

}  // namespace systole
