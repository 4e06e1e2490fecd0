#include "server/gzip.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>

namespace ccmon::server {

Inflate gunzip(std::string_view gz, std::size_t limit, std::string& out) {
  out.clear();
  z_stream z{};
  // 16 + MAX_WBITS: a gzip header and trailer, not a zlib one (zlib manual).
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return Inflate::kCorrupt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(std::min<std::size_t>(gz.size(), UINT32_MAX));
  std::array<char, 64 * 1024> chunk{};
  Inflate result = Inflate::kCorrupt;
  for (;;) {
    z.next_out = reinterpret_cast<Bytef*>(chunk.data());
    z.avail_out = static_cast<uInt>(chunk.size());
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = chunk.size() - z.avail_out;
    if (out.size() + produced > limit) {
      result = Inflate::kTooLarge;
      break;
    }
    out.append(chunk.data(), produced);
    if (rc == Z_STREAM_END) {
      // Concatenated members are one body (RFC 1952 §2.2).
      if (z.avail_in == 0) {
        result = Inflate::kOk;
        break;
      }
      if (inflateReset(&z) != Z_OK) break;
      continue;
    }
    if (rc != Z_OK) break;  // Z_DATA_ERROR, Z_BUF_ERROR on truncated input, ...
  }
  inflateEnd(&z);
  if (result != Inflate::kOk) out.clear();
  return result;
}

}  // namespace ccmon::server
