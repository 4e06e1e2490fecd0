// application/x-www-form-urlencoded decoding (WHATWG URL Standard rules).
#include "core/adapters/form_urlencoded.hpp"

#include <catch2/catch.hpp>
#include <string>

using namespace ccmon::core::adapters;

TEST_CASE("form bodies decode '+', %XX and repeated names, in order") {
  std::string error;
  const auto p =
      decode_form("EventType=task.created&Name=a%26b&Name=A+B&empty=&flag&&x=%C3%A9", error);
  REQUIRE(p);
  const FormParams want = {{"EventType", "task.created"},
                           {"Name", "a&b"},
                           {"Name", "A B"},
                           {"empty", ""},
                           {"flag", ""},
                           {"x", "\xc3\xa9"}};
  CHECK(*p == want);
  CHECK(form_value(*p, "Name") == "a&b");
  CHECK_FALSE(form_value(*p, "missing"));
  CHECK(decode_form("", error)->empty());
}

TEST_CASE("malformed and oversized forms are refused with a reason") {
  std::string error;
  for (const std::string body : {"a=%", "a=%4", "a=%G1", "a=1&b=%zz", "%=1"}) {
    INFO(body);
    error.clear();
    CHECK_FALSE(decode_form(body, error));
    CHECK(error.find("escape") != std::string::npos);
  }
  FormLimits limits;
  limits.max_params = 2;
  CHECK_FALSE(decode_form("a=1&b=2&c=3", error, limits));
  CHECK(error.find("more than 2") != std::string::npos);
  CHECK_FALSE(decode_form(std::string(65, 'n') + "=1", error));
  CHECK_FALSE(decode_form("v=" + std::string(64 * 1024 + 1, 'x'), error));
  CHECK(error.find("`v`") != std::string::npos);
  CHECK(decode_form("v=" + std::string(64 * 1024, 'x'), error));
}
