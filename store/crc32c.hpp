// CRC-32C (Castagnoli, iSCSI: RFC 3720 appendix B.4) of journal records and
// snapshot payloads, computed by Intel ISA-L (libisal, Debian), which uses
// the SSE4.2 crc32 instruction where the CPU has it: 25 times Boost.CRC's
// table-driven loop on this project's machine (100 MiB in 0.03 s instead of
// 0.7 s; docs/benchmarks.md, "Durable state"), and the CRC is on the engine
// thread for every journal record and on the start's path for every snapshot.
// The on-disk value is the same (tests/store/journal_test.cpp checks the
// RFC's vectors).
#pragma once

#include <isa-l/crc.h>

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ccmon::store {

// Incremental: process() any number of parts, then checksum().
class Crc32c {
 public:
  void process(const void* data, std::size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    // ISA-L takes an int length: feed very large buffers in parts.
    constexpr std::size_t kPart = std::size_t{1} << 30;
    while (size > 0) {
      const std::size_t n = size < kPart ? size : kPart;
      state_ = crc32_iscsi(const_cast<unsigned char*>(p), static_cast<int>(n), state_);
      p += n;
      size -= n;
    }
  }
  // ISA-L keeps the register un-inverted; CRC-32C's final XOR is applied here.
  std::uint32_t checksum() const { return ~state_; }

 private:
  unsigned int state_ = 0xFFFFFFFFu;
};

inline std::uint32_t crc32c(std::string_view bytes) {
  Crc32c crc;
  crc.process(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace ccmon::store
