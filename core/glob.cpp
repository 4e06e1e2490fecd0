#include "core/glob.hpp"

#include <cstddef>

namespace ccmon::core {

bool glob_match(std::string_view pattern, std::string_view text) {
  // Greedy scan that remembers the last '*' and, on a mismatch, lets that star
  // swallow one more character. No recursion, so hostile patterns from a
  // config file cannot blow the stack.
  std::size_t p = 0;
  std::size_t t = 0;
  std::size_t star = std::string_view::npos;  // position of the last '*' seen
  std::size_t resume = 0;                     // text position that star covers up to
  while (t < text.size()) {
    if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
      ++p;
      ++t;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace ccmon::core
