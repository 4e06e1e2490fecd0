// What the memory tests ask the kernel: this process's /proc/self/smaps
// (proc(5)) for the mapping that holds an address, to check what the kernel
// made of their madvise(2) advice, and its transparent huge page mode.
#pragma once

#include <sys/mman.h>

#include <cerrno>
#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>

namespace ccmon::test {

// The text after `field` ("VmFlags:", "AnonHugePages:") in the smaps entry
// of the mapping holding `p`, with a space at each end; "" if none.
inline std::string smaps_field(const void* p, const std::string& field) {
  const auto at = reinterpret_cast<std::uintptr_t>(p);
  std::ifstream smaps("/proc/self/smaps");
  bool inside = false;
  for (std::string line; std::getline(smaps, line);) {
    std::uintptr_t lo = 0, hi = 0;
    char dash = 0;
    std::istringstream head(line);
    if (head >> std::hex >> lo >> dash >> hi && dash == '-' && line.find(':') > line.find(' ')) {
      inside = lo <= at && at < hi;
    } else if (inside && line.rfind(field, 0) == 0) {
      return line.substr(field.size()) + " ";
    }
  }
  return "";
}

// The VmFlags of the mapping holding `p` ("dc": not copied on fork, "hg":
// huge pages advised), each between spaces; "" if none.
inline std::string vm_flags(const void* p) {
  return smaps_field(p, "VmFlags:");
}

// The kB of that mapping mapped by huge pages (AnonHugePages); -1 if none.
inline long anon_huge_kib(const void* p) {
  const std::string v = smaps_field(p, "AnonHugePages:");
  return v.empty() ? -1 : std::stol(v);
}

// The kernel's transparent huge page mode ("always", "madvise", "never"),
// or "" without them (no /sys/kernel/mm/transparent_hugepage/enabled).
inline std::string huge_page_mode() {
  std::string line;
  std::getline(std::ifstream("/sys/kernel/mm/transparent_hugepage/enabled"), line);
  const auto a = line.find('['), b = line.find(']');
  return a == std::string::npos || b == std::string::npos ? "" : line.substr(a + 1, b - a - 1);
}

// Whether this kernel knows MADV_COLLAPSE (Linux 6.1). The advice is
// checked before the range, so an empty range answers without touching
// memory: 0 where it is known, EINVAL before (a non-empty range can give
// EINVAL for other reasons, a mapping not 2 MiB-aligned say).
inline bool madv_collapse_known() {
  constexpr int kCollapse = 25;  // MADV_COLLAPSE, absent from older headers
  static char page[4096] __attribute__((aligned(4096)));
  return madvise(page, 0, kCollapse) == 0 || errno != EINVAL;
}

// Why collapse_heap() cannot be tested here ("" when it can): huge pages
// off or absent, or a kernel without MADV_COLLAPSE.
inline std::string no_collapse_reason() {
  const std::string mode = huge_page_mode();
  if (mode.empty() || mode == "never") {
    return "transparent huge pages are off here (mode '" + mode + "')";
  }
  if (!madv_collapse_known()) return "this kernel has no MADV_COLLAPSE (it came with Linux 6.1)";
  return "";
}

}  // namespace ccmon::test
