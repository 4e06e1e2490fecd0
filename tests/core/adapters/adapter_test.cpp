// The shared seam: source names, name text checks, the id hash, issue bounds.
#include "core/adapters/adapter.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace ccmon::core::adapters;

TEST_CASE("fnv1a64_hex matches the published FNV-1a 64 test vectors") {
  // Test vectors of the FNV reference (draft-eastlake-fnv, fnv_test.c):
  // "" -> cbf29ce484222325 (the offset basis), "a" -> af63dc4c8601ec8c,
  // "foobar" -> 85944171f73967e8.
  CHECK(fnv1a64_hex("") == "cbf29ce484222325");
  CHECK(fnv1a64_hex("a") == "af63dc4c8601ec8c");
  CHECK(fnv1a64_hex("foobar") == "85944171f73967e8");
}

TEST_CASE("source names are 1..32 bytes of [A-Za-z0-9_.-]") {
  CHECK(valid_source_name("pbx-paris_1.eu"));
  CHECK(valid_source_name(std::string(32, 'a')));
  CHECK_FALSE(valid_source_name(""));
  CHECK_FALSE(valid_source_name(std::string(33, 'a')));
  CHECK_FALSE(valid_source_name("pbx:1"));  // ':' separates the source in ids
  CHECK_FALSE(valid_source_name("pbx 1"));
}

TEST_CASE("name text is UTF-8 without control characters") {
  CHECK(valid_name_text(""));
  CHECK(valid_name_text("Support FR"));
  CHECK(valid_name_text("Fran\xc3\xa7ois"));         // ç
  CHECK(valid_name_text("\xf0\x9f\x93\x9e"));        // U+1F4DE
  CHECK_FALSE(valid_name_text("a\tb"));              // control
  CHECK_FALSE(valid_name_text("a\x7f"));             // DEL
  CHECK_FALSE(valid_name_text("\xc3"));              // truncated
  CHECK_FALSE(valid_name_text("\xc0\xaf"));          // overlong '/'
  CHECK_FALSE(valid_name_text("\xed\xa0\x80"));      // surrogate U+D800
  CHECK_FALSE(valid_name_text("\xf4\x90\x80\x80"));  // above U+10FFFF
}

TEST_CASE("issues and unknown kinds stay bounded") {
  AdapterBatch b;
  for (std::size_t i = 1; i <= kMaxIssues + 5; ++i) {
    b.issue(i, RecordOutcome::kUnknown,
            std::string("V").append(std::to_string(i % (kMaxUnknownKinds + 3))), "x");
  }
  CHECK(b.count(RecordOutcome::kUnknown) == kMaxIssues + 5);
  CHECK(b.issues.size() == kMaxIssues);
  CHECK(b.issues_dropped == 5);
  // 35 distinct names: 32 kept, the 3 others summed under "(other)".
  REQUIRE(b.unknown_kinds.size() == kMaxUnknownKinds + 1);
  CHECK(b.unknown_kinds.back().first == "(other)");
  std::size_t total = 0;
  for (const auto& [name, n] : b.unknown_kinds) total += n;
  CHECK(total == kMaxIssues + 5);
}
