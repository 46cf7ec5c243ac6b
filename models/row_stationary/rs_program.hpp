#pragma once
// What the row-stationary array runs, as plain values: a convolution in the
// terms of PE sets (RsConv), how it is mapped onto the array (RsMapping), the
// PEs' scratchpads and the widths of the networks that feed them, and the
// processing passes the mapping cuts the convolution into.
//
// A PE set is h filter rows × e output rows of PEs: PE (i, j) convolves
// filter row r0 + i with input row (e0 + j)·stride_h + (r0 + i)·dilation_h
// (a 1-D convolution), for p filters, q channels and n images at once; the
// partial sums of a column of the set add up vertically. A pass runs one
// such set per replica: each replica its own p filters (or group), all on
// the same channels, images and rows. Passes over channel blocks and filter
// row blocks of the same outputs add to the partial sums the previous pass
// left in the buffer.

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace systole {

// One layer's convolution. Every group has `channels` input channels and
// `filters` filters; tensors are NHWC (filters: filter × fh × fw × channel).
struct RsConv {
  int batch = 1, groups = 1, channels = 1, filters = 1;
  int in_h = 1, in_w = 1, pad_top = 0, pad_left = 0;
  int filter_h = 1, filter_w = 1;
  int stride_h = 1, stride_w = 1, dilation_h = 1, dilation_w = 1;
  int out_h = 1, out_w = 1;
  std::int64_t macs() const;
};

struct PeScratchpads {
  int filter_entries = 224;
  int ifmap_entries = 12;
  int psum_entries = 24;
};

// Words per cycle of each global network (0: unlimited), and values per
// cycle the buffer's ports behind it move (0: unlimited; with DRAM, as for
// the GEMM dataflows: sim/dataflow/edge_rates.hpp).
struct RsNetworkRate {
  int words = 0;
  int port_values = 0;
  // Whether the ports, not the network, set the rate.
  bool buffer_limited() const { return port_values > 0 && (words == 0 || port_values < words); }
};
struct RsNetworkWidths {
  RsNetworkRate ifmap;    // the ifmap GIN, behind it the ifmap partition's read ports
  RsNetworkRate filter;   // the filter GIN: the filter partition's read ports
  RsNetworkRate psum_in;  // the psum GIN (previous partial sums in): the ofmap partition's read ports
  RsNetworkRate out;      // the GON (partial sums out): the ofmap partition's write ports
};

struct RsMapping {
  int set_rows = 1;         // h: filter rows per PE set
  int set_cols = 1;         // e: output rows per PE set
  int filters_per_pe = 1;   // p
  int channels_per_pe = 1;  // q
  int images_per_pe = 1;    // n
  int replicas = 1;         // sets in the array at once
  std::string to_string() const;
};

// Where replica `t` of an h × e set sits in an array `array_cols` wide:
// replicas fill the array's rows of sets left to right, then top to bottom.
inline int replica_row(int t, int set_rows, int set_cols, int array_cols) { return (t / (array_cols / set_cols)) * set_rows; }
inline int replica_col(int t, int set_cols, int array_cols) { return (t % (array_cols / set_cols)) * set_cols; }

// One replica's work in a pass: p filters of one group.
struct RsUnit {
  int group = 0;
  int filter0 = 0, filters = 0;
};

// The units of one pass: a slice of the layer's units, which all its passes
// share (a layer has up to tens of thousands of passes of hundreds of units
// each, and the mapper lists the passes of every mapping it plans).
class RsUnits {
 public:
  RsUnits() = default;
  RsUnits(std::shared_ptr<const std::vector<RsUnit>> all, std::size_t first, std::size_t count)
      : all_(std::move(all)), first_(first), count_(count) {}
  std::size_t size() const { return count_; }
  const RsUnit& operator[](std::size_t i) const { return (*all_)[first_ + i]; }
  const RsUnit& front() const { return (*this)[0]; }
  const RsUnit* begin() const { return all_->data() + first_; }
  const RsUnit* end() const { return begin() + count_; }

 private:
  std::shared_ptr<const std::vector<RsUnit>> all_;
  std::size_t first_ = 0, count_ = 0;
};

struct RsPass {
  RsUnits units;  // one per replica used
  int image0 = 0, images = 0;
  int out_row0 = 0, out_rows = 0;
  int channel0 = 0, channels = 0;
  int filter_row0 = 0, filter_rows = 0;
  // Adds to partial sums an earlier pass left in the buffer.
  bool accumulates() const { return channel0 > 0 || filter_row0 > 0; }
};

// The passes of `conv` under `mapping`: units, then images, then output
// rows, then channels and filter rows (innermost, so that a block's partial
// sums come back in the next pass).
std::vector<RsPass> rs_passes(const RsConv& conv, const RsMapping& mapping);

// The input columns a PE's 1-D convolution reads, in order, and for each
// output column how many of them it needs and how many it may then drop.
struct RsWindow {
  std::vector<int> columns;               // padded input coordinates, minus pad_left
  std::vector<int> needed_through;        // per output column: columns[0..k) needed
  std::vector<int> freed_after;           // per output column: columns dropped once it is done
  int largest_window = 0;                 // most columns held at once
};
RsWindow rs_window(const RsConv& conv);

// Why `mapping` cannot run `conv` on an array of `rows` × `cols` PEs with
// `pads`, naming the limit it breaks; empty when it can.
std::string rs_mapping_problem(const RsConv& conv, const RsMapping& mapping, int rows, int cols,
                               const PeScratchpads& pads);

}  // namespace systole
