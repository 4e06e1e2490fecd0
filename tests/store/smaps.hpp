// Reading this process's /proc/self/smaps (proc(5)) for the mapping that
// holds an address: the memory tests check what the kernel made of their
// madvise(2) advice.
#pragma once

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

}  // namespace ccmon::test
