// Glob match with '*' (any run) and '?' (one character), for the
// service-level overrides' queue / channel patterns.
#pragma once

#include <string_view>

namespace ccmon::core::engine_detail {

bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ccmon::core::engine_detail
