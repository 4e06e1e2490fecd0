// Request bodies sent with `Content-Encoding: gzip` (RFC 9110 §8.4.1.3),
// inflated with zlib under the same size limit as a plain body, so a small
// "zip bomb" cannot expand past it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ccmon::server {

enum class Inflate {
  kOk,        // `out` holds the whole decompressed body
  kTooLarge,  // it would be larger than the limit: stopped there (-> 413)
  kCorrupt,   // not gzip, truncated, or a bad checksum (-> 400)
};

// Decompresses the gzip member(s) in `gz` into `out`, stopping as soon as
// more than `limit` bytes would come out. Thread-safe (no shared state).
Inflate gunzip(std::string_view gz, std::size_t limit, std::string& out);

}  // namespace ccmon::server
