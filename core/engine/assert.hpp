// CCMON_ASSERT(condition): checks an engine invariant in builds compiled with
// CCMON_ASSERTIONS=1 (the sanitizer builds, see the top CMakeLists.txt); in
// other builds (Release) it compiles to nothing and the condition is not
// evaluated, so it may be as costly as a consistency walk.
//
// A failed assertion is a bug in the engine, never bad input: it calls the
// installed handler, by default one that writes the condition and its place
// to stderr and aborts (as <cassert> does). Tests install a throwing handler
// to check that a broken invariant is caught.
#pragma once

namespace ccmon::core {

using AssertionHandler = void (*)(const char* condition, const char* file, int line);

// Installs `h` (null: the default) and returns the previous handler. Not
// thread-safe: install before any engine runs.
AssertionHandler set_assertion_handler(AssertionHandler h);

[[gnu::cold]] void assertion_failed(const char* condition, const char* file, int line);

}  // namespace ccmon::core

#if defined(CCMON_ASSERTIONS) && CCMON_ASSERTIONS
#define CCMON_ASSERT(condition) \
  ((condition) ? void(0) : ::ccmon::core::assertion_failed(#condition, __FILE__, __LINE__))
#else
#define CCMON_ASSERT(condition) ((void)0)
#endif
