#include "core/codec/body_splitter.hpp"

#include <cstring>

#include "core/codec/codec.hpp"

namespace ccmon::core::codec_detail {
namespace {

constexpr bool is_json_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

std::string_view next_line(std::string_view body, std::size_t& pos) {
  const char* start = body.data() + pos;
  const std::size_t left = body.size() - pos;
  const void* nl = std::memchr(start, '\n', left);
  std::size_t len =
      nl != nullptr ? static_cast<std::size_t>(static_cast<const char*>(nl) - start) : left;
  pos += nl != nullptr ? len + 1 : len;
  if (len > 0 && start[len - 1] == '\r') --len;
  return {start, len};
}

std::string_view trim_json_space(std::string_view text) {
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && is_json_space(text[b])) ++b;
  while (e > b && is_json_space(text[e - 1])) --e;
  return text.substr(b, e - b);
}

void array_element_sizes(std::string_view array_text, std::vector<std::size_t>& sizes) {
  sizes.clear();
  const std::string_view text = trim_json_space(array_text);
  // text = '[' elements ']'; walk the inside tracking nesting and strings:
  // a ',' or the final ']' at depth 0 ends an element.
  std::size_t i = 1;
  const std::size_t end = text.size() - 1;
  int depth = 0;
  bool in_string = false;
  std::size_t start = std::string_view::npos;
  for (; i <= end; ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;  // the escaped character cannot end the string
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (depth == 0 && (c == ',' || i == end)) {
      if (start != std::string_view::npos) {
        sizes.push_back(trim_json_space(text.substr(start, i - start)).size());
      }
      start = std::string_view::npos;
      continue;
    }
    if (is_json_space(c)) continue;
    if (start == std::string_view::npos) start = i;
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
}

}  // namespace ccmon::core::codec_detail

namespace ccmon::core {

// memchr skips a whole line per call; std::count went byte by byte.
std::size_t ndjson_line_bound(std::string_view body) {
  std::size_t newlines = 0;
  const char* p = body.data();
  const char* const end = p + body.size();
  while (p < end) {
    const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
    if (nl == nullptr) break;
    ++newlines;
    p = static_cast<const char*>(nl) + 1;
  }
  return newlines + 1;
}

}  // namespace ccmon::core
