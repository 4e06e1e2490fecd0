// Builds messages by appending (GCC 12 at -O3 warns falsely on
// `"x" + std::to_string(n)`, see docs/architecture.md).
#pragma once

#include <concepts>
#include <string>
#include <string_view>

namespace ccmon::store {

template <typename... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  auto add = [&out](const auto& part) {
    if constexpr (std::integral<std::decay_t<decltype(part)>>) {
      out += std::to_string(part);
    } else {
      out += part;
    }
  };
  (add(parts), ...);
  return out;
}

}  // namespace ccmon::store
