#include "core/engine/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace ccmon::core {

namespace {

void abort_with_message(const char* condition, const char* file, int line) {
  std::fprintf(stderr, "%s:%d: engine invariant violated: %s\n", file, line, condition);
  std::abort();
}

AssertionHandler handler = abort_with_message;

}  // namespace

AssertionHandler set_assertion_handler(AssertionHandler h) {
  AssertionHandler previous = handler;
  handler = h != nullptr ? h : abort_with_message;
  return previous;
}

void assertion_failed(const char* condition, const char* file, int line) {
  handler(condition, file, line);
}

}  // namespace ccmon::core
