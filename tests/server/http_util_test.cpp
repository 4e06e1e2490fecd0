// Request targets, media types and answers (token rules: auth_test.cpp).
#include "server/http_util.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

namespace ccmon::server {
namespace {

TEST_CASE("targets split into path and percent-decoded query", "[server][http]") {
  Target t = parse_target("/v1/kpis?queue=sales%20EU&channel=voice&window=5m");
  CHECK(t.path == "/v1/kpis");
  CHECK(t.query == std::map<std::string, std::string>{
                       {"queue", "sales EU"}, {"channel", "voice"}, {"window", "5m"}});
  CHECK(parse_target("/metrics").query.empty());
  t = parse_target("/x?a=1+2&&flag&a=3&bad=%zz&end=%4");
  CHECK(t.query.at("a") == "3");  // the last repetition wins
  CHECK(t.query.at("flag").empty());
  CHECK(t.query.at("bad") == "%zz");  // not an escape: kept as written
  CHECK(t.query.at("end") == "%4");
  CHECK(parse_target("/x?q=%41%62").query.at("q") == "Ab");
}

TEST_CASE("media types drop parameters and case", "[server][http]") {
  CHECK(media_type("application/json") == "application/json");
  CHECK(media_type(" Application/X-NDJSON ; charset=utf-8") == "application/x-ndjson");
  CHECK(media_type("").empty());
}

TEST_CASE("JSON error answers carry code and message", "[server][http]") {
  const Response res =
      json_error(http::status::not_found, "not_found", "no \"such\" endpoint", 11, true);
  CHECK(res.result() == http::status::not_found);
  CHECK(res[http::field::content_type] == "application/json");
  CHECK(res.keep_alive());
  CHECK(res[http::field::content_length] == std::to_string(res.body().size()));
  CHECK(nlohmann::json::parse(res.body()) ==
        nlohmann::json{{"error", "not_found"}, {"message", "no \"such\" endpoint"}});
  // Invalid UTF-8 in a message (an echoed header) is replaced, never thrown.
  const Response bad = json_error(http::status::bad_request, "x", "\xff", 10, false);
  CHECK(nlohmann::json::parse(bad.body()).at("message") == "\xef\xbf\xbd");
  CHECK_FALSE(bad.keep_alive());
}

}  // namespace
}  // namespace ccmon::server
