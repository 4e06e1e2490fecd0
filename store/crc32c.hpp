// CRC-32C (Castagnoli, iSCSI: RFC 3720 appendix B.4) of journal records and
// snapshot payloads, computed by Boost.CRC.
#pragma once

#include <boost/crc.hpp>
#include <cstdint>
#include <string_view>

namespace ccmon::store {

using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

inline std::uint32_t crc32c(std::string_view bytes) {
  Crc32c crc;
  crc.process_bytes(bytes.data(), bytes.size());
  return crc.checksum();
}

}  // namespace ccmon::store
