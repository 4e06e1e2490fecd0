// application/x-www-form-urlencoded bodies (WHATWG URL Standard, section
// "application/x-www-form-urlencoded parsing"): '&'-separated name=value
// pairs, '+' is a space, %XX a byte. Bounded, never throws.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ccmon::core::adapters {

// Pairs in body order; a name may repeat.
using FormParams = std::vector<std::pair<std::string, std::string>>;

struct FormLimits {
  std::size_t max_params = 256;
  std::size_t max_name_bytes = 64;
  std::size_t max_value_bytes = 64 * 1024;  // TaskAttributes (JSON) is the large one
};

// Decodes `body`; nullopt with `error` naming the problem for a malformed
// escape (%G1, a '%' near the end), too many pairs or an oversized name or
// value (decoded bytes). Empty segments ("a=1&&b=2") are skipped.
std::optional<FormParams> decode_form(std::string_view body, std::string& error,
                                      const FormLimits& limits = {});

// The value of the first pair named `name`, or nullopt.
std::optional<std::string_view> form_value(const FormParams& params, std::string_view name);

}  // namespace ccmon::core::adapters
