// Shell-style wildcard matching for queue/channel selectors (SLA rules,
// service-level overrides).
#pragma once

#include <string_view>

namespace ccmon::core {

// True when `text` matches `pattern` as a whole: '*' matches any run of
// characters (also none), '?' exactly one character, anything else itself.
// Case-sensitive, no escapes, no character classes: label values are plain
// identifiers. Linear in practice, O(|pattern| * |text|) at worst.
bool glob_match(std::string_view pattern, std::string_view text);

}  // namespace ccmon::core
