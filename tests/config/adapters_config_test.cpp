// The `adapters` section: values land in AdaptersConfig, and each mistake
// is reported at its place (columns counted by hand, 1-based).
#include <catch2/catch.hpp>
#include <string>

#include "config/config.hpp"

using ccmon::config::load_config_string;

TEST_CASE("adapters keys map onto AdaptersConfig", "[config][adapters]") {
  const auto result = load_config_string(R"(
adapters:
  max_sources: 5
  asterisk_queue_log:
    poll_interval: 250ms
    wrapup: 15s
    strip_member_technology: false
    max_read_bytes: 64KiB
    files:
      - {path: /var/log/asterisk/queue_log, source: pbx1}
      - path: /srv/pbx2/queue_log
        source: pbx2
  twilio:
    auth_token: tw-token-123
    public_base_url: https://ccmon.example.com/
    worker_name_as_agent: true
  amazon_connect:
    api_key: k1
    firehose_access_key: k2
)",
                                         "ok.yml");
  for (const auto& e : result.errors) FAIL_CHECK(to_string(e));
  REQUIRE(result.config);
  const auto& a = result.config->adapters;
  CHECK(a.max_sources == 5);
  CHECK(a.asterisk_queue_log.poll_interval == 250'000);
  CHECK(a.asterisk_queue_log.wrapup == 15'000'000);
  CHECK_FALSE(a.asterisk_queue_log.strip_member_technology);
  CHECK(a.asterisk_queue_log.max_read_bytes == 64 * 1024);
  REQUIRE(a.asterisk_queue_log.files.size() == 2);
  CHECK(a.asterisk_queue_log.files[0].path == "/var/log/asterisk/queue_log");
  CHECK(a.asterisk_queue_log.files[0].source == "pbx1");
  CHECK(a.asterisk_queue_log.files[1].source == "pbx2");
  CHECK(a.twilio.auth_token == "tw-token-123");
  CHECK(a.twilio.public_base_url == "https://ccmon.example.com");  // trailing '/' dropped
  CHECK(a.twilio.worker_name_as_agent);
  CHECK(a.amazon_connect.api_key == "k1");
  CHECK(a.amazon_connect.firehose_access_key == "k2");
}

TEST_CASE("adapters are off by default", "[config][adapters]") {
  const auto result = load_config_string("server: {clock: event}\n", "ok.yml");
  REQUIRE(result.config);
  const auto& a = result.config->adapters;
  CHECK(a.asterisk_queue_log.files.empty());
  CHECK(a.twilio.auth_token.empty());
  CHECK(a.amazon_connect.api_key.empty());
  CHECK(a.amazon_connect.firehose_access_key.empty());
}

TEST_CASE("adapters errors name the key and its position", "[config][adapters][errors]") {
  struct Row {
    const char* yaml;
    int line, column;
    const char* message;
  };
  const Row rows[] = {
      // "      - {path: a, source: " is 26 characters.
      {"adapters:\n  asterisk_queue_log:\n    files:\n      - {path: a, source: \"bad name\"}\n", 4,
       27, "adapters.asterisk_queue_log.files[0].source: \"bad name\" is not a source name"},
      // The element itself ("      - " is 8 characters) when a key is missing.
      {"adapters:\n  asterisk_queue_log:\n    files:\n      - {source: pbx1}\n", 4, 9,
       "files[0]: a queue_log file needs `path`"},
      // The second use of a source, at its element (line 5).
      {"adapters:\n  asterisk_queue_log:\n    files:\n      - {path: a, source: pbx1}\n"
       "      - {path: b, source: pbx1}\n",
       5, 9, "files[1]: source \"pbx1\" is already used by another file"},
      {"adapters:\n  asterisk_queue_log:\n    files:\n      - {path: a, source: p1}\n"
       "      - {path: a, source: p2}\n",
       5, 9, "file \"a\" is listed twice"},
      // "    public_base_url: " is 21 characters.
      {"adapters:\n  twilio:\n    public_base_url: ccmon.example.com\n", 3, 22,
       "adapters.twilio.public_base_url: \"ccmon.example.com\" must start with https://"},
      // "    api_key: " is 13 characters; the message never repeats the key.
      {"adapters:\n  amazon_connect:\n    api_key: \"has space\"\n", 3, 14,
       "adapters.amazon_connect.api_key: "},
      {"adapters:\n  twillio: {}\n", 2, 3, "adapters.twillio: unknown key"},
      // "    poll_interval: " is 19 characters.
      {"adapters:\n  asterisk_queue_log:\n    poll_interval: 1ms\n", 3, 20,
       "adapters.asterisk_queue_log.poll_interval"},
  };
  for (const Row& row : rows) {
    INFO("YAML:\n" << row.yaml);
    const auto result = load_config_string(row.yaml, "test.yml");
    CHECK_FALSE(result.config);
    REQUIRE(result.errors.size() == 1);
    const auto& e = result.errors[0];
    INFO(to_string(e));
    CHECK(e.file == "test.yml");
    CHECK(e.line == row.line);
    CHECK(e.column == row.column);
    CHECK(e.message.find(row.message) != std::string::npos);
    CHECK(e.message.find("has space") == std::string::npos);
  }
}
