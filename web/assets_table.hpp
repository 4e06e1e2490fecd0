// The table that web/embed_assets.cmake generates (private to web/).
#pragma once

#include <cstddef>
#include <string_view>

namespace ccmon::web::detail {

struct EmbeddedFile {
  std::string_view content_type;
  const unsigned char* data;  // `size` bytes, then a terminating 0 not counted
  std::size_t size;
  std::string_view etag;  // with its quotes
};

// kPaths[i] is the URL path ("/index.html") of kFiles[i]; sorted bytewise.
extern const EmbeddedFile kFiles[];
extern const std::string_view kPaths[];
extern const std::size_t kFileCount;

}  // namespace ccmon::web::detail
