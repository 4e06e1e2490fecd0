// Splits request bodies into the raw text of single events (internal header):
// NDJSON lines, and the elements of an already validated JSON array.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace ccmon::core::codec_detail {

// The line of `body` starting at `pos`, without its "\n" or "\r\n"; advances
// `pos` past the line terminator. Call while pos < body.size().
std::string_view next_line(std::string_view body, std::size_t& pos);

// JSON insignificant whitespace (space, tab, CR, LF) removed at both ends.
std::string_view trim_json_space(std::string_view text);

// Raw byte size of each element of `array_text`, which must be a JSON array
// that a parser has already accepted (so no error handling is needed here).
// Used only for the too_large check of bodies bigger than one event may be.
void array_element_sizes(std::string_view array_text, std::vector<std::size_t>& sizes);

}  // namespace ccmon::core::codec_detail
