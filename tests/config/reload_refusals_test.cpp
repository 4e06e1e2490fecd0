// reload_refusals(): what a reload must not put in force even though it
// loads without errors (docs/configuration.md, "Reloading").
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using ccmon::config::Config;
using ccmon::config::load_config_string;
using ccmon::config::reload_refusals;

namespace {

const char* const kWithTokens = R"(
server:
  auth:
    ingest_tokens: [ing]
    metrics_tokens: [met]
    admin_tokens: [adm]
)";

Config running() {
  auto r = load_config_string(kWithTokens, "running.yml");
  REQUIRE(r.config);
  return *r.config;
}

}  // namespace

TEST_CASE("an empty document loads as defaults but is refused on reload", "[config][reload]") {
  for (const char* text : {"", "\n\n", "# only a comment\n"}) {
    INFO(text);
    const auto next = load_config_string(text, "empty.yml");
    REQUIRE(next.config);  // valid at startup: all defaults
    CHECK(next.empty_document);
    const auto why = reload_refusals(running(), next);
    REQUIRE_FALSE(why.empty());
    CHECK(why[0] == "the configuration file is empty; refusing to reload it as all defaults");
  }
  CHECK_FALSE(load_config_string(kWithTokens, "x.yml").empty_document);
}

TEST_CASE("a reload dropping every token of a role needs the flag", "[config][reload]") {
  const auto same = load_config_string(kWithTokens, "same.yml");
  CHECK(reload_refusals(running(), same).empty());

  const auto no_metrics = load_config_string(R"(
server:
  auth:
    ingest_tokens: [ing]
    admin_tokens: [adm]
)",
                                             "next.yml");
  const auto why = reload_refusals(running(), no_metrics);
  REQUIRE(why.size() == 1);
  CHECK(why[0] ==
        "server.auth.metrics_tokens would become empty, turning authentication off for it; set "
        "server.auth.allow_removing_all_tokens: true to mean it");

  // Replacing tokens is fine; so is dropping them when said explicitly.
  CHECK(reload_refusals(running(), load_config_string(R"(
server:
  auth:
    ingest_tokens: [other]
    metrics_tokens: [met2]
    admin_tokens: [adm]
)",
                                                      "rotated.yml"))
            .empty());
  CHECK(reload_refusals(running(), load_config_string(R"(
server:
  auth:
    allow_removing_all_tokens: true
)",
                                                      "off.yml"))
            .empty());
  // Nothing to drop when the running configuration had no tokens.
  CHECK(reload_refusals(Config{}, load_config_string("server:\n  log_level: debug\n", "a.yml"))
            .empty());
}
