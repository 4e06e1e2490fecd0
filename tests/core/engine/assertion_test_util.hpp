// Turns an engine assertion (CCMON_ASSERT) into an exception for the
// duration of a test, so that a broken invariant can be checked for.
#pragma once

#include <stdexcept>
#include <string>

#include "core/engine/assert.hpp"

namespace ccmon::core::test {

struct AssertionFailure : std::logic_error {
  using std::logic_error::logic_error;
};

class ThrowingAssertions {
 public:
  ThrowingAssertions()
      : previous_(set_assertion_handler(
            [](const char* condition, const char*, int) { throw AssertionFailure(condition); })) {}
  ~ThrowingAssertions() { set_assertion_handler(previous_); }
  ThrowingAssertions(const ThrowingAssertions&) = delete;
  ThrowingAssertions& operator=(const ThrowingAssertions&) = delete;

 private:
  AssertionHandler previous_;
};

inline constexpr bool kAssertionsOn =
#if defined(CCMON_ASSERTIONS) && CCMON_ASSERTIONS
    true;
#else
    false;
#endif

}  // namespace ccmon::core::test
