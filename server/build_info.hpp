#pragma once

#include <string_view>

namespace ccmon::server {

inline constexpr std::string_view kVersion = CCMON_VERSION;

}  // namespace ccmon::server
