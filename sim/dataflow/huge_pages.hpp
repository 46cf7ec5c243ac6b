#pragma once
// A layer's tensors (its input, weights, lowered input and output) run to
// hundreds of megabytes and are filled once, page by page. With the
// kernel's 4 KB pages that is a page fault per 4 KB, and on a virtual
// machine the faults cost more than the filling. Where the kernel hands out
// transparent huge pages only on request (its "madvise" mode, Debian's
// default), a large tensor asks for them before it is first touched: 512
// times fewer faults, and fewer TLB misses as the fold engine reads it.

#include <cstddef>
#include <vector>

namespace systole {

// Asks the kernel to back the 2 MB pages that [data, data + bytes) covers
// with huge pages. A hint: where it is refused, nothing changes.
void advise_huge_pages(const void* data, std::size_t bytes);

// Gives `values` room for `count` elements, not yet touched, in huge pages
// where the kernel has them. Its elements are dropped when it must grow.
template <class T>
void reserve_in_huge_pages(std::vector<T>& values, std::size_t count) {
  if (values.capacity() >= count) return;  // its pages are already in use
  std::vector<T>().swap(values);
  values.reserve(count);
  advise_huge_pages(values.data(), count * sizeof(T));
}

}  // namespace systole
