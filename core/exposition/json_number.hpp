// How the JSON endpoints (/v1/kpis, the wallboard's feed) write a number.
#pragma once

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace ccmon::core {

// `v` as a JSON value: an integral value with |v| <= 2^53 (the integers a
// double holds exactly) as a JSON integer, so that counts read as counts
// ("20", not "20.0"); other finite values as JSON numbers; NaN and the
// infinities, which JSON cannot write, as null. Pure and thread-safe.
inline nlohmann::json json_number(double v) {
  if (!std::isfinite(v)) return nullptr;
  constexpr double kTwo53 = 9007199254740992.0;
  if (v == std::trunc(v) && std::fabs(v) <= kTwo53) return static_cast<std::int64_t>(v);
  return v;
}

}  // namespace ccmon::core
