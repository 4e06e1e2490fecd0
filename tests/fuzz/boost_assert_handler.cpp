// BOOST_ENABLE_ASSERT_HANDLER for the targets that run Beast: a failed Boost
// assertion aborts (a finding), except the one known false assertion below.
#include <boost/version.hpp>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

// Boost.Beast before 1.86 asserts `n >= 5` in basic_parser::parse_chunk_header
// although a chunk header can legally arrive split as "0\r\n" then "\r": the
// parser then correctly asks for more (boostorg/beast PR #2861, "fix asserts,
// it's possible that we reach code only with 3 symbols"). Only builds with
// assertions on abort there; docs/fuzzing.md has the reproducer.
bool known_false_assertion(const char* expr, const char* file) {
#if BOOST_VERSION < 108600
  return std::strcmp(expr, "n >= 5") == 0 && std::strstr(file, "basic_parser.ipp") != nullptr;
#else
  (void)expr, (void)file;
  return false;
#endif
}

}  // namespace

namespace boost {

void assertion_failed(const char* expr, const char* function, const char* file, long line) {
  if (known_false_assertion(expr, file)) return;
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed.\n", file, line, function, expr);
  std::abort();
}

void assertion_failed_msg(const char* expr, const char* msg, const char* function, const char* file,
                          long line) {
  std::fprintf(stderr, "%s:%ld: %s: Boost assertion `%s' failed: %s\n", file, line, function, expr,
               msg);
  std::abort();
}

}  // namespace boost
