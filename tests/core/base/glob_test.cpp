#include "core/glob.hpp"

#include <catch2/catch.hpp>
#include <string_view>

namespace ccmon::core {
namespace {

struct GlobCase {
  std::string_view pattern;
  std::string_view text;
  bool expected;
};

TEST_CASE("glob_match: '*' and '?' against whole label values", "[sla][glob]") {
  const GlobCase cases[] = {
      {"*", "", true},
      {"*", "sales", true},
      {"", "", true},
      {"", "a", false},
      {"sales", "sales", true},
      {"sales", "Sales", false},   // case-sensitive
      {"sales", "sales2", false},  // whole value, not a prefix
      {"vip*", "vip", true},       // '*' also matches nothing
      {"vip*", "vip_gold", true},
      {"vip*", "svip", false},
      {"*vip", "svip", true},
      {"*vip*", "a_vip_b", true},
      {"v*p*d", "vip_gold", true},  // backtracking: first 'p' then 'd' at the end
      {"v*p*d", "vip_golds", false},
      {"????", "chat", true},
      {"????", "voice", false},
      {"?", "", false},
      {"ch?t", "chat", true},
      {"ch?t", "cht", false},
      {"**", "x", true},
      {"*a*a*a*b", "aaaaaaaaaaaaaaaaaaaa", false},  // no 'b': every split fails
  };
  for (const auto& c : cases) {
    INFO("pattern '" << c.pattern << "' text '" << c.text << "'");
    CHECK(glob_match(c.pattern, c.text) == c.expected);
  }
}

}  // namespace
}  // namespace ccmon::core
